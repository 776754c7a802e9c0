"""`fitzap import`: a gym's history from CSV files, checked line by line, each file whole or not at all, idempotent."""
from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select

from app.history_import import import_dir
from domain.models import CheckIn, Client, PaymentRecord

MEMBERS = """member_id,name,phone,joined_on,plan,price
M1,Ana Lima,(11) 98765-4321,2025-01-10,Mensal,149.90
M2,Bruno Reis,+55 21 99876-5432,2025-03-02,Anual,"1.299,00"
M3,Carla Dias,,2026-02-01,Mensal,149,90
"""
CHECKINS = """member_id,checked_in_at,duration_min
M1,2026-11-02T07:15,55
M1,2026-11-04T18:40,70
M2,2026-11-03T06:30,
"""
PAYMENTS = """member_id,paid_on,amount,status
M1,2026-10-10,149.90,paid
M1,2026-11-10,149.90,failed
M2,2026-03-02,1299.00,paid
"""
ENDS = """member_id,ended_on
M3,2026-06-01
"""


def _folder(tmp_path: Path, **files: str) -> Path:
    for name, body in files.items():
        (tmp_path / f"{name}.csv").write_text(body, encoding="utf-8")
    return tmp_path


async def _counts(runtime) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return tuple([await session.scalar(select(func.count()).select_from(t)) for t in (Client, CheckIn, PaymentRecord)])


async def test_a_history_imports_members_visits_payments_and_plan_ends_once(runtime, business, settings, tmp_path):
    async with runtime.sessions.begin() as session:  # a client already chatting with the studio: the same person as M1
        session.add(Client(business_id=business.id, contact_key="+5511987654321", phone_e164="+5511987654321",
                           profile_name="Ana", created_at=datetime.now(UTC)))
    folder = _folder(tmp_path, members=MEMBERS, checkins=CHECKINS, payments=PAYMENTS, memberships_ended=ENDS)
    reports = await import_dir(settings.database_url, folder, business.id)
    assert [(r.name, r.lines, r.stored, r.errors) for r in reports] == [
        ("members.csv", 3, 2, []), ("checkins.csv", 3, 3, []), ("payments.csv", 3, 3, []), ("memberships_ended.csv", 1, 1, [])]
    assert await _counts(runtime) == (3, 3, 3)
    async with runtime.sessions() as session:
        ana = (await session.scalars(select(Client).where(Client.external_id == "M1"))).one()
        carla = (await session.scalars(select(Client).where(Client.external_id == "M3"))).one()
        bruno = (await session.scalars(select(Client).where(Client.external_id == "M2"))).one()
        first = (await session.scalars(select(CheckIn).order_by(CheckIn.checked_in_at))).first()
    assert (ana.profile_name, ana.joined_on, ana.plan_name, ana.plan_price_cents) == ("Ana", date(2025, 1, 10), "Mensal", 14990)
    assert (bruno.phone_e164, bruno.plan_price_cents) == ("+5521998765432", 129900)
    assert (carla.contact_key, carla.left_on) == ("member:M3", date(2026, 6, 1))
    assert first.checked_in_at == datetime(2026, 11, 2, 10, 15, tzinfo=UTC) and first.duration_min == 55  # 07:15 in São Paulo

    again = await import_dir(settings.database_url, folder, business.id)
    assert [r.errors for r in again] == [[], [], [], []]
    assert await _counts(runtime) == (3, 3, 3)  # nothing doubled


async def test_a_file_with_bad_lines_is_not_imported_and_every_bad_line_is_named(runtime, business, settings, tmp_path):
    bad_checkins = """member_id,checked_in_at,duration_min
M1,2026-11-02T07:15,55
M1,2026-13-01T10:00,40
M9,2026-11-03T06:30,30
M2,2026-11-03T06:30,-5
"""
    folder = _folder(tmp_path, members=MEMBERS, checkins=bad_checkins)
    members, checkins = await import_dir(settings.database_url, folder, business.id)
    assert members.errors == [] and members.stored == 3
    assert checkins.stored == 0 and checkins.errors == [
        "checkins.csv:3: checked_in_at: '2026-13-01T10:00' is not a local time like 2026-03-01T18:30",
        "checkins.csv:4: member_id: no member 'M9' (import members.csv first)",
        "checkins.csv:5: duration_min: '-5' is not a whole number from 0 to 1440",
    ]
    assert await _counts(runtime) == (3, 0, 0)  # the good first line of the bad file is not stored either


async def test_a_bad_phone_or_a_missing_column_is_a_clear_error(runtime, business, settings, tmp_path):
    folder = _folder(tmp_path, members="member_id,name,phone,joined_on,plan,price\nM1,Ana,12,2025-01-10,Mensal,10\n",
                     payments="member_id,paid_on,amount\nM1,2026-01-01,10\n")
    members, payments = await import_dir(settings.database_url, folder, business.id)
    assert members.errors and members.errors[0].startswith("members.csv:2: phone: ")
    assert payments.errors == ["payments.csv:1: the header lacks status"]
    assert await _counts(runtime) == (0, 0, 0)

"""The credit ledger and memberships, on real PostgreSQL."""
from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from domain.errors import NoCredits, NotFound
from domain.models import Appointment, Booking, Business, Client, CreditBalance, CreditEntry, Service, Staff
from domain.scheduling import credits, memberships

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
DAY = timedelta(days=1)


@dataclass
class Shop:
    business_id: int
    client_id: int
    staff_id: int
    service_id: int


async def make_client(session, business_id: int, phone: str, now: datetime) -> int:  # type: ignore[no-untyped-def]
    client = Client(business_id=business_id, contact_key=phone, wa_id=phone[1:], phone_e164=phone, created_at=now)
    session.add(client)
    await session.flush()
    return client.id


@pytest.fixture
async def shop(runtime, business, clock) -> Shop:  # type: ignore[no-untyped-def]
    """The business with one client, one trainer and one service."""
    async with runtime.sessions.begin() as session:
        client_id = await make_client(session, business.id, "+5511987654321", clock.now())
        staff = Staff(business_id=business.id, name="Ana", ical_token=uuid.uuid4().hex, created_at=clock.now())
        service = Service(business_id=business.id, name="Treino", duration_min=60, created_at=clock.now())
        session.add_all([staff, service])
        await session.flush()
        return Shop(business.id, client_id, staff.id, service.id)


async def make_booking(session, shop: Shop, starts_at: datetime, *,  # type: ignore[no-untyped-def]
                       paid_with: str = "credit", status: str = "booked", client_id: int | None = None) -> int:
    """A booking in its own one-hour appointment (the caller keeps the trainer's times apart)."""
    ends_at = starts_at + timedelta(hours=1)
    appointment = Appointment(business_id=shop.business_id, staff_id=shop.staff_id, service_id=shop.service_id,
                              kind="personal", starts_at=starts_at, ends_at=ends_at, blocked_from=starts_at,
                              blocked_until=ends_at, capacity=1, status="scheduled", created_at=starts_at,
                              updated_at=starts_at)
    session.add(appointment)
    await session.flush()
    booking = Booking(business_id=shop.business_id, appointment_id=appointment.id,
                      client_id=client_id or shop.client_id, status=status, paid_with=paid_with,
                      created_at=starts_at, updated_at=starts_at)
    session.add(booking)
    await session.flush()
    return booking.id


async def ledger_sum(session, client_id: int) -> int:  # type: ignore[no-untyped-def]
    stmt = select(func.coalesce(func.sum(CreditEntry.delta), 0)).where(CreditEntry.client_id == client_id)
    return (await session.execute(stmt)).scalar_one()


async def test_pack_adds_credits_to_the_balance(runtime, shop, clock):
    now = clock.now()
    async with runtime.sessions.begin() as session:
        assert await credits.balance(session, shop.business_id, shop.client_id) == 0
        await credits.add_pack(session, shop.business_id, shop.client_id, 5, now, note="Pacote 5")
        assert await credits.balance(session, shop.business_id, shop.client_id) == 5
    async with runtime.sessions.begin() as session:
        await credits.add_pack(session, shop.business_id, shop.client_id, 3, now + DAY, expires_at=now + 30 * DAY)
        assert await credits.balance(session, shop.business_id, shop.client_id) == 8
        entries = await credits.history(session, shop.business_id, shop.client_id)
    assert [(e.kind, e.delta, e.note) for e in entries] == [("purchase", 3, None), ("purchase", 5, "Pacote 5")]
    with pytest.raises(ValueError):
        async with runtime.sessions.begin() as session:
            await credits.add_pack(session, shop.business_id, shop.client_id, 0, now)


async def test_spending_uses_the_pack_that_expires_first(runtime, shop, clock):
    now = clock.now()
    async with runtime.sessions.begin() as session:
        forever = await credits.add_pack(session, shop.business_id, shop.client_id, 1, now - 2 * DAY)
        later = await credits.add_pack(session, shop.business_id, shop.client_id, 1, now - DAY,
                                       expires_at=now + 30 * DAY)
        older_soon = await credits.add_pack(session, shop.business_id, shop.client_id, 1, now - 2 * DAY,
                                            expires_at=now + 10 * DAY)
        newer_soon = await credits.add_pack(session, shop.business_id, shop.client_id, 1, now - DAY,
                                            expires_at=now + 10 * DAY)
    async with runtime.sessions.begin() as session:
        spent = [await credits.spend_one(session, shop.business_id, shop.client_id, None, now) for _ in range(4)]
        assert await credits.balance(session, shop.business_id, shop.client_id) == 0
    assert [e.pack_id for e in spent] == [older_soon.id, newer_soon.id, later.id, forever.id]
    assert {(e.kind, e.delta) for e in spent} == {("spend", -1)}


async def test_no_credits_raises_no_credits(runtime, shop, clock):
    now = clock.now()
    async with runtime.sessions.begin() as session:
        with pytest.raises(NoCredits):
            await credits.spend_one(session, shop.business_id, shop.client_id, None, now)
        await credits.add_pack(session, shop.business_id, shop.client_id, 1, now)
        await credits.spend_one(session, shop.business_id, shop.client_id, None, now)
        with pytest.raises(NoCredits):
            await credits.spend_one(session, shop.business_id, shop.client_id, None, now)
        kinds = [e.kind for e in await credits.history(session, shop.business_id, shop.client_id)]
    assert kinds == ["spend", "purchase"]  # the refused spends left nothing behind


async def test_timely_cancel_refund_gives_the_credit_back(runtime, shop, clock):
    now = clock.now()
    async with runtime.sessions.begin() as session:
        pack = await credits.add_pack(session, shop.business_id, shop.client_id, 2, now)
        booking_id = await make_booking(session, shop, now + 2 * DAY)
        await credits.spend_one(session, shop.business_id, shop.client_id, booking_id, now)
        assert await credits.balance(session, shop.business_id, shop.client_id) == 1
    async with runtime.sessions.begin() as session:
        refund = await credits.refund_for_booking(session, shop.business_id, booking_id, now + DAY)
        assert refund is not None
        assert (refund.kind, refund.delta, refund.pack_id, refund.booking_id) == ("refund", 1, pack.id, booking_id)
        assert await credits.balance(session, shop.business_id, shop.client_id) == 2
        assert await ledger_sum(session, shop.client_id) == 2


async def test_refund_is_idempotent(runtime, shop, clock):
    now = clock.now()
    async with runtime.sessions.begin() as session:
        await credits.add_pack(session, shop.business_id, shop.client_id, 1, now)
        booking_id = await make_booking(session, shop, now + 2 * DAY)
        unpaid_id = await make_booking(session, shop, now + 3 * DAY, paid_with="none")
        await credits.spend_one(session, shop.business_id, shop.client_id, booking_id, now)
    for _ in range(2):
        async with runtime.sessions.begin() as session:
            await credits.refund_for_booking(session, shop.business_id, booking_id, now)
    async with runtime.sessions.begin() as session:
        assert await credits.refund_for_booking(session, shop.business_id, booking_id, now) is None
        assert await credits.refund_for_booking(session, shop.business_id, unpaid_id, now) is None
        assert await credits.balance(session, shop.business_id, shop.client_id) == 1
        kinds = [e.kind for e in await credits.history(session, shop.business_id, shop.client_id)]
    assert sorted(kinds) == ["purchase", "refund", "spend"]


async def test_refund_into_an_expired_pack_expires_at_once(runtime, shop, clock):
    now = clock.now()
    async with runtime.sessions.begin() as session:
        pack = await credits.add_pack(session, shop.business_id, shop.client_id, 1, now, expires_at=now + DAY)
        booking_id = await make_booking(session, shop, now + 5 * DAY)
        await credits.spend_one(session, shop.business_id, shop.client_id, booking_id, now)
    async with runtime.sessions.begin() as session:
        refund = await credits.refund_for_booking(session, shop.business_id, booking_id, now + 2 * DAY)
        assert refund is not None and refund.pack_id == pack.id
        assert await credits.balance(session, shop.business_id, shop.client_id) == 0
        assert await credits.expire_packs(session, shop.business_id, now + 2 * DAY) == 0
        kinds = [e.kind for e in await credits.history(session, shop.business_id, shop.client_id)]
    assert sorted(kinds) == ["expire", "purchase", "refund", "spend"]


async def test_expired_pack_credits_are_removed_once(runtime, shop, clock):
    now = clock.now()
    async with runtime.sessions.begin() as session:
        expiring = await credits.add_pack(session, shop.business_id, shop.client_id, 5, now, expires_at=now + DAY)
        await credits.add_pack(session, shop.business_id, shop.client_id, 2, now)  # never expires
        await credits.add_pack(session, shop.business_id, shop.client_id, 1, now, expires_at=now + 9 * DAY)
        for _ in range(2):
            await credits.spend_one(session, shop.business_id, shop.client_id, None, now)
        assert await credits.expire_packs(session, shop.business_id, now) == 0
    async with runtime.sessions.begin() as session:
        assert await credits.expire_packs(session, shop.business_id, now + DAY) == 3  # expires_at itself counts
        assert await credits.expire_packs(session, shop.business_id, now + 2 * DAY) == 0
        assert await credits.balance(session, shop.business_id, shop.client_id) == 3
        assert await ledger_sum(session, shop.client_id) == 3
        expired = [e for e in await credits.history(session, shop.business_id, shop.client_id) if e.kind == "expire"]
    assert [(e.delta, e.pack_id) for e in expired] == [(-3, expiring.id)]


async def test_expired_pack_is_not_spent(runtime, shop, clock):
    now = clock.now()
    async with runtime.sessions.begin() as session:
        await credits.add_pack(session, shop.business_id, shop.client_id, 1, now - 10 * DAY, expires_at=now - DAY)
        with pytest.raises(NoCredits):  # not swept yet: the balance still shows it, but it cannot be spent
            await credits.spend_one(session, shop.business_id, shop.client_id, None, now)
        fresh = await credits.add_pack(session, shop.business_id, shop.client_id, 1, now, expires_at=now + DAY)
        spent = await credits.spend_one(session, shop.business_id, shop.client_id, None, now)
        assert spent.pack_id == fresh.id


async def test_ledger_rows_cannot_be_updated_or_deleted(runtime, shop, clock):
    async with runtime.sessions.begin() as session:
        pack = await credits.add_pack(session, shop.business_id, shop.client_id, 1, clock.now())
    with pytest.raises(DBAPIError, match="append-only"):
        async with runtime.sessions.begin() as session:
            await session.execute(update(CreditEntry).where(CreditEntry.id == pack.id).values(delta=100))
    with pytest.raises(DBAPIError, match="append-only"):
        async with runtime.sessions.begin() as session:
            await session.execute(delete(CreditEntry).where(CreditEntry.id == pack.id))
    async with runtime.sessions() as session:
        assert (await session.get(CreditEntry, pack.id)).delta == 1  # type: ignore[union-attr]


async def test_the_balance_cannot_be_made_negative(runtime, shop, clock):
    async with runtime.sessions.begin() as session:
        await credits.add_pack(session, shop.business_id, shop.client_id, 1, clock.now())
    with pytest.raises(IntegrityError):
        async with runtime.sessions.begin() as session:
            await session.execute(update(CreditBalance).values(balance=CreditBalance.balance - 2))


async def test_deleting_a_client_cascades_through_the_ledger(runtime, shop, clock):
    now = clock.now()
    async with runtime.sessions.begin() as session:
        await credits.add_pack(session, shop.business_id, shop.client_id, 2, now)
        booking_id = await make_booking(session, shop, now + DAY)
        await credits.spend_one(session, shop.business_id, shop.client_id, booking_id, now)
        await credits.refund_for_booking(session, shop.business_id, booking_id, now)
    async with runtime.sessions.begin() as session:
        await session.execute(text("DELETE FROM clients WHERE id = :id"), {"id": shop.client_id})
    async with runtime.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(CreditEntry))).scalar_one() == 0
        assert (await session.execute(select(func.count()).select_from(CreditBalance))).scalar_one() == 0


async def test_balance_never_goes_negative_under_concurrent_spends(runtime, shop, clock):
    now = clock.now()
    async with runtime.sessions.begin() as session:
        await credits.add_pack(session, shop.business_id, shop.client_id, 2, now, expires_at=now + DAY)
        await credits.add_pack(session, shop.business_id, shop.client_id, 1, now)

    async def spend() -> CreditEntry:
        async with runtime.sessions.begin() as session:
            return await credits.spend_one(session, shop.business_id, shop.client_id, None, now)

    results = await asyncio.gather(*(spend() for _ in range(20)), return_exceptions=True)
    assert sum(isinstance(r, CreditEntry) for r in results) == 3
    assert sum(isinstance(r, NoCredits) for r in results) == 17
    async with runtime.sessions() as session:
        assert await credits.balance(session, shop.business_id, shop.client_id) == 0
        assert await ledger_sum(session, shop.client_id) == 0


async def test_client_of_another_business_is_not_found(runtime, shop, clock):
    now = clock.now()
    async with runtime.sessions.begin() as session:
        other = Business(name="Outro Studio", phone_number_id="999", timezone="America/Sao_Paulo", locale="pt-BR",
                         currency="BRL", created_at=now)
        session.add(other)
        await session.flush()
        other_id = other.id
        stranger = await make_client(session, other_id, "+5511912345678", now)
        await credits.add_pack(session, other_id, stranger, 1, now)
        booking_id = await make_booking(session, shop, now + DAY)
        plan = await memberships.add_membership(session, shop.business_id, shop.client_id, "Mensal", now.date(),
                                                now.date() + 30 * DAY, now)
    calls = [
        lambda s: credits.add_pack(s, shop.business_id, stranger, 1, now),
        lambda s: credits.balance(s, shop.business_id, stranger),
        lambda s: credits.spend_one(s, shop.business_id, stranger, None, now),
        lambda s: credits.history(s, shop.business_id, stranger),
        lambda s: credits.refund_for_booking(s, other_id, booking_id, now),
        lambda s: memberships.add_membership(s, shop.business_id, stranger, "X", now.date(), now.date(), now),
        lambda s: memberships.covering_membership(s, shop.business_id, stranger, now.date()),
        lambda s: memberships.sessions_used_in_week(s, shop.business_id, stranger, now.date(), "America/Sao_Paulo"),
        lambda s: memberships.cancel_membership(s, other_id, plan.id),
    ]
    for call in calls:
        async with runtime.sessions.begin() as session:
            with pytest.raises(NotFound):
                await call(session)
    async with runtime.sessions() as session:
        assert await credits.balance(session, other_id, stranger) == 1
        assert await credits.expire_packs(session, shop.business_id, now + 400 * DAY) == 0  # another's packs untouched


async def test_membership_covers_its_first_and_last_day_only(runtime, shop, clock):
    async with runtime.sessions.begin() as session:
        await memberships.add_membership(session, shop.business_id, shop.client_id, "Mensal", date(2026, 11, 1),
                                         date(2026, 11, 30), clock.now())
        covers = [await memberships.covering_membership(session, shop.business_id, shop.client_id, day) is not None
                  for day in (date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 1))]
    assert covers == [False, True, True, False]


async def test_the_most_generous_covering_plan_wins(runtime, shop, clock):
    async with runtime.sessions.begin() as session:
        await memberships.add_membership(session, shop.business_id, shop.client_id, "2x", date(2026, 11, 1),
                                         date(2026, 11, 30), clock.now(), sessions_per_week=2)
        await memberships.add_membership(session, shop.business_id, shop.client_id, "Livre", date(2026, 11, 15),
                                         date(2026, 12, 15), clock.now())
        early = await memberships.covering_membership(session, shop.business_id, shop.client_id, date(2026, 11, 2))
        overlap = await memberships.covering_membership(session, shop.business_id, shop.client_id, date(2026, 11, 20))
    assert (early.plan_name, overlap.plan_name) == ("2x", "Livre")  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        async with runtime.sessions.begin() as session:
            await memberships.add_membership(session, shop.business_id, shop.client_id, "Errado", date(2026, 11, 2),
                                             date(2026, 11, 1), clock.now())


async def test_cancelled_membership_does_not_cover(runtime, shop, clock):
    async with runtime.sessions.begin() as session:
        plan = await memberships.add_membership(session, shop.business_id, shop.client_id, "Mensal",
                                                date(2026, 11, 1), date(2026, 11, 30), clock.now())
    async with runtime.sessions.begin() as session:
        cancelled = await memberships.cancel_membership(session, shop.business_id, plan.id)
        assert cancelled.status == "cancelled"
        assert await memberships.cancel_membership(session, shop.business_id, plan.id) is cancelled
    async with runtime.sessions() as session:
        assert await memberships.covering_membership(session, shop.business_id, shop.client_id,
                                                     date(2026, 11, 10)) is None


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A São Paulo wall-clock time in November 2026 (UTC−3) as an aware UTC datetime."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SAO_PAULO).astimezone(UTC)


async def test_sessions_used_in_week_counts_membership_bookings_of_that_local_week(runtime, shop, clock):
    week = date(2026, 11, 23)  # a Monday
    async with runtime.sessions.begin() as session:
        other = await make_client(session, shop.business_id, "+5511900000001", clock.now())
        await make_booking(session, shop, local(23, 0, 0), paid_with="membership")  # first minute of the week
        await make_booking(session, shop, local(25, 7), paid_with="membership", status="completed")
        await make_booking(session, shop, local(26, 7), paid_with="membership", status="no_show")
        await make_booking(session, shop, local(29, 22, 30), paid_with="membership")  # Sunday night, local
        await make_booking(session, shop, local(24, 7), paid_with="membership", status="cancelled")
        await make_booking(session, shop, local(27, 7), paid_with="credit")
        await make_booking(session, shop, local(22, 22), paid_with="membership")  # the Sunday before
        await make_booking(session, shop, local(30, 0, 0), paid_with="membership")  # the next Monday
        await make_booking(session, shop, local(28, 7), paid_with="membership", client_id=other)
    async with runtime.sessions() as session:
        used = await memberships.sessions_used_in_week(session, shop.business_id, shop.client_id, week,
                                                       "America/Sao_Paulo")
        in_utc = await memberships.sessions_used_in_week(session, shop.business_id, shop.client_id, week, "UTC")
    assert used == 4
    # In UTC the week starts three hours earlier: the Sunday-before 22:00 (01:00Z Monday) is in, and
    # the Sunday-night 22:30 (01:30Z Monday) is out.
    assert in_utc == 4

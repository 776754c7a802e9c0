"""Settings → Automated messages and a trainer's digest time: set in the panel, used by the scheduler."""
from __future__ import annotations

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from domain.models import Business, Staff
from domain.scheduling import catalog
from runtime.resources import Runtime
from tests.settings_support import as_owner, as_trainer, fresh, post

GOOD = {"reminder_hours": "2, 48", "reminder_template": "lembrete_treino", "followup_enabled": "on",
        "followup_after_min": "30", "quiet_start": "21:30", "quiet_end": "07:00"}


async def test_owner_sets_reminder_times_followups_and_quiet_hours(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    page = await (await web.get("/admin/settings/automation")).text()
    assert 'value="24, 2"' in page and 'value="22:00"' in page  # the defaults, as the owner reads them
    response = await post(web, "/admin/settings/automation", token, **GOOD)
    assert response.status == 302
    saved = await fresh(runtime, Business, business.id)
    assert (saved.reminder_offsets_min, saved.reminder_template) == ("2880,120", "lembrete_treino")
    assert (saved.followup_enabled, saved.followup_after_min) == (True, 30)
    assert (saved.quiet_start_min, saved.quiet_end_min) == (21 * 60 + 30, 7 * 60)
    assert "Automated messages saved." in await (await web.get("/admin/settings/automation")).text()


async def test_unchecked_followups_are_switched_off(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    await post(web, "/admin/settings/automation", token, **{**GOOD, "followup_enabled": ""})
    assert (await fresh(runtime, Business, business.id)).followup_enabled is False


async def test_bad_reminder_hours_and_times_are_refused_and_nothing_saved(web: TestClient, runtime: Runtime,
                                                                          business: Business) -> None:
    token = await as_owner(web, runtime, business)
    bad = {**GOOD, "reminder_hours": "24, two", "quiet_start": "25:00", "reminder_template": "Lembrete Treino"}
    response = await post(web, "/admin/settings/automation", token, **bad)
    page = await response.text()
    assert response.status == 400 and "Nothing was saved" in page
    assert "Write whole hours before the session" in page and "Write a time as HH:MM" in page
    assert "lower-case letters, digits and underscores" in page
    too_many = await post(web, "/admin/settings/automation", token, **{**GOOD, "reminder_hours": "48, 24, 2, 1"})
    assert too_many.status == 400 and "Up to 3 reminders" in await too_many.text()
    saved = await fresh(runtime, Business, business.id)
    assert (saved.reminder_offsets_min, saved.quiet_start_min) == ("1440,120", 1320)


async def test_trainer_cannot_change_automated_messages(web: TestClient, runtime: Runtime, business: Business) -> None:
    token, _ = await as_trainer(web, runtime, business)
    assert (await web.get("/admin/settings/automation")).status == 403
    assert (await post(web, "/admin/settings/automation", token, **GOOD)).status == 403


async def test_owner_sets_a_trainers_digest_time(web: TestClient, runtime: Runtime, business: Business) -> None:
    async with runtime.sessions.begin() as session:
        ana = await catalog.add_staff(session, business.id, "Ana", runtime.clock.now())
    token = await as_owner(web, runtime, business)
    fields = {"name": "Ana", "email": "", "whatsapp": "+55 11 95555-0000"}
    assert (await post(web, f"/admin/staff/trainers/{ana.id}", token, **fields, digest_at="06:45")).status == 302
    assert (await fresh(runtime, Staff, ana.id)).digest_at_min == 6 * 60 + 45
    assert 'value="06:45"' in await (await web.get(f"/admin/staff/trainers/{ana.id}")).text()
    refused = await post(web, f"/admin/staff/trainers/{ana.id}", token, **fields, digest_at="6h")
    assert refused.status == 400 and (await fresh(runtime, Staff, ana.id)).digest_at_min == 6 * 60 + 45
    await post(web, f"/admin/staff/trainers/{ana.id}", token, **fields, digest_at="")
    assert (await fresh(runtime, Staff, ana.id)).digest_at_min is None


async def test_new_trainer_can_start_with_a_digest_time(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    await post(web, "/admin/staff/trainers", token, name="Carla", whatsapp="+55 11 98765-4321", digest_at="07:00")
    async with runtime.sessions() as session:
        assert await session.scalar(select(Staff.digest_at_min).where(Staff.name == "Carla")) == 7 * 60

"""The challenges pages: owners add, change and delete challenges; staff see every entrant on the leaderboard
with days done against the target and whether they show on the public ranking; another business's challenge
is 404 and a form without its CSRF token is refused."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from domain.models import Business, Challenge, ChallengeEntry, Client, WorkoutSession
from domain.scheduling import checkins
from domain.training import challenges
from runtime.resources import Runtime
from tests.booking_setup import SAO_PAULO, make_studio
from tests.client_admin_setup import visible_text
from tests.settings_support import as_owner, as_trainer, other_business, post


def _today(runtime: Runtime) -> date:
    return runtime.clock.now().astimezone(SAO_PAULO).date()


async def _challenge(runtime: Runtime, business_id: int, name: str = "12 treinos", target: int = 3,
                     start: int = -20, end: int = 10) -> int:
    today = _today(runtime)
    async with runtime.sessions.begin() as session:
        row = Challenge(business_id=business_id, name=name, target=target, starts_on=today + timedelta(days=start),
                        ends_on=today + timedelta(days=end), created_at=runtime.clock.now())
        session.add(row)
        await session.flush()
        return row.id


async def _trained(runtime: Runtime, business_id: int, client_id: int, *days_ago: int) -> None:
    today = _today(runtime)
    async with runtime.sessions.begin() as session:
        for n in days_ago:
            day = today - timedelta(days=n)
            session.add(WorkoutSession(business_id=business_id, client_id=client_id, local_date=day,
                                       started_at=datetime.combine(day, time(12), SAO_PAULO).astimezone(UTC)))


async def _count(runtime: Runtime, model: type) -> int:
    async with runtime.sessions() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


def _form(runtime: Runtime, **changes: str) -> dict[str, str]:
    today = _today(runtime)
    return {"name": "12 treinos em dezembro", "target": "12", "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=30)).isoformat(), **changes}


async def test_owner_adds_a_challenge_and_the_list_shows_it(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    form = _form(runtime)
    response = await post(web, "/admin/challenges", token, **form)
    async with runtime.sessions() as session:
        challenge = (await session.execute(select(Challenge))).scalar_one()
    assert response.status == 302 and response.headers["Location"] == f"/admin/challenges/{challenge.id}"
    assert (challenge.business_id, challenge.name, challenge.target) == (business.id, "12 treinos em dezembro", 12)
    assert (challenge.starts_on.isoformat(), challenge.ends_on.isoformat()) == (form["starts_on"], form["ends_on"])
    page = visible_text(await (await web.get("/admin/challenges")).text())
    starts, ends = challenge.starts_on, challenge.ends_on
    assert f"12 treinos em dezembro {starts:%d/%m/%Y} – {ends:%d/%m/%Y} 12 days 0 running" in page


async def test_bad_challenge_forms_are_form_errors_and_store_nothing(web: TestClient, runtime: Runtime,
                                                                     business: Business) -> None:
    token = await as_owner(web, runtime, business)
    today = _today(runtime)
    for bad, words in (({"target": "0"}, "Must be at least 1."),
                       ({"ends_on": (today - timedelta(days=1)).isoformat()}, "The challenge cannot end before it starts."),
                       ({"name": "   "}, "This is required."),
                       ({"target": "doze"}, "Must be a whole number."),
                       ({"target": "9" * 30}, "Must be at most 366."),
                       ({"starts_on": "2026-13-01"}, "date"),
                       ({"ends_on": "9999-12-31"}, "Give a date from 2000 to 2100.")):
        response = await post(web, "/admin/challenges", token, **_form(runtime, **bad))
        assert response.status == 400, bad
        page = visible_text(await response.text())
        assert "Nothing was saved" in page and words in page, (bad, page)
    assert await _count(runtime, Challenge) == 0


async def test_leaderboard_ranks_entrants_by_days_with_full_names(web: TestClient, runtime: Runtime,
                                                                  business: Business) -> None:
    studio = await make_studio(runtime, business, clients=4)
    maria, joao, ana, bia = studio.clients
    challenge_id = await _challenge(runtime, business.id, target=3)
    async with runtime.sessions.begin() as session:
        for client_id, name in zip(studio.clients, ("Maria Souza", "João Lima", "Ana Reis", "Bia Costa"), strict=True):
            (await session.get(Client, client_id)).profile_name = name
        for client_id, public in ((maria, True), (joao, False), (ana, True), (bia, True)):
            await challenges.join(session, business.id, challenge_id, client_id, public, runtime.clock.now())
        await checkins.check_in(session, business.id, joao, runtime.clock.now(), method="staff")
    await _trained(runtime, business.id, maria, 1, 2, 3, 4)
    await _trained(runtime, business.id, joao, 1, 30)  # 30 days ago is before the challenge: not counted
    await _trained(runtime, business.id, ana, 5)
    await as_owner(web, runtime, business)
    page = visible_text(await (await web.get(f"/admin/challenges/{challenge_id}")).text())
    assert "4 entrants, 3 on the public ranking." in page
    board = page.split("Public ranking")[1]
    assert board.index("Maria Souza") < board.index("João Lima") < board.index("Ana Reis") < board.index("Bia Costa")
    assert "1 Maria Souza 4 / 3 done shown" in board
    assert "2 João Lima 2 / 3 hidden" in board
    assert "3 Ana Reis 1 / 3 shown" in board and "4 Bia Costa 0 / 3 shown" in board
    listing = visible_text(await (await web.get("/admin/challenges")).text())
    assert "3 days 4 running" in listing


async def test_trainer_sees_challenges_but_cannot_add_change_or_delete(web: TestClient, runtime: Runtime,
                                                                       business: Business) -> None:
    challenge_id = await _challenge(runtime, business.id, name="Verão")
    token, _ = await as_trainer(web, runtime, business)
    listing = await web.get("/admin/challenges")
    assert listing.status == 200
    listing_page = visible_text(await listing.text())
    assert "Verão" in listing_page and "Add a challenge" not in listing_page
    detail = await web.get(f"/admin/challenges/{challenge_id}")
    assert detail.status == 200 and "Delete this challenge" not in await detail.text()
    assert (await post(web, "/admin/challenges", token, **_form(runtime))).status == 403
    assert (await post(web, f"/admin/challenges/{challenge_id}", token, **_form(runtime, name="Mine"))).status == 403
    assert (await post(web, f"/admin/challenges/{challenge_id}/delete", token)).status == 403
    async with runtime.sessions() as session:
        assert [c.name for c in (await session.execute(select(Challenge))).scalars()] == ["Verão"]


async def test_another_business_challenge_is_not_found(web: TestClient, runtime: Runtime, business: Business) -> None:
    other = await other_business(runtime)
    theirs = await _challenge(runtime, other.id, name="Deles")
    token = await as_owner(web, runtime, business)
    assert (await web.get(f"/admin/challenges/{theirs}")).status == 404
    assert (await post(web, f"/admin/challenges/{theirs}", token, **_form(runtime, name="Nosso"))).status == 404
    assert (await post(web, f"/admin/challenges/{theirs}", token, **_form(runtime, target="0"))).status == 404
    assert (await post(web, f"/admin/challenges/{theirs}/delete", token)).status == 404
    assert (await web.get("/admin/challenges/" + "9" * 25)).status == 404
    assert "Deles" not in await (await web.get("/admin/challenges")).text()
    async with runtime.sessions() as session:
        assert (await session.get(Challenge, theirs)).name == "Deles"


async def test_forms_without_the_csrf_token_are_refused(web: TestClient, runtime: Runtime, business: Business) -> None:
    challenge_id = await _challenge(runtime, business.id, name="Verão")
    await as_owner(web, runtime, business)
    for path, data in (("/admin/challenges", _form(runtime)), (f"/admin/challenges/{challenge_id}", _form(runtime)),
                       (f"/admin/challenges/{challenge_id}/delete", {})):
        for token in ({}, {"csrf_token": "forged"}):
            response = await web.post(path, data={**data, **token}, allow_redirects=False)
            assert response.status == 403, (path, token)
    async with runtime.sessions() as session:
        assert [c.name for c in (await session.execute(select(Challenge))).scalars()] == ["Verão"]


async def test_owner_changes_and_deletes_a_challenge(web: TestClient, runtime: Runtime, business: Business) -> None:
    studio = await make_studio(runtime, business, clients=1)
    challenge_id = await _challenge(runtime, business.id, name="Verão")
    async with runtime.sessions.begin() as session:
        await challenges.join(session, business.id, challenge_id, studio.clients[0], True, runtime.clock.now())
    token = await as_owner(web, runtime, business)
    path = f"/admin/challenges/{challenge_id}"
    bad = await post(web, path, token, **_form(runtime, name="Verão 2", target="0"))
    assert bad.status == 400 and "Must be at least 1." in visible_text(await bad.text())
    assert (await post(web, path, token, **_form(runtime, name="Verão 2", target="20"))).status == 302
    async with runtime.sessions() as session:
        saved = await session.get(Challenge, challenge_id)
        assert (saved.name, saved.target) == ("Verão 2", 20)
    deleted = await post(web, f"{path}/delete", token)
    assert deleted.status == 302 and deleted.headers["Location"] == "/admin/challenges"
    assert await _count(runtime, Challenge) == await _count(runtime, ChallengeEntry) == 0
    assert (await web.get(path)).status == 404

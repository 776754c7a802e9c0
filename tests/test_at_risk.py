"""Churn risk in the product: the night's scoring (from 03:00, once a day), the At risk page and the client's risk."""
from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from app.history_import import import_dir
from cli.churn import train
from domain.models import ChurnScore
from tests.churn_setup import write_history
from tests.client_admin_setup import as_owner, as_trainer
from tests.support import drain
from workers import due_work

SCORING_DAY = date(2026, 6, 2)


async def _scores(runtime) -> int:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(ChurnScore)) or 0


async def _trained(runtime, business, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    write_history(tmp_path, members=160, seed=7)
    await import_dir(settings.database_url, tmp_path, business.id)
    await train(runtime.sessions, business.id, date(2026, 6, 1))


async def test_the_night_scores_each_business_once_from_three_in_the_morning(runtime, business, broker, clock, settings, tmp_path):
    await _trained(runtime, business, settings, tmp_path)
    for hour_utc, want_scored in ((5, False), (6, True), (9, True)):  # 02:00, 03:00 and 06:00 in São Paulo
        clock._now = datetime(2026, 6, 2, hour_utc, 0, tzinfo=UTC)
        await due_work.plan_due(runtime)
        await drain(broker, runtime)
        assert (await _scores(runtime) > 0) is want_scored
        if hour_utc == 6:
            after_first = await _scores(runtime)
    assert await _scores(runtime) == after_first  # the 06:00 tick found the day done
    async with runtime.sessions() as session:
        assert {d for (d,) in await session.execute(select(ChurnScore.scored_on).distinct())} == {SCORING_DAY}


async def test_the_at_risk_page_lists_members_riskiest_first_with_their_reasons(web, runtime, business, broker, clock, settings,
                                                                               tmp_path):
    await as_owner(web, runtime, business.id)
    empty = await (await web.get("/admin/at-risk")).text()
    assert "No member has been scored yet" in empty
    await _trained(runtime, business, settings, tmp_path)
    clock._now = datetime(2026, 6, 2, 7, 0, tzinfo=UTC)
    await due_work.plan_due(runtime)
    await drain(broker, runtime)
    async with runtime.sessions() as session:
        top = (await session.scalars(select(ChurnScore).order_by(ChurnScore.risk.desc()).limit(1))).one()
    page = await (await web.get("/admin/at-risk?min=0")).text()
    assert "scored 02/06/2026" in page and f'href="/admin/clients/{top.client_id}"' in page
    assert page.index(f'href="/admin/clients/{top.client_id}"') < page.index("</tbody>")
    assert all(reason.replace("'", "&#39;") in page for reason in top.reasons)
    assert "No member at or above 100%" in await (await web.get("/admin/at-risk?min=100")).text()
    client_page = await (await web.get(f"/admin/clients/{top.client_id}")).text()
    assert "Risk of leaving in 60 days" in client_page


async def test_trainers_do_not_see_the_at_risk_page(web, runtime, business):
    from tests.booking_setup import make_studio

    studio = await make_studio(runtime, business)
    await as_trainer(web, runtime, business.id, studio.ana)
    response = await web.get("/admin/at-risk", allow_redirects=False)
    assert response.status in (302, 403)

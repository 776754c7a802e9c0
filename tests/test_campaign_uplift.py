"""The campaign's measured effect: Newcombe's interval against its published example and its coverage, and a
simulated campaign of 4,000 members with a planted effect that the report must find (and a null one it must not)."""
from __future__ import annotations

import random

import pytest
from sqlalchemy import insert

from cli.campaigns import report
from domain.models import CheckIn
from domain.retention.campaigns import DAILY_CAP_MAX
from domain.retention.uplift import uplift, wilson
from tests.booking_setup import NOW, local
from tests.campaign_setup import add_clients, arms, make_campaign, start
from tests.conftest import make_settings

MEMBERS = 4000
BASE_RATE = 0.20


def test_newcombe_matches_the_published_example() -> None:
    # Newcombe (1998), Statistics in Medicine 17:873, table II, example (a): 56/70 against 48/80.
    found = uplift(56, 70, 48, 80)
    assert found is not None
    assert (round(found.difference, 4), round(found.low, 4), round(found.high, 4)) == (0.2, 0.0524, 0.3339)
    assert tuple(round(x, 4) for x in wilson(56, 70)) == (0.6918, 0.877)  # the score interval the example builds on
    assert uplift(0, 0, 3, 10) is None


def test_the_interval_covers_the_true_difference_about_95_times_in_100() -> None:
    rng = random.Random(20261204)
    trials, n, p_treated, p_holdout = 2000, 200, 0.28, 0.20
    covered = 0
    for _ in range(trials):
        t = sum(rng.random() < p_treated for _ in range(n))
        h = sum(rng.random() < p_holdout for _ in range(n))
        found = uplift(t, n, h, n)
        assert found is not None and -1 <= found.low <= found.difference <= found.high <= 1
        covered += found.contains(p_treated - p_holdout)
    assert 0.93 <= covered / trials <= 0.97


@pytest.mark.parametrize(("planted", "seed"), [(0.08, 11), (0.0, 12)], ids=["plus 8 points", "no effect"])
async def test_a_simulated_campaign_reports_the_effect_planted_in_it(runtime, business, clock, planted: float, seed: int):
    clock._now = NOW
    await add_clients(runtime, business.id, MEMBERS)
    campaign = await make_campaign(runtime, business.id, holdout_percent=50, daily_cap=DAILY_CAP_MAX, conversion_days=14)
    started = await start(runtime, business.id, campaign)
    assert started.treated + started.holdout == MEMBERS and started.holdout == MEMBERS // 2
    split = await arms(runtime, campaign)
    rng = random.Random(seed)
    visits = [{"business_id": business.id, "client_id": client_id, "method": "qr", "checked_in_at": local(23 + rng.randrange(7), 18)}
              for arm, rate in (("treated", BASE_RATE + planted), ("holdout", BASE_RATE))
              for client_id in sorted(split[arm]) if rng.random() < rate]
    async with runtime.sessions.begin() as session:
        await session.execute(insert(CheckIn), visits)
    clock._now = local(14, 12, month=12)
    _, found = await report(campaign, make_settings().database_url)
    low, high = found["ci95"]  # type: ignore[misc]
    assert found["treated"]["members"] == found["holdout"]["members"] == MEMBERS // 2  # type: ignore[index]
    assert low <= planted <= high
    assert abs(found["uplift"] - planted) < 0.03  # type: ignore[operator]
    if planted:
        assert low > 0  # the effect is found, not just allowed
    else:
        assert low < 0 < high
    assert found["method"] == "Newcombe hybrid score, 95%"

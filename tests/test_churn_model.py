"""The churn model: judged on an imported history (`fitzap churn evaluate`), trained and scored on the live
database with reasons in words, saved with skops."""
from __future__ import annotations

import json
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select

from app.history_import import import_dir
from cli.churn import evaluate, score, train
from cli.main import main
from domain.models import ChurnScore, Client
from domain.retention.features import features_on
from domain.retention.model import ChurnPredictor, fit, snapshots
from tests.churn_setup import write_history, write_labels

AS_OF = date(2026, 6, 1)


def test_evaluate_prints_the_model_against_the_days_since_visit_rule_as_its_last_line(tmp_path, capsys):
    write_history(tmp_path, members=300, seed=2)
    labels = write_labels(tmp_path, AS_OF)
    main(["churn", "evaluate", "--data", str(tmp_path), "--as-of", AS_OF.isoformat(), "--labels", str(labels)])
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {"auc", "brier", "baseline_auc", "n", "pr_auc", "top10_capture"} <= set(result)
    assert result["n"] > 100 and 0.5 < result["auc"] <= 1 and 0 <= result["brier"] < 0.25


async def test_evaluate_refuses_labels_of_nobody_active(tmp_path):
    write_history(tmp_path, members=40, seed=3)
    (tmp_path / "labels.csv").write_text("member_id,churned_within_60d\nX1,1\n", encoding="utf-8")
    try:
        await evaluate(tmp_path, AS_OF, tmp_path / "labels.csv", ZoneInfo("America/Sao_Paulo"))
    except ValueError as error:
        assert "no member in the labels file is active" in str(error)
    else:
        raise AssertionError("expected a clear refusal")


async def test_a_business_model_is_trained_scores_members_with_reasons_and_a_second_score_replaces_the_first(
        runtime, business, settings, tmp_path):
    write_history(tmp_path, members=200, seed=4)
    await import_dir(settings.database_url, tmp_path, business.id)
    trained = await train(runtime.sessions, business.id, AS_OF)
    assert trained["rows"] > 500 and trained["leavers"] > 0
    assert {"auc", "baseline_auc", "brier", "top10_capture"} <= set(trained["validation"])  # judged on the latest cutoff
    first = await score(runtime.sessions, business.id, AS_OF)
    again = await score(runtime.sessions, business.id, AS_OF)
    assert first["scored"] == again["scored"] > 50 and first["model"] == trained["version"]
    async with runtime.sessions() as session:
        rows = list(await session.scalars(select(ChurnScore).order_by(ChurnScore.risk.desc())))
        active = await session.scalar(select(Client.left_on).where(Client.id == rows[0].client_id))
    assert len(rows) == first["scored"] and all(0 <= r.risk <= 1 for r in rows)
    assert rows[0].reasons and all(isinstance(r, str) for r in rows[0].reasons)  # the riskiest member is explained
    assert active is None or active > AS_OF


async def test_a_saved_model_reads_back_with_skops_and_predicts_the_same(runtime, business, settings, tmp_path):
    write_history(tmp_path, members=120, seed=5)
    await import_dir(settings.database_url, tmp_path, business.id)
    tz = ZoneInfo(business.timezone)
    async with runtime.sessions() as session:
        predictor = fit(await snapshots(session, business.id, AS_OF, tz), AS_OF)
        members = await features_on(session, business.id, AS_OF, tz)
    loaded = ChurnPredictor.load(predictor.dump())
    assert np.allclose(loaded.risk(members), predictor.risk(members)) and loaded.trained_on == AS_OF


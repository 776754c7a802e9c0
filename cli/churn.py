"""`fitzap churn train|score|evaluate`: the churn model on this deployment's data, or judged on a history.

`evaluate --data DIR --as-of DAY --labels FILE` imports DIR into a fresh temporary SQLite store, trains on
history before DAY only, scores the members active on DAY and prints, as its last line, one JSON object
comparing the model with the days-since-last-visit rule.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import json
import sys
import tempfile
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.history_import import import_dir
from domain.errors import DomainError
from domain.models import Business, ChurnModel, Client
from domain.sql.db import create_engine, create_sessionmaker
from migrations.runner import upgrade
from runtime.settings import load_settings

# scikit-learn is imported where the model is used, not at import: every `fitzap` command builds this parser.


def add_parser(commands: argparse._SubParsersAction) -> None:
    churn = commands.add_parser("churn", help="the churn model: train, score, evaluate")
    actions = churn.add_subparsers(dest="action", required=True)
    train = actions.add_parser("train", help="train a business's model on its history (or --global over every business)")
    score = actions.add_parser("score", help="score a business's active members and keep their risk and reasons")
    for parser in (train, score):
        parser.add_argument("--business", type=int, help="the business (default: the only one)")
        parser.add_argument("--as-of", type=date.fromisoformat, help="the day (default: today)")
    train.add_argument("--global", dest="everyone", action="store_true", help="one model over every business's history")
    evaluate = actions.add_parser("evaluate", help="import a history into a temporary store, train before a day, score it")
    evaluate.add_argument("--data", type=Path, required=True, help="a folder of members.csv, checkins.csv, payments.csv, …")
    evaluate.add_argument("--as-of", type=date.fromisoformat, required=True, help="YYYY-MM-DD")
    evaluate.add_argument("--labels", type=Path, required=True, help="CSV of member_id,churned_within_60d")
    evaluate.add_argument("--timezone", default="America/Sao_Paulo", help="the gym's time zone (its check-ins are local times)")
    churn.set_defaults(run=run_churn)


def run_churn(args: argparse.Namespace) -> None:
    try:
        if args.action == "evaluate":
            result = asyncio.run(evaluate(args.data, args.as_of, args.labels, _zone(args.timezone)))
        else:
            result = asyncio.run(_on_deployment(args))
    except (ValueError, OSError, DomainError) as exc:
        print(f"fitzap churn {args.action}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    print(json.dumps(result))


async def evaluate(data: Path, as_of: date, labels_file: Path, tz: ZoneInfo) -> dict[str, object]:
    """Train before `as_of` on an imported history, score the members active then, compare with the labels."""
    from domain.retention.features import features_on
    from domain.retention.model import days_since_visit, fit, scores, snapshots

    wanted = _labels(labels_file)
    with tempfile.TemporaryDirectory(prefix="fitzap-churn-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'history.sqlite3'}"
        await asyncio.to_thread(upgrade, url)
        engine = create_engine(url)
        sessions = create_sessionmaker(engine)
        try:
            async with sessions.begin() as session:
                business = Business(name="history", phone_number_id=f"evaluate-{uuid.uuid4().hex}", timezone=tz.key,
                                    locale="pt-BR", currency="BRL", created_at=datetime.now(UTC))
                session.add(business)
                await session.flush()
                business_id = business.id
            reports = await import_dir(url, data, business_id, progress=sys.stderr.isatty())
            errors = [e for r in reports for e in r.errors]
            if errors:
                raise ValueError(f"{len(errors)} bad lines, the first: {errors[0]}")
            async with sessions() as session:
                predictor = fit(await snapshots(session, business_id, as_of, tz), as_of)
                members = await features_on(session, business_id, as_of, tz)
                external = await _external_ids(session, business_id)
        finally:
            await engine.dispose()
    scored = [(m, wanted[external[m.client_id]]) for m in members if external.get(m.client_id) in wanted]
    if not scored:
        raise ValueError("no member in the labels file is active on the as-of day")
    features = [m for m, _ in scored]
    result = scores([y for _, y in scored], predictor.risk(features), days_since_visit(features))
    return {**result, "as_of": as_of.isoformat(), "training_rows": predictor.rows,
            "unmatched_labels": len(wanted) - len(scored)}


async def _on_deployment(args: argparse.Namespace) -> dict[str, object]:
    settings = load_settings()
    engine = create_engine(settings.database_url)
    sessions = create_sessionmaker(engine)
    try:
        if args.action == "train":
            return await train(sessions, args.business, args.as_of, everyone=args.everyone)
        return await score(sessions, args.business, args.as_of)
    finally:
        await engine.dispose()


async def train(sessions: async_sessionmaker[AsyncSession], business_id: int | None, as_of: date | None, *,
                everyone: bool = False) -> dict[str, object]:
    """Fit on the business's history (or every business's), judge it on the latest cutoff, keep it as a new version."""
    from domain.retention.model import Snapshot, fit, snapshots, validate

    async with sessions() as session:
        businesses = list(await session.scalars(select(Business))) if everyone else [await _business(session, business_id)]
        day = as_of or datetime.now(UTC).date()
        snapshot = Snapshot()
        for business in businesses:
            snapshot.extend(await snapshots(session, business.id, day, ZoneInfo(business.timezone)))
    if len(set(snapshot.labels)) < 2:
        raise ValueError("not enough history to learn from: members who stayed and members who left are both needed")
    checked = validate(snapshot)
    predictor = fit(snapshot, day)
    owner = None if everyone else businesses[0].id
    version = f"{owner or 'global'}-{day.isoformat()}-{uuid.uuid4().hex[:8]}"
    metrics = {"rows": predictor.rows, "leavers": sum(snapshot.labels), "validation": checked}
    async with sessions.begin() as session:
        session.add(ChurnModel(business_id=owner, version=version, trained_on=day, blob=predictor.dump(), metrics=metrics,
                               trained_at=datetime.now(UTC)))
    return {"version": version, **metrics}


async def score(sessions: async_sessionmaker[AsyncSession], business_id: int | None, as_of: date | None) -> dict[str, object]:
    from domain.retention import churn_scores

    async with sessions.begin() as session:
        business = await _business(session, business_id)
        day = as_of or datetime.now(ZoneInfo(business.timezone)).date()
        stored = await churn_scores.score_business(session, business, day, datetime.now(UTC))
    return {"business": business.id, "scored_on": day.isoformat(), **stored}


async def _business(session: AsyncSession, business_id: int | None) -> Business:
    if business_id is not None:
        found = await session.get(Business, business_id)
        if found is None:
            raise ValueError(f"no business with id {business_id}")
        return found
    found_all = list(await session.scalars(select(Business).limit(2)))
    if len(found_all) != 1:
        raise ValueError("say which business with --business ID")
    return found_all[0]


async def _external_ids(session: AsyncSession, business_id: int) -> dict[int, str]:
    rows = await session.execute(select(Client.id, Client.external_id).where(Client.business_id == business_id))
    return {cid: ext for cid, ext in rows if ext is not None}


def _labels(path: Path) -> dict[str, int]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = csv.DictReader(handle)
        if not {"member_id", "churned_within_60d"} <= set(rows.fieldnames or []):
            raise ValueError(f"{path}: the header must have member_id,churned_within_60d")
        out = {}
        for number, row in enumerate(rows, start=2):
            value = (row["churned_within_60d"] or "").strip()
            if value not in ("0", "1"):
                raise ValueError(f"{path}:{number}: churned_within_60d must be 0 or 1, not {value!r}")
            out[row["member_id"].strip()] = int(value)
    return out


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


"""`fitzap campaigns report ID`: a campaign's treated against holdout conversion and its uplift, as the panel
shows them: a readable block, then one JSON line."""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from domain.errors import NotFound
from domain.sql.types import MAX_BIG_ID

if TYPE_CHECKING:
    from domain.retention.campaign_report import CampaignReport

# The database and the report are imported when the command runs: every `fitzap` command builds this parser.


def add_parser(commands: argparse._SubParsersAction) -> None:
    campaigns = commands.add_parser("campaigns", help="win-back campaigns: their measured effect")
    actions = campaigns.add_subparsers(dest="action", required=True)
    report = actions.add_parser("report", help="treated against holdout conversion, the uplift and its 95%% interval")
    report.add_argument("campaign", type=int, metavar="ID")
    campaigns.set_defaults(run=run_campaigns)


def run_campaigns(args: argparse.Namespace) -> None:
    try:
        text, result = asyncio.run(report(args.campaign))
    except (NotFound, ValueError) as exc:
        print(f"fitzap campaigns {args.action}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    print(text)
    print(json.dumps(result))


async def report(campaign_id: int, database_url: str | None = None) -> tuple[str, dict[str, object]]:
    from domain.models import Campaign
    from domain.retention.campaign_report import campaign_report
    from domain.sql.db import create_engine, create_sessionmaker
    from runtime.settings import load_settings

    engine = create_engine(database_url or load_settings().database_url)
    try:
        async with create_sessionmaker(engine).begin() as session:
            campaign = await session.get(Campaign, campaign_id) if 0 < campaign_id <= MAX_BIG_ID else None
            if campaign is None:
                raise NotFound(f"no campaign with id {campaign_id}")
            found = await campaign_report(session, campaign.business_id, campaign_id, datetime.now(UTC))
    finally:
        await engine.dispose()
    return describe(found), found.as_json()


def describe(found: CampaignReport) -> str:
    """The report in lines a person reads."""
    c, e = found.campaign, found.effect
    lines = [f"Campaign {c.id}: {c.name} ({c.status})"]
    if c.started_at is None:
        return "\n".join([*lines, "Not started: nobody chosen yet."])
    lines.append(f"Started {c.started_at:%Y-%m-%d %H:%M} UTC; conversions count until {found.measuring_until:%Y-%m-%d %H:%M} UTC")
    for label, arm in (("Messaged", found.treated), ("Holdout ", found.holdout)):
        rate = "—" if arm.rate is None else f"{arm.rate * 100:.1f}%"
        lines.append(f"{label}  {arm.converted:>6} of {arm.members:<6} came back  {rate}")
    if e is None:
        lines.append("Uplift: none yet (both arms need members)")
    else:
        lines.append(f"Uplift: {e.difference * 100:+.1f} points, 95% interval {e.low * 100:+.1f} to {e.high * 100:+.1f} ({e.method})")
    skipped = ", ".join(f"{n} {why}" for why, n in found.skipped.items())
    lines.append(f"Sent {found.sent}, waiting {found.waiting}" + (f", skipped: {skipped}" if skipped else ""))
    lines.append(f"Members it kept: {found.treated.converted}")
    return "\n".join(lines)

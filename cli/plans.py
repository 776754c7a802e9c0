"""`fitzap set-plan`: an operator puts a studio on a plan by hand (a deal invoiced outside Stripe, a courtesy)."""
from __future__ import annotations

import argparse
import asyncio
import sys

from app.bootstrap import bootstrap
from domain.models import Business
from domain.platform.plans import PLAN_NAMES
from runtime.settings import Settings, load_settings
from runtime.token_stamp import tokens_changed


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("set-plan", help="put a business on a plan (free, starter, pro, enterprise)")
    parser.add_argument("--business-id", type=int, required=True)
    parser.add_argument("plan", choices=PLAN_NAMES)
    parser.set_defaults(run=run_set_plan)


def run_set_plan(args: argparse.Namespace) -> None:
    name = asyncio.run(_set(load_settings(), args.business_id, args.plan))
    if name is None:
        print(f"fitzap: no business with id {args.business_id}", file=sys.stderr)
        raise SystemExit(1)
    print(f"{name} (business {args.business_id}) is on the {args.plan} plan")


async def _set(settings: Settings, business_id: int, plan: str) -> str | None:
    app = bootstrap(settings)
    runtime = await app.runtime()
    try:
        async with runtime.sessions.begin() as session:
            business = await session.get(Business, business_id)
            if business is None:
                return None
            if business.plan_subscription_id is not None:
                print("fitzap: note: the business pays a Stripe subscription; its next event may change the plan again",
                      file=sys.stderr)
            business.plan, business.plan_status = plan, "active"
            name = business.name
        await tokens_changed(runtime.redis)  # API processes read the plan again
        return name
    finally:
        await app.close()

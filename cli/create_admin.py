"""`fitzap create-admin`: the first owner of a business (or any later panel user)."""
from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.bootstrap import bootstrap
from domain.errors import DomainError
from domain.models import Business
from domain.people.admin_users import create_user
from runtime.settings import Settings, load_settings

PASSWORD_ENV = "FITZAP_ADMIN_PASSWORD"


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register the command and its options."""
    parser = commands.add_parser("create-admin", help="create a panel login (the first owner of a business)")
    parser.add_argument("--email", required=True)
    parser.add_argument("--name", default="")
    parser.add_argument("--role", choices=["owner", "trainer"], default="owner")
    parser.add_argument("--business-id", type=int, help="the business to join (default: the only one)")
    parser.add_argument("--new-business", metavar="NAME", help="create this business first")
    parser.add_argument("--phone-number-id", help="WhatsApp phone number id of the new business")
    parser.add_argument("--timezone", default="America/Sao_Paulo")
    parser.add_argument("--locale", choices=["pt-BR", "en"], default="pt-BR")
    parser.set_defaults(run=run_create_admin)


def run_create_admin(args: argparse.Namespace) -> None:
    """Read the password (env or prompt), then create the user; one clear line on any refusal."""
    settings = load_settings()
    password = os.environ.get(PASSWORD_ENV) or _prompt_password()
    try:
        user_id, business_id = asyncio.run(_create(settings, args, password))
    except DomainError as exc:
        print(f"fitzap: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    print(f"created {args.role} {args.email.strip().lower()} (user {user_id}) for business {business_id}")


async def _create(settings: Settings, args: argparse.Namespace, password: str) -> tuple[int, int]:
    app = bootstrap(settings)
    runtime = await app.runtime()
    try:
        async with runtime.sessions.begin() as session:
            business_id = await _business_id(session, args, runtime.clock.now())
            user = await create_user(session, business_id, args.email, args.name, password, args.role, runtime.clock.now())
            return user.id, business_id
    finally:
        await app.close()


async def _business_id(session: AsyncSession, args: argparse.Namespace, now: datetime) -> int:
    if args.new_business:
        if not args.phone_number_id:
            raise DomainError("--new-business needs --phone-number-id (the WhatsApp number's id in Meta's dashboard)")
        business = Business(name=args.new_business, phone_number_id=args.phone_number_id, timezone=args.timezone,
                            locale=args.locale, currency="BRL" if args.locale == "pt-BR" else "USD", created_at=now)
        session.add(business)
        await session.flush()
        return business.id
    ids = (await session.scalars(select(Business.id).order_by(Business.id))).all()
    if args.business_id is not None:
        if args.business_id not in ids:
            raise DomainError(f"no business with id {args.business_id}")
        return args.business_id
    if len(ids) != 1:
        raise DomainError("say which business: --business-id N, or --new-business NAME --phone-number-id ID")
    return ids[0]


def _prompt_password() -> str:
    if not sys.stdin.isatty():
        raise SystemExit(f"fitzap: set {PASSWORD_ENV} or run create-admin in a terminal to type the password")
    first = getpass.getpass("Password (10+ characters): ")
    if first != getpass.getpass("Again: "):
        raise SystemExit("fitzap: the passwords differ")
    return first

"""`fitzap demo`: everything in one process on SQLite, with the sandbox channel and a stub broker."""
from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import secrets
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

from aiohttp import web
from dramatiq import Worker
from sqlalchemy.ext.asyncio import AsyncSession

from app.bootstrap import bootstrap
from app.web import create_web_app
from conversations.automations.weekly_summary import WEEKLY_TEMPLATE as DEMO_MISSING_TEMPLATE
from conversations.template_catalogue import needed_templates
from domain.demo_seed import reset_demo_logins, seed_demo
from domain.messaging.message_templates import save_template, templates_of
from domain.models import Business
from migrations.runner import upgrade
from runtime.settings import DEMO_PHONE_NUMBER_ID, Settings, demo_settings
from workers.scheduler import start_scheduler


def run_demo(host: str, port: int, data_dir: Path) -> None:
    """Migrate and seed the SQLite file, start the in-process worker, serve until Ctrl-C."""
    # Owner-only: the database holds password hashes and every client's chat.
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    settings = demo_settings(data_dir, PUBLIC_URL=base_url(host, port))
    phone_number_id = os.environ.get("DEMO_PHONE_NUMBER_ID") or DEMO_PHONE_NUMBER_ID
    quieted = _quiet(START_LOGGERS)  # the banner first: migrations and start-up say their lines only when they fail
    upgrade(settings.database_url)
    (data_dir / "fitzap.sqlite3").chmod(0o600)

    app = bootstrap(settings)
    worker = Worker(app.broker, worker_threads=4, worker_timeout=100)
    web_app = create_web_app(app, loopback_only=is_loopback(host))

    # A fresh password every start, one per login, printed below: nothing to leak from the repo or an old terminal,
    # and the trainer's cannot open the owner's panel.
    passwords = {"owner": os.environ.get("DEMO_ADMIN_PASSWORD") or secrets.token_urlsafe(12),
                 "trainer": os.environ.get("DEMO_TRAINER_PASSWORD") or secrets.token_urlsafe(12)}

    async def demo_ctx(_web_app: web.Application) -> AsyncIterator[None]:
        runtime = await app.runtime()
        async with runtime.sessions.begin() as session:
            business = await seed_demo(session, phone_number_id, runtime.clock.now())
            await approve_demo_templates(session, business, runtime.clock.now())
            logins = await reset_demo_logins(session, business, passwords, runtime.clock.now())
        worker.start()
        scheduler = start_scheduler(runtime.wake)
        print_banner(settings, host, port, business.name, phone_number_id, data_dir, logins)
        _restore(quieted)
        yield
        scheduler.shutdown(wait=False)
        await asyncio.to_thread(worker.stop)
        await app.close()

    web_app.cleanup_ctx.append(demo_ctx)
    web.run_app(web_app, host=host, port=port, print=None)


async def approve_demo_templates(session: AsyncSession, business: Business, now: datetime) -> None:
    """The demo studio's templates as if Meta had approved them (the sandbox "sends" them), all but the weekly
    summary: the dashboard then shows how a missing one is reported, in one line."""
    if await templates_of(session, business.id):
        return  # a restart keeps what the owner changed
    for needed in needed_templates(business.reminder_template):
        if needed.name == DEMO_MISSING_TEMPLATE:
            continue
        for language in ("pt_BR", "en"):
            await save_template(session, business.id, now, name=needed.name, language=language, purpose=needed.purpose,
                                variables=needed.variables)


START_LOGGERS = ("alembic", "apscheduler", "dramatiq")


def _quiet(names: tuple[str, ...]) -> dict[str, int]:
    """Raise these loggers to WARNING; returns their levels to restore."""
    levels = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.WARNING)
    return levels


def _restore(levels: dict[str, int]) -> None:
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def is_loopback(host: str) -> bool:
    """Whether `--host` keeps the demo on this machine: a loopback address or `localhost`."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url(host: str, port: int) -> str:
    """The demo's own address, as links in its chat and banner give it."""
    return f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"


def print_banner(settings: Settings, host: str, port: int, business: str, phone_number_id: str, data_dir: Path,
                 logins: list[tuple[str, str, str]]) -> None:
    base = base_url(host, port)
    secret_note = "from WHATSAPP_APP_SECRET" if os.environ.get("WHATSAPP_APP_SECRET") else "demo default"
    print(
        "\n".join([
            "FitZap demo is running (SQLite, in-process worker, sandbox WhatsApp, sandbox payments).",
            f"  Admin panel:                  {base}/admin/",
            *(f"    login ({role}): {email}  password: {password}" for email, role, password in logins),
            f"  Sign up a new studio:         {base}/signup  (confirmation emails: the sent-emails page below)",
            f"  Simulator (chat as a client): {base}/simulator",
            f"  WhatsApp webhook:             {base}/webhooks/whatsapp",
            f"  Sandbox outbox (JSON):        {base}/sandbox/messages?to=5511999990000",
            f"  Emails it would have sent:    {base}/sandbox/emails",
            f"  Health / readiness / metrics: {base}/healthz  {base}/readyz  {base}/metrics",
            f"  Demo business: {business} (Pro plan; phone_number_id {phone_number_id}, app secret {secret_note})",
            f"  Data: {data_dir.resolve()}",
            *_exposure_warning(host),
            "Press Ctrl-C to stop.",
        ]),
        flush=True,
    )


def _exposure_warning(host: str) -> list[str]:
    if is_loopback(host):
        return []
    return [f"WARNING: listening on {host}, so this demo is reachable beyond this machine: the simulator and the sandbox",
            "  outbox need a panel login, /metrics METRICS_TOKEN or METRICS_PUBLIC=true. Use --host 127.0.0.1 to keep it local."]

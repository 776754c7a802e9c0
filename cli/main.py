"""The `fitzap` command: demo, serve, worker, scheduler, create-admin, migrate, bench."""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import sys
from pathlib import Path

from runtime.settings import ConfigError, Settings, load_log_level, load_production_settings, load_settings

log = logging.getLogger("fitzap")
# What a worker process gives the messages in flight when told to stop, before it stops anyway
# (Dramatiq waits ten minutes by default; systemd kills after 90 s).
WORKER_SHUTDOWN_TIMEOUT_MS = 30_000


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and run the chosen command."""
    args = _parser().parse_args(argv)
    try:
        args.run(args)
    except ConfigError as exc:
        print(f"fitzap: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except OSError as exc:  # a port already taken, a data dir that cannot be made: the system's words, one line
        print(f"fitzap: {exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}", file=sys.stderr)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fitzap", description="FitZap: the WhatsApp front desk for fitness businesses.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="run everything locally: SQLite, sandbox WhatsApp, in-process worker")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8080)
    demo.add_argument("--data-dir", type=Path, default=Path(".fitzap-demo"))
    demo.set_defaults(run=_demo)

    serve = commands.add_parser("serve", help="production web process: webhooks, health, (admin)")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, help="default: PORT, or 8080")
    serve.add_argument("--processes", type=int, default=1, help="web processes on the one address (default 1; about one per core)")
    serve.set_defaults(run=_serve)

    worker = commands.add_parser("worker", help="production Dramatiq worker on Redis")
    worker.add_argument("--processes", type=int, default=2)
    worker.add_argument("--threads", type=int, default=8)
    worker.set_defaults(run=_worker)

    scheduler = commands.add_parser("scheduler", help="production scheduler (one per deployment)")
    scheduler.set_defaults(run=_scheduler)

    from cli.create_admin import add_parser as add_create_admin

    add_create_admin(commands)

    from cli.plans import add_parser as add_set_plan

    add_set_plan(commands)

    from cli.history_import import add_parser as add_import

    add_import(commands)

    from cli.churn import add_parser as add_churn

    add_churn(commands)

    from cli.campaigns import add_parser as add_campaigns

    add_campaigns(commands)

    migrate = commands.add_parser("migrate", help="upgrade the database to the latest schema")
    migrate.add_argument("--revision", default="head")
    migrate.set_defaults(run=_migrate)

    bench = commands.add_parser("bench", help="benchmarks that print figures")
    bench.add_argument("which", choices=["ingest", "turns", "availability", "engine", "admin", "reminders", "soak", "churn", "api"])
    bench.add_argument("--requests", "-n", type=int, default=None,
                       help="requests, turns, (reminders) appointments or (churn) members; each bench has its own default")
    bench.add_argument("--concurrency", "-c", type=int, default=None)
    bench.add_argument("--seconds", type=int, default=None, help="soak: how long (default 600); api: default 15")
    bench.add_argument("--rate", type=int, default=None, help="soak: messages a second (default 300); api: requests a second (default 200)")
    bench.add_argument("--rescore", action="store_true", help="churn: score again the database the last run left")
    bench.add_argument("--processes", type=int, default=None, help="api: `fitzap serve` processes (default 2)")
    bench.set_defaults(run=_bench)
    nlu = commands.add_parser("nlu", help="what the bot understands from a message: intent and date/time as JSON")
    nlu.add_argument("text", nargs="?", help='a client message, e.g. "amanhã às 7"; "train" rebuilds the intent model from its corpus')
    nlu.add_argument("--jsonl", type=Path, help='lines of {"text", "locale", "now", "tz"}; one JSON answer per line')
    nlu.add_argument("--score", type=Path, help="labelled JSONL (+ intent, datetime): print the accuracies")
    nlu.add_argument("--locale", default="pt-BR")
    nlu.add_argument("--tz", default="America/Sao_Paulo")
    nlu.add_argument("--now", help="local ISO time, e.g. 2026-11-23T10:00:00 (default: now)")
    nlu.set_defaults(run=_nlu)
    nlu_score = commands.add_parser("nlu-score", help="intent and datetime accuracy on a labelled JSONL file")
    nlu_score.add_argument("file", type=Path)
    nlu_score.set_defaults(run=_nlu_score)
    log_score = commands.add_parser("log-score", help="how many labelled workout-log lines the chat reads exactly right")
    log_score.add_argument("file", type=Path, help='JSONL of {"text", "locale", "entries": [...]}')
    log_score.add_argument("--misses", action="store_true", help="print each line read wrong to stderr")
    log_score.set_defaults(run=_log_score)
    return parser


def _configure(settings: Settings | None = None) -> None:
    from app.logs import configure_logging

    configure_logging(settings.log_level if settings else load_log_level())


def _demo(args: argparse.Namespace) -> None:
    from app.demo import run_demo

    _configure()
    run_demo(args.host, args.port, args.data_dir)


def _serve(args: argparse.Namespace) -> None:
    settings = load_production_settings()
    _configure(settings)
    port = settings.port if args.port is None else args.port
    if args.processes < 1:
        raise ConfigError("--processes must be at least 1")
    if args.processes == 1:
        _serve_app(settings, args.host, port)
        return
    import app.web  # noqa: F401 - loaded before the fork: the children share its pages of memory
    from cli.serve_processes import run_processes

    raise SystemExit(run_processes(args.processes, args.host, port, lambda sock: _serve_app(settings, args.host, port, sock)))


def _serve_app(settings: Settings, host: str, port: int, sock: socket.socket | None = None) -> None:
    """One web process: on host:port, or on `sock` (one of `--processes`)."""
    import uvloop
    from aiohttp import web

    from app.bootstrap import bootstrap
    from app.heap import freeze_startup_heap
    from app.web import create_web_app

    app = bootstrap(settings)
    web_app = create_web_app(app)
    port = sock.getsockname()[1] if sock is not None else port

    async def freeze(_web_app: web.Application) -> None:  # after the runtime context: its pools are long-lived too
        freeze_startup_heap()
        log.info("fitzap serve listening on %s:%s", host, port)

    async def close(_web_app: web.Application) -> None:
        await app.close()

    async def stopping(_web_app: web.Application) -> None:
        log.info("fitzap serve stopping: finishing requests in flight")

    web_app.on_startup.append(freeze)
    web_app.on_shutdown.append(stopping)
    web_app.on_cleanup.append(close)
    # uvloop: the web process spends much of its CPU in the event loop and socket writes, which it does in C.
    if sock is None:
        web.run_app(web_app, host=host, port=port, print=None, loop=uvloop.new_event_loop())
        return
    from cli.serve_processes import stop_once

    stop_once(web_app)
    web.run_app(web_app, sock=sock, print=None, handle_signals=False, loop=uvloop.new_event_loop())


def _worker(args: argparse.Namespace) -> None:
    from dramatiq.cli import main as dramatiq_main

    load_production_settings()  # fail here, with one line, rather than inside every worker process
    _configure()
    # An idle Dramatiq consumer polls Redis with a backoff capped at this many ms (default 1,000);
    # a chat reply should not wait a second for it.
    os.environ.setdefault("dramatiq_worker_timeout", "50")
    sys.argv = ["dramatiq", "app.worker:setup", "--processes", str(args.processes), "--threads", str(args.threads),
                "--worker-shutdown-timeout", str(WORKER_SHUTDOWN_TIMEOUT_MS)]
    raise SystemExit(dramatiq_main())


def _scheduler(_args: argparse.Namespace) -> None:
    from app.bootstrap import bootstrap
    from workers.scheduler import run_scheduler

    settings = load_production_settings()
    _configure(settings)
    app = bootstrap(settings)

    async def run() -> None:
        try:
            await run_scheduler((await app.runtime()).wake)
        finally:
            await app.close()

    asyncio.run(run())


def _migrate(args: argparse.Namespace) -> None:
    from migrations.runner import upgrade

    settings = load_settings()
    _configure(settings)
    upgrade(settings.database_url, args.revision)
    print(f"database upgraded to {args.revision}")


def _nlu(args: argparse.Namespace) -> None:
    from cli.nlu import run_nlu

    run_nlu(args)


def _log_score(args: argparse.Namespace) -> None:
    from cli.log_score import run_log_score

    run_log_score(args)


def _nlu_score(args: argparse.Namespace) -> None:
    from cli.nlu import run_nlu_score

    run_nlu_score(args)


def _bench(args: argparse.Namespace) -> None:
    _configure()
    if args.which == "availability":
        from bench.availability_db import run_availability_bench

        run_availability_bench()
        return
    if args.which == "api":
        from bench.api_load import run_api_bench

        run_api_bench(args.rate, args.seconds, args.processes)
        return
    if args.which == "admin":
        from bench.admin_pages import run_admin_bench

        run_admin_bench()
        return
    if args.which == "reminders":
        from bench.reminders_bench import run_reminders_bench

        run_reminders_bench(args.requests or 100_000)
        return
    if args.which == "soak":
        from bench.soak import run_soak

        run_soak(args.seconds, args.rate)
        return
    if args.which == "engine":
        from bench.engine_turn import run_engine_bench

        run_engine_bench()
        return
    if args.which == "churn":
        from bench.churn_bench import run_churn_bench

        run_churn_bench(args.requests or 180_000, rescore=args.rescore)
        return
    from bench.run import run_bench

    run_bench(args.which, requests=args.requests, concurrency=args.concurrency)

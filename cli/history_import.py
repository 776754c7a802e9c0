"""`fitzap import DIR`: a gym's history from its previous system (app.history_import does the work)."""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from app.history_import import import_dir
from runtime.settings import load_settings

MAX_ERRORS_SHOWN = 20


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("import", help="import a gym's history (members, check-ins, payments, plan ends) from CSV files")
    parser.add_argument("dir", type=Path, help="a folder with members.csv, checkins.csv, payments.csv, memberships_ended.csv")
    parser.add_argument("--business", type=int, help="the business to import into (default: the only one)")
    parser.set_defaults(run=run_import)


def run_import(args: argparse.Namespace) -> None:
    settings = load_settings()
    try:
        reports = asyncio.run(import_dir(settings.database_url, args.dir, args.business, progress=sys.stderr.isatty()))
    except (ValueError, OSError) as exc:
        print(f"fitzap import: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    for report in reports:
        print(f"{report.name}: {report.lines} lines, {'not imported' if report.errors else f'{report.stored} stored'}")
        for error in report.errors[:MAX_ERRORS_SHOWN]:
            print(f"  {error}", file=sys.stderr)
        if len(report.errors) > MAX_ERRORS_SHOWN:
            print(f"  … and {len(report.errors) - MAX_ERRORS_SHOWN} more errors in {report.name}", file=sys.stderr)
    if any(r.errors for r in reports):
        raise SystemExit(1)



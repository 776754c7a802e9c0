"""Importing a gym's history from its previous system (members, check-ins, payments, plan ends) from CSV files.

Each file is read once, in one transaction: every line is checked (all of a file's errors are reported, with
file, line, column and what is wrong) while the good ones are stored; any bad line rolls the file back, so a
file is imported whole or not at all. Re-importing the same files changes nothing.
"""
from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from tqdm import tqdm

from domain.models import Business
from domain.people.phones import parse_typed_phone, region_of
from domain.retention import history_import as store
from domain.sql.db import create_engine, create_sessionmaker

FILES = {
    "members.csv": ("member_id", "name", "phone", "joined_on", "plan", "price"),
    "checkins.csv": ("member_id", "checked_in_at", "duration_min"),
    "payments.csv": ("member_id", "paid_on", "amount", "status"),
    "memberships_ended.csv": ("member_id", "ended_on"),
}


class LineError(ValueError):
    """What is wrong with one column of a line."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


@dataclass(frozen=True)
class FileReport:
    name: str
    lines: int
    stored: int
    errors: list[str]


async def import_dir(database_url: str, folder: Path, business_id: int | None, *, progress: bool = False) -> list[FileReport]:
    """Import whichever of the four files the folder has, members first; one report per file."""
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder")
    present = [name for name in FILES if (folder / name).is_file()]
    if not present:
        raise ValueError(f"{folder} has none of {', '.join(FILES)}")
    engine = create_engine(database_url)
    sessions = create_sessionmaker(engine)
    try:
        async with sessions() as session:
            business = await _business(session, business_id)
        reader = Reader(ZoneInfo(business.timezone), region_of(business.locale), progress)
        reports = []
        for name in present:
            reports.append(await _import_file(sessions, business.id, folder / name, reader))
        return reports
    finally:
        await engine.dispose()


async def _business(session: AsyncSession, business_id: int | None) -> Business:
    if business_id is not None:
        found = await session.get(Business, business_id)
        if found is None:
            raise ValueError(f"no business with id {business_id}")
        return found
    businesses = list(await session.scalars(select(Business).order_by(Business.id).limit(2)))
    if len(businesses) != 1:
        raise ValueError("there are several businesses (or none): say which with --business ID")
    return businesses[0]


async def _import_file(sessions: Any, business_id: int, path: Path, reader: Reader) -> FileReport:
    """One pass: good lines stream into the database while every line is checked; a bad line rolls the
    whole file back (its transaction), so it is stored whole or not at all."""
    errors: list[str] = []
    lines = 0

    def good(parse: Callable[[dict[str, str]], Any]) -> Iterator[Any]:
        nonlocal lines
        for _, result in reader.rows(path, parse, "importing"):
            lines += 1
            if isinstance(result, str):
                errors.append(result)
            elif not errors:  # after the first bad line the rest is only checked
                yield result

    try:
        async with sessions.begin() as session:
            known = await store.member_ids(session, business_id)
            rows = good(reader.parser(path.name, known))
            if path.name == "members.csv":
                stored = await store.store_members(session, business_id, _unique_members(rows), datetime.now(reader.tz))
            elif path.name == "checkins.csv":
                stored = await store.store_visits(session, business_id, rows, known)
            elif path.name == "payments.csv":
                stored = await store.store_payments(session, business_id, rows, known)
            else:
                stored = await store.store_plan_ends(session, rows, known)
            if errors:
                raise _Rejected
    except _Rejected:
        return FileReport(path.name, lines, 0, errors)
    return FileReport(path.name, lines, stored, [])


class _Rejected(Exception):
    """A file had bad lines: its transaction rolls back."""


def _unique_members(rows: Iterator[Any]) -> list[store.Member]:
    """The last line of a member id wins (an export may list a member twice)."""
    return list({m.member_id: m for m in rows}.values())


@dataclass
class Reader:
    """Reads one file's lines into domain rows, or error lines ("checkins.csv:12: checked_in_at: …")."""

    tz: ZoneInfo
    region: str | None
    progress: bool

    def rows(self, path: Path, parse: Callable[[dict[str, str]], Any], what: str) -> Iterator[tuple[int, Any]]:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            lines = csv.DictReader(handle)
            missing = [c for c in FILES[path.name] if c not in (lines.fieldnames or [])]
            if missing:
                yield 1, f"{path.name}:1: the header lacks {', '.join(missing)}"
                return
            bar = tqdm(lines, desc=f"{what} {path.name}", unit=" lines", disable=not self.progress, leave=False)
            for number, line in enumerate(bar, start=2):
                try:
                    yield number, parse(line)
                except LineError as error:
                    yield number, f"{path.name}:{number}: {error.column}: {error}"

    def parser(self, name: str, known: dict[str, int]) -> Callable[[dict[str, str]], Any]:
        def member(line: dict[str, str]) -> store.Member:
            return store.Member(_text(line, "member_id", 64, required=True), _text(line, "name", 120) or None,
                                self._phone(line), _date(line, "joined_on"), _text(line, "plan", 120) or None,
                                _cents(line, "price", required=False))

        def member_id(line: dict[str, str]) -> str:
            found = _text(line, "member_id", 64, required=True)
            if found not in known:
                raise LineError("member_id", f"no member {found!r} (import members.csv first)")
            return found

        def visit(line: dict[str, str]) -> store.Visit:
            minutes = _int(line, "duration_min", 0, 24 * 60) if (line.get("duration_min") or "").strip() else None
            return store.Visit(member_id(line), self._moment(line, "checked_in_at"), minutes)

        def payment(line: dict[str, str]) -> store.Payment:
            status = (line.get("status") or "").strip().lower()
            if status not in ("paid", "failed"):
                raise LineError("status", f"{status!r} is not paid or failed")
            return store.Payment(member_id(line), _date(line, "paid_on"), _cents(line, "amount", required=True) or 0, status)

        def ended(line: dict[str, str]) -> tuple[str, date]:
            return member_id(line), _date(line, "ended_on")

        return {"members.csv": member, "checkins.csv": visit, "payments.csv": payment,
                "memberships_ended.csv": ended}[name]

    def _phone(self, line: dict[str, str]) -> str | None:
        raw = (line.get("phone") or "").strip()
        if not raw:
            return None
        try:
            return parse_typed_phone(raw, self.region)
        except ValueError as exc:
            raise LineError("phone", str(exc)) from None

    def _moment(self, line: dict[str, str], column: str) -> datetime:
        raw = (line.get(column) or "").strip()
        try:  # fromisoformat is many times faster than strptime, and check-in files run to millions of lines
            if len(raw) != 16 or raw[10] != "T":
                raise ValueError(raw)
            return datetime.fromisoformat(raw).replace(tzinfo=self.tz)
        except ValueError:
            raise LineError(column, f"{raw!r} is not a local time like 2026-03-01T18:30") from None


def _text(line: dict[str, str], column: str, limit: int, *, required: bool = False) -> str:
    value = (line.get(column) or "").strip()
    if required and not value:
        raise LineError(column, "is empty")
    if len(value) > limit or "\x00" in value:
        raise LineError(column, f"is longer than {limit} characters" if len(value) > limit else "holds a NUL character")
    return value


def _date(line: dict[str, str], column: str) -> date:
    raw = (line.get(column) or "").strip()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise LineError(column, f"{raw!r} is not a date like 2026-03-01") from None


def _int(line: dict[str, str], column: str, low: int, high: int) -> int:
    raw = (line.get(column) or "").strip()
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise LineError(column, f"{raw!r} is not a whole number from {low} to {high}")
    return int(raw)


def _cents(line: dict[str, str], column: str, *, required: bool) -> int | None:
    """ "149.90", "149,90", "1.299,00" or "1,299.00" → cents."""
    raw = (line.get(column) or "").strip()
    if "," in raw and "." in raw:  # the last mark is the decimal one, the other groups thousands
        decimal_mark = "," if raw.rfind(",") > raw.rfind(".") else "."
        raw = raw.replace("." if decimal_mark == "," else ",", "")
    raw = raw.replace(",", ".")
    if not raw and not required:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise LineError(column, f"{raw!r} is not an amount like 149.90") from None
    if not value.is_finite() or not 0 <= value <= 1_000_000:
        raise LineError(column, f"{raw!r} is not an amount from 0 to 1,000,000")
    return int(value * 100)

"""Free slots: weekly rules minus busy intervals, swept in memory (no query per slot).

Pure: callers load rules and busy intervals with a few indexed queries (domain.calendar_data).
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class WeeklyRule:
    """The trainer works on `weekday` (0 = Monday) from `start` to `end`, local wall-clock time."""

    weekday: int
    start: time
    end: time
    valid_from: date | None = None
    valid_until: date | None = None

    def applies(self, day: date) -> bool:
        return (day.weekday() == self.weekday and (self.valid_from is None or self.valid_from <= day)
                and (self.valid_until is None or day <= self.valid_until))


@dataclass(frozen=True)
class Busy:
    """A UTC interval [start, end) the trainer cannot be booked in."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class SlotRequest:
    tz: str
    duration: timedelta
    buffer_before: timedelta
    buffer_after: timedelta
    step: timedelta
    window_start: date
    days: int
    now: datetime
    min_notice: timedelta
    max_horizon: timedelta


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime


def merge_busy(busy: Iterable[Busy]) -> list[Busy]:
    """Sorted, with overlapping or touching intervals merged."""
    merged: list[Busy] = []
    for item in sorted(busy, key=lambda b: b.start):
        if merged and item.start <= merged[-1].end:
            if item.end > merged[-1].end:
                merged[-1] = Busy(merged[-1].start, item.end)
        else:
            merged.append(item)
    return merged


def local_day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """The UTC instants of local midnight at the start of `day` and of the next day."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), zone).astimezone(timezone.utc)
    end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(timezone.utc)
    return start, end


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of a local wall-clock time; None when the time does not exist (spring forward)."""
    local = datetime.combine(day, at, zone)
    utc = local.astimezone(timezone.utc)
    if utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return utc


def free_slots(rules: Sequence[WeeklyRule], busy: Sequence[Busy], req: SlotRequest) -> list[Slot]:
    """Every bookable start in the window, sorted, each once."""
    zone = ZoneInfo(req.tz)
    blocks = merge_busy(busy)
    block_starts = [b.start for b in blocks]
    earliest, latest = req.now + req.min_notice, req.now + req.max_horizon
    found: set[datetime] = set()
    for offset in range(req.days):
        day = req.window_start + timedelta(days=offset)
        for rule in (r for r in rules if r.applies(day)):
            for start in _starts(day, rule, req, zone):
                if earliest <= start <= latest and _is_free(start - req.buffer_before,
                                                            start + req.duration + req.buffer_after, blocks, block_starts):
                    found.add(start)
    return [Slot(s, s + req.duration) for s in sorted(found)]


def _starts(day: date, rule: WeeklyRule, req: SlotRequest, zone: ZoneInfo) -> Iterable[datetime]:
    # Candidates step in wall-clock time, so a 07:00 rule gives 07:00 local on both sides of a DST change.
    cursor = datetime.combine(day, rule.start)
    last = datetime.combine(day, rule.end) - req.duration
    offset = _fixed_offset(day, zone)
    while cursor <= last:
        if offset is not None:  # the usual day: one subtraction instead of a zoneinfo round trip
            yield (cursor - offset).replace(tzinfo=timezone.utc)
        else:
            utc = local_to_utc(day, cursor.time(), zone)
            if utc is not None and utc.astimezone(zone).date() == day:
                yield utc
        cursor += req.step


def _fixed_offset(day: date, zone: ZoneInfo) -> timedelta | None:
    """The day's UTC offset when it does not change during the day (None on a DST-change day)."""
    start, end = local_day_bounds(day, zone.key)
    before, after = start.astimezone(zone).utcoffset(), (end - timedelta(microseconds=1)).astimezone(zone).utcoffset()
    return before if before == after and end - start == timedelta(days=1) else None


def _is_free(start: datetime, end: datetime, blocks: list[Busy], block_starts: list[datetime]) -> bool:
    i = bisect_right(block_starts, start) - 1
    if i >= 0 and blocks[i].end > start:
        return False
    return i + 1 >= len(blocks) or blocks[i + 1].start >= end

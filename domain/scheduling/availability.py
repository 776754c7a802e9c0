"""Free slots: weekly rules minus busy intervals, swept in memory (no query per slot).

Pure: callers load rules and busy intervals with a few indexed queries (domain.scheduling.calendar_data)
and get UTC slots back; all wall-clock reasoning happens here, in the business's IANA zone.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class WeeklyRule:
    """The trainer works on `weekday` (0 = Monday) from `start` to `end`, local wall-clock time.

    `valid_from` / `valid_until` are inclusive local dates; None means open-ended.
    """

    weekday: int
    start: time
    end: time
    valid_from: date | None = None
    valid_until: date | None = None

    def applies(self, day: date) -> bool:
        """Whether the rule is in force on the local date `day`."""
        return (day.weekday() == self.weekday and (self.valid_from is None or self.valid_from <= day)
                and (self.valid_until is None or day <= self.valid_until))


@dataclass(frozen=True, slots=True)
class Busy:
    """A UTC interval [start, end) the trainer cannot be booked in (time off, or a buffered appointment)."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class SlotRequest:
    """What to look for: service length and buffers, the local window, and the business's booking policy."""

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


@dataclass(frozen=True, slots=True)
class Slot:
    """A bookable session, aware UTC; `end` is `start + duration` in elapsed time."""

    start: datetime
    end: datetime


def merge_busy(busy: Iterable[Busy]) -> list[Busy]:
    """Sorted by start, with overlapping or touching intervals merged into one."""
    merged: list[Busy] = []
    for item in sorted(busy, key=lambda b: b.start):
        if merged and item.start <= merged[-1].end:
            if item.end > merged[-1].end:
                merged[-1] = Busy(merged[-1].start, item.end)
        else:
            merged.append(item)
    return merged


def local_day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """The UTC instants of local midnight starting `day` and of the next local midnight."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
    return start, end


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of a local wall-clock time (first one when ambiguous); None inside a spring-forward gap."""
    local = datetime.combine(day, at, zone)  # fold=0: an ambiguous fall-back time resolves to its first instant
    utc = local.astimezone(UTC)
    # A time that does not exist comes back as a different wall-clock time after the round trip.
    if utc.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return utc


def free_slots(rules: Sequence[WeeklyRule], busy: Sequence[Busy], req: SlotRequest) -> list[Slot]:
    """Every bookable start in the request's window, sorted by start, each once."""
    if req.step <= timedelta(0) or req.duration <= timedelta(0):
        raise ValueError("slot step and duration must be positive")
    if req.now.tzinfo is None:
        raise ValueError("SlotRequest.now must be timezone-aware")
    if req.days <= 0:
        return []
    zone = ZoneInfo(req.tz)
    earliest, latest = req.now + req.min_notice, req.now + req.max_horizon
    first, _ = local_day_bounds(req.window_start, req.tz)
    _, last = local_day_bounds(req.window_start + timedelta(days=req.days - 1), req.tz)
    # Busy time no candidate's widened block can reach is dropped before sorting, so callers may pass more than
    # the window without paying for it.
    reach_from = max(first, earliest) - req.buffer_before
    reach_to = min(last, latest) + req.duration + req.buffer_after
    blocks = merge_busy([b for b in busy if b.end > reach_from and b.start < reach_to])
    block_starts = [b.start for b in blocks]
    by_weekday: dict[int, list[WeeklyRule]] = {}
    for rule in rules:
        by_weekday.setdefault(rule.weekday, []).append(rule)

    found: set[datetime] = set()  # overlapping rules on one day yield the same start more than once
    day_start = datetime.combine(req.window_start, time(0), zone).astimezone(UTC)
    for offset in range(req.days):
        day = req.window_start + timedelta(days=offset)
        next_start = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
        # A day exactly 24 h long keeps one UTC offset throughout (no zone changes twice within a day), so its
        # wall-clock times are plain offsets from midnight; only DST-change days take the round-trip path.
        steady = day_start if next_start - day_start == ONE_DAY else None
        for rule in by_weekday.get(day.weekday(), ()):
            if not rule.applies(day):
                continue
            for start in _rule_starts(day, rule, req, zone, steady):
                if earliest <= start <= latest and _is_free(
                        start - req.buffer_before, start + req.duration + req.buffer_after, blocks, block_starts):
                    found.add(start)
        day_start = next_start
    return [Slot(s, s + req.duration) for s in sorted(found)]


def _rule_starts(day: date, rule: WeeklyRule, req: SlotRequest, zone: ZoneInfo,
                 steady_midnight: datetime | None) -> Iterator[datetime]:
    # Candidates step in wall-clock time, so a weekly 07:00 stays 07:00 local on both sides of a DST change;
    # the fit against the rule's end is wall-clock too, not elapsed time.
    midnight = datetime.combine(day, time(0))
    cursor = datetime.combine(day, rule.start)
    last = datetime.combine(day, rule.end) - req.duration
    while cursor <= last:
        if steady_midnight is not None:
            yield steady_midnight + (cursor - midnight)
        else:
            utc = local_to_utc(day, cursor.time(), zone)
            if utc is not None:
                yield utc
        cursor += req.step


def _is_free(start: datetime, end: datetime, blocks: list[Busy], block_starts: list[datetime]) -> bool:
    # Blocks are merged, so only the last one starting at or before `start` and the next one can overlap.
    i = bisect_right(block_starts, start) - 1
    if i >= 0 and blocks[i].end > start:
        return False
    return i + 1 >= len(blocks) or blocks[i + 1].start >= end

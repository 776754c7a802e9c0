"""Availability bench: one busy trainer, free slots for a 30-day window, timed in memory.

`build_dataset` is kept apart from the timing so a DB-backed bench can seed the same rows and add query time.
"""
from __future__ import annotations

import random
import statistics
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.scheduling.availability import Busy, SlotRequest, WeeklyRule, free_slots, local_day_bounds

TZ = "America/Sao_Paulo"
APPOINTMENTS = 5_000
WINDOW_DAYS = 30
SESSION = timedelta(minutes=60)
BUFFER = timedelta(minutes=10)
SPREAD_DAYS = 365
RULE_MONTHS = 3
SEED = 20260308


def _local_date(now: datetime) -> date:
    return now.astimezone(ZoneInfo(TZ)).date()


def weekly_rules(first: date) -> list[WeeklyRule]:
    """Mon-Fri 06-12 and 14-21, Sat 08-12, as three month-long rule sets from local date `first`."""
    # Hours re-published month by month, as a trainer editing their schedule would, so validity bounds are exercised.
    rules = []
    for month in range(RULE_MONTHS):
        valid_from = first + timedelta(days=30 * month)
        valid_until = valid_from + timedelta(days=29)
        for weekday in range(5):
            rules.append(WeeklyRule(weekday, time(6), time(12), valid_from, valid_until))
            rules.append(WeeklyRule(weekday, time(14), time(21), valid_from, valid_until))
        rules.append(WeeklyRule(5, time(8), time(12), valid_from, valid_until))
    return rules


def appointment_blocks(first: date) -> list[Busy]:
    """Buffered blocks of 5,000 sessions from local date `first`; a session is its block minus BUFFER at each end."""
    # Blocks must not overlap (the exclusion constraint forbids it when the DB bench seeds them), and 5,000 of them
    # do not fit in 12 months of working hours: they sit on an around-the-clock 80-min grid, ~76% of it taken.
    pitch = SESSION + 2 * BUFFER
    origin, _ = local_day_bounds(first, TZ)
    positions = SPREAD_DAYS * timedelta(days=1) // pitch
    taken = sorted(random.Random(SEED).sample(range(positions), APPOINTMENTS))
    return [Busy(origin + k * pitch, origin + (k + 1) * pitch) for k in taken]


def time_off(first: date) -> list[Busy]:
    """A vacation week and four holidays (whole local days) counted from local date `first`."""
    # The vacation and one holiday fall inside the timed window; the rest lie beyond it, as the DB query would skip.
    spans = [(first + timedelta(days=18), 7)] + [(first + timedelta(days=d), 1) for d in (4, 45, 70, 88)]
    out = []
    for day, length in spans:
        start, _ = local_day_bounds(day, TZ)
        _, end = local_day_bounds(day + timedelta(days=length - 1), TZ)
        out.append(Busy(start, end))
    return out


def build_dataset(now: datetime) -> tuple[list[WeeklyRule], list[Busy]]:
    """Rules and every busy interval (buffered appointments, then time off) for one trainer, starting tomorrow."""
    first = _local_date(now) + timedelta(days=1)
    return weekly_rules(first), appointment_blocks(first) + time_off(first)


def slot_request(now: datetime) -> SlotRequest:
    """The request the bench times: 60-min sessions, 10-min buffers, 30-min step, 30 days from tomorrow."""
    return SlotRequest(
        tz=TZ, duration=SESSION, buffer_before=BUFFER, buffer_after=BUFFER, step=timedelta(minutes=30),
        window_start=_local_date(now) + timedelta(days=1), days=WINDOW_DAYS, now=now,
        min_notice=timedelta(hours=2), max_horizon=timedelta(days=60),
    )


def run_availability_bench(iterations: int = 200, now: datetime | None = None) -> dict:
    """Time `free_slots` over the whole dataset `iterations` times; median and p99 in milliseconds."""
    now = now or datetime.now(UTC).replace(second=0, microsecond=0)
    rules, busy_all = build_dataset(now)
    request = slot_request(now)
    slots = free_slots(rules, busy_all, request)  # warm-up: zone cache, first-call costs
    samples_ns = []
    for _ in range(iterations):
        started = clock.perf_counter_ns()
        free_slots(rules, busy_all, request)
        samples_ns.append(clock.perf_counter_ns() - started)
    samples_ns.sort()
    p99 = samples_ns[min(len(samples_ns) - 1, int(len(samples_ns) * 0.99))]
    return {
        "bench": "availability", "appointments": APPOINTMENTS, "window_days": WINDOW_DAYS, "slots": len(slots),
        "median_ms": round(statistics.median(samples_ns) / 1e6, 3), "p99_ms": round(p99 / 1e6, 3),
    }

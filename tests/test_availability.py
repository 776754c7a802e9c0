"""Pure availability sweep: weekly rules minus time off minus buffered appointments, in the business's zone."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.scheduling.availability import Busy, Slot, SlotRequest, WeeklyRule, free_slots, local_day_bounds, merge_busy

UTC = UTC
NY, LISBON, SAO_PAULO = "America/New_York", "Europe/Lisbon", "America/Sao_Paulo"
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
MIN = timedelta(minutes=1)


def request(window_start: date, days: int = 1, tz: str = NY, **overrides) -> SlotRequest:
    fields = dict(tz=tz, duration=60 * MIN, buffer_before=timedelta(0), buffer_after=timedelta(0), step=30 * MIN,
                  window_start=window_start, days=days, now=LONG_AGO, min_notice=timedelta(0),
                  max_horizon=timedelta(days=3650))
    fields.update(overrides)
    return SlotRequest(**fields)


def at(tz: str, day: date, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    """The UTC instant of a local wall-clock time."""
    return datetime.combine(day, time(hour, minute), ZoneInfo(tz)).replace(fold=fold).astimezone(UTC)


def local_times(slots: list[Slot], tz: str) -> list[str]:
    return [s.start.astimezone(ZoneInfo(tz)).strftime("%m-%d %H:%M") for s in slots]


def every_day(start: time, end: time) -> list[WeeklyRule]:
    return [WeeklyRule(weekday, start, end) for weekday in range(7)]


MON = date(2026, 6, 1)  # a plain Monday far from any DST change


def hhmm(slots: list[Slot], tz: str = NY) -> list[str]:
    return [s.start.astimezone(ZoneInfo(tz)).strftime("%H:%M") for s in slots]


def test_rule_offers_every_step_that_fits_before_its_end():
    slots = free_slots([WeeklyRule(0, time(6), time(9))], [], request(MON))
    assert hhmm(slots) == ["06:00", "06:30", "07:00", "07:30", "08:00"]
    assert all(s.end - s.start == 60 * MIN for s in slots)


def test_step_sets_the_spacing_of_candidate_starts():
    assert hhmm(free_slots([WeeklyRule(0, time(6), time(8))], [], request(MON, step=15 * MIN))) == [
        "06:00", "06:15", "06:30", "06:45", "07:00"]
    assert hhmm(free_slots([WeeklyRule(0, time(6), time(8))], [], request(MON, step=60 * MIN))) == ["06:00", "07:00"]


def test_several_ranges_a_day_are_all_offered_and_nothing_in_between():
    rules = [WeeklyRule(0, time(14), time(16)), WeeklyRule(0, time(6), time(8))]
    assert hhmm(free_slots(rules, [], request(MON))) == ["06:00", "06:30", "07:00", "14:00", "14:30", "15:00"]


def test_overlapping_rules_on_the_same_day_give_no_duplicates():
    rules = [WeeklyRule(0, time(6), time(9)), WeeklyRule(0, time(7), time(10)), WeeklyRule(0, time(6), time(9))]
    slots = free_slots(rules, [], request(MON))
    assert hhmm(slots) == ["06:00", "06:30", "07:00", "07:30", "08:00", "08:30", "09:00"]


def test_rule_only_applies_on_its_weekday():
    slots = free_slots([WeeklyRule(2, time(6), time(7))], [], request(MON, days=7))
    assert local_times(slots, NY) == ["06-03 06:00"]


def test_valid_from_and_valid_until_are_inclusive_local_dates():
    rule = WeeklyRule(0, time(6), time(7), valid_from=date(2026, 6, 8), valid_until=date(2026, 6, 15))
    slots = free_slots([rule], [], request(MON, days=28))
    assert local_times(slots, NY) == ["06-08 06:00", "06-15 06:00"]


def test_time_off_removes_the_whole_day():
    day_off = Busy(*local_day_bounds(date(2026, 6, 2), NY))
    slots = free_slots(every_day(time(6), time(7)), [day_off], request(MON, days=3))
    assert local_times(slots, NY) == ["06-01 06:00", "06-03 06:00"]


def test_appointments_block_slots_including_both_buffers():
    # An 08:00-09:00 session with 10-min buffers blocks 07:50-09:10; a new session needs 10 min either side too.
    booked = Busy(at(NY, MON, 7, 50), at(NY, MON, 9, 10))
    slots = free_slots([WeeklyRule(0, time(6), time(12))], [booked],
                       request(MON, buffer_before=10 * MIN, buffer_after=10 * MIN))
    assert hhmm(slots) == ["06:00", "06:30", "09:30", "10:00", "10:30", "11:00"]


def test_touching_intervals_are_allowed():
    booked = Busy(at(NY, MON, 7), at(NY, MON, 8))
    slots = free_slots([WeeklyRule(0, time(6), time(9))], [booked], request(MON))
    assert hhmm(slots) == ["06:00", "08:00"]


def test_buffers_make_touching_slots_conflict():
    booked = Busy(at(NY, MON, 7), at(NY, MON, 8))
    slots = free_slots([WeeklyRule(0, time(6), time(9))], [booked], request(MON, buffer_after=MIN))
    assert hhmm(slots) == ["08:00"]


def test_busy_from_before_the_window_still_blocks_its_first_slots():
    # Busy until 00:20 with a 15-min buffer before each session: 00:00 overlaps it, 00:30 needs 00:15 free.
    overnight = Busy(at(NY, MON - timedelta(days=1), 20), at(NY, MON, 0, 20))
    slots = free_slots([WeeklyRule(0, time(0), time(2))], [overnight], request(MON, buffer_before=15 * MIN))
    assert hhmm(slots) == ["01:00"]


def test_busy_ending_before_the_window_blocks_a_first_slot_whose_buffer_reaches_back():
    late = Busy(at(NY, MON - timedelta(days=1), 23), at(NY, MON - timedelta(days=1), 23, 50))
    slots = free_slots([WeeklyRule(0, time(0), time(2))], [late], request(MON, buffer_before=15 * MIN))
    assert hhmm(slots) == ["00:30", "01:00"]


def test_min_notice_hides_slots_that_start_too_soon_and_its_boundary_is_offered():
    now = at(NY, MON, 5)
    slots = free_slots([WeeklyRule(0, time(6), time(10))], [], request(MON, now=now, min_notice=timedelta(hours=2)))
    assert hhmm(slots) == ["07:00", "07:30", "08:00", "08:30", "09:00"]


def test_max_horizon_hides_slots_too_far_ahead_and_its_boundary_is_offered():
    now = at(NY, MON, 6)
    slots = free_slots(every_day(time(6), time(7)), [], request(MON, days=10, now=now, max_horizon=timedelta(days=3)))
    assert local_times(slots, NY) == ["06-01 06:00", "06-02 06:00", "06-03 06:00", "06-04 06:00"]


def test_result_is_sorted_by_start_across_days():
    rules = [WeeklyRule(1, time(6), time(7)), WeeklyRule(0, time(18), time(19)), WeeklyRule(0, time(6), time(7))]
    slots = free_slots(rules, [], request(MON, days=2))
    assert local_times(slots, NY) == ["06-01 06:00", "06-01 18:00", "06-02 06:00"]


def test_nonsense_requests_are_refused():
    with pytest.raises(ValueError):
        free_slots([], [], request(MON, step=timedelta(0)))
    with pytest.raises(ValueError):
        free_slots([], [], request(MON, now=datetime(2026, 1, 1)))
    assert free_slots(every_day(time(6), time(7)), [], request(MON, days=0)) == []


def test_merge_busy_sorts_and_joins_overlapping_and_touching_intervals():
    t = lambda h: datetime(2026, 6, 1, h, tzinfo=UTC)  # noqa: E731
    merged = merge_busy([Busy(t(9), t(10)), Busy(t(1), t(3)), Busy(t(2), t(4)), Busy(t(4), t(5)), Busy(t(2), t(3))])
    assert merged == [Busy(t(1), t(5)), Busy(t(9), t(10))]


def test_local_day_bounds_follow_the_zone_including_short_and_long_days():
    assert local_day_bounds(MON, NY) == (datetime(2026, 6, 1, 4, tzinfo=UTC), datetime(2026, 6, 2, 4, tzinfo=UTC))
    start, end = local_day_bounds(date(2026, 3, 8), NY)
    assert (start.hour, end - start) == (5, timedelta(hours=23))
    start, end = local_day_bounds(date(2026, 11, 1), NY)
    assert (start.hour, end - start) == (4, timedelta(hours=25))


# --- DST: America/New_York springs forward 2026-03-08 02:00 -> 03:00 and falls back 2026-11-01 02:00 -> 01:00.

def test_slot_in_spring_forward_gap_is_not_offered():
    slots = free_slots(every_day(time(1), time(4)), [], request(date(2026, 3, 8), duration=30 * MIN))
    assert hhmm(slots) == ["01:00", "01:30", "03:00", "03:30"]
    assert [s.start.hour for s in slots] == [6, 6, 7, 7]  # 01:xx EST, 03:xx EDT


def test_weekly_0700_slot_stays_0700_local_across_spring_forward():
    slots = free_slots(every_day(time(7), time(8)), [], request(date(2026, 3, 7), days=3, step=60 * MIN))
    assert local_times(slots, NY) == ["03-07 07:00", "03-08 07:00", "03-09 07:00"]
    assert [s.start.hour for s in slots] == [12, 11, 11]


def test_ambiguous_fall_back_time_is_offered_once_at_its_first_occurrence():
    slots = free_slots(every_day(time(0), time(3)), [], request(date(2026, 11, 1), duration=30 * MIN))
    assert hhmm(slots) == ["00:00", "00:30", "01:00", "01:30", "02:00", "02:30"]
    assert slots[3].start == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, not 01:30 EST
    assert slots[3].end == slots[3].start + 30 * MIN


def test_weekly_0700_slot_stays_0700_local_across_fall_back():
    slots = free_slots(every_day(time(7), time(8)), [], request(date(2026, 10, 31), days=3, step=60 * MIN))
    assert local_times(slots, NY) == ["10-31 07:00", "11-01 07:00", "11-02 07:00"]
    assert [s.start.hour for s in slots] == [11, 12, 12]


def test_busy_in_the_repeated_fall_back_hour_blocks_only_that_instant():
    # 01:30 EST (the second 01:30) is busy: the offered 01:30 is the first one (EDT), which stays free.
    second = at(NY, date(2026, 11, 1), 1, 30, fold=1)
    slots = free_slots(every_day(time(1), time(2)), [Busy(second, second + 30 * MIN)],
                       request(date(2026, 11, 1), duration=30 * MIN))
    assert [s.start for s in slots] == [datetime(2026, 11, 1, 5, tzinfo=UTC), datetime(2026, 11, 1, 5, 30, tzinfo=UTC)]


# --- DST: Europe/Lisbon springs forward 2026-03-29 01:00 -> 02:00 and falls back 2026-10-25 02:00 -> 01:00.

def test_lisbon_spring_forward_skips_the_missing_hour_and_keeps_0700_local():
    slots = free_slots(every_day(time(0), time(3)), [], request(date(2026, 3, 29), tz=LISBON, duration=30 * MIN))
    assert hhmm(slots, LISBON) == ["00:00", "00:30", "02:00", "02:30"]
    slots = free_slots(every_day(time(7), time(8)), [], request(date(2026, 3, 28), days=2, tz=LISBON))
    assert local_times(slots, LISBON) == ["03-28 07:00", "03-29 07:00"]
    assert [s.start.hour for s in slots] == [7, 6]


def test_lisbon_fall_back_offers_0130_once_and_keeps_0700_local():
    slots = free_slots(every_day(time(1), time(2)), [], request(date(2026, 10, 25), tz=LISBON, duration=30 * MIN))
    assert [s.start for s in slots] == [datetime(2026, 10, 25, 0, tzinfo=UTC), datetime(2026, 10, 25, 0, 30, tzinfo=UTC)]
    slots = free_slots(every_day(time(7), time(8)), [], request(date(2026, 10, 24), days=2, tz=LISBON))
    assert local_times(slots, LISBON) == ["10-24 07:00", "10-25 07:00"]
    assert [s.start.hour for s in slots] == [6, 7]


# --- America/Sao_Paulo has had no DST since 2019: 07:00 local is always 10:00 UTC.

@pytest.mark.parametrize("day", [date(2026, 11, 1), date(2027, 1, 11), date(2027, 2, 21), date(2027, 7, 12)])
def test_sao_paulo_0700_is_always_1000_utc(day):
    slots = free_slots(every_day(time(7), time(8)), [], request(day, days=7, tz=SAO_PAULO))
    assert len(slots) == 7
    assert {(s.start.hour, s.start.minute) for s in slots} == {(10, 0)}
    assert {s.start.astimezone(ZoneInfo(SAO_PAULO)).time() for s in slots} == {time(7)}


# --- Properties: the sweep agrees with a slow, obviously-correct scan, on random rules, busy time and zones.

ZONES = [NY, LISBON, SAO_PAULO, "UTC", "Australia/Lord_Howe", "Asia/Kolkata"]  # Lord Howe shifts by 30 min


def brute_force(rules: list[WeeklyRule], busy: list[Busy], req: SlotRequest) -> list[datetime]:
    zone, found = ZoneInfo(req.tz), set()
    for offset in range(req.days):
        day = req.window_start + timedelta(days=offset)
        for rule in (r for r in rules if r.applies(day)):
            wall = datetime.combine(day, rule.start)
            while wall + req.duration <= datetime.combine(day, rule.end):
                utc = wall.replace(tzinfo=zone).astimezone(UTC)
                exists = utc.astimezone(zone).replace(tzinfo=None) == wall
                lo, hi = utc - req.buffer_before, utc + req.duration + req.buffer_after
                if exists and req.now + req.min_notice <= utc <= req.now + req.max_horizon and not any(
                        b.start < hi and lo < b.end for b in busy):
                    found.add(utc)
                wall += req.step
    return sorted(found)


minutes = st.integers(0, 24 * 60 - 10).map(lambda m: m - m % 5)


@st.composite
def rule_sets(draw) -> list[WeeklyRule]:
    rules = []
    for _ in range(draw(st.integers(1, 6))):
        start = draw(minutes)
        end = draw(st.integers(start + 5, 24 * 60 - 1))
        valid_from = draw(st.none() | st.dates(date(2026, 2, 25), date(2026, 11, 10)))
        rules.append(WeeklyRule(draw(st.integers(0, 6)), time(start // 60, start % 60), time(end // 60, end % 60),
                                valid_from, draw(st.none() | st.dates(date(2026, 3, 1), date(2026, 11, 15)))))
    return rules


@st.composite
def scenarios(draw) -> tuple[list[WeeklyRule], list[Busy], SlotRequest]:
    window_start = draw(st.dates(date(2026, 3, 1), date(2026, 11, 5)))
    origin = datetime.combine(window_start, time(0), UTC) - timedelta(days=1)
    busy = []
    for _ in range(draw(st.integers(0, 25))):
        start = origin + draw(st.integers(0, 12 * 24 * 60)) * MIN
        busy.append(Busy(start, start + draw(st.integers(1, 600)) * MIN))
    req = request(window_start, days=draw(st.integers(1, 9)), tz=draw(st.sampled_from(ZONES)),
                  duration=draw(st.sampled_from([15, 30, 45, 60, 90])) * MIN,
                  buffer_before=draw(st.integers(0, 30)) * MIN, buffer_after=draw(st.integers(0, 30)) * MIN,
                  step=draw(st.sampled_from([5, 15, 30, 60])) * MIN,
                  now=origin + draw(st.integers(0, 5 * 24 * 60)) * MIN,
                  min_notice=draw(st.integers(0, 48 * 60)) * MIN, max_horizon=draw(st.integers(0, 10)) * timedelta(days=1))
    return draw(rule_sets()), busy, req


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_sweep_matches_a_brute_force_scan_and_never_overlaps_busy_time(scenario):
    rules, busy, req = scenario
    slots = free_slots(rules, busy, req)
    starts = [s.start for s in slots]
    assert starts == brute_force(rules, busy, req)
    assert starts == sorted(set(starts))
    for slot in slots:
        assert slot.end == slot.start + req.duration
        assert req.now + req.min_notice <= slot.start <= req.now + req.max_horizon
        lo, hi = slot.start - req.buffer_before, slot.end + req.buffer_after
        assert not any(b.start < hi and lo < b.end for b in busy)

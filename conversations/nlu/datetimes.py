"""Dates and times in pt-BR and en, resolved against `now` in the business's time zone.

Rules: a time alone is its next occurrence; a weekday is the next such day (today only when
the stated time is still ahead); "próxima/next X", "X que vem" = first X after today; "X da
semana que vem/X next week" = X in next calendar week; dd/mm without a year rolls to next year
if before today (mm/dd for en in US zones); "dia N" = next day N from today; a bare hour 1-4
with no am/pm/part of day is afternoon; impossible dates/times set `invalid` and no datetime.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from conversations.normalise import normalise

_WD = {"segunda": 0, "seg": 0, "terca": 1, "ter": 1, "quarta": 2, "qua": 2, "quinta": 3, "qui": 3,
       "sexta": 4, "sex": 4, "sabado": 5, "domingo": 6, "dom": 6, "monday": 0, "mon": 0, "tuesday": 1,
       "tues": 1, "tue": 1, "wednesday": 2, "wed": 2, "thursday": 3, "thurs": 3, "thur": 3, "thu": 3,
       "friday": 4, "fri": 4, "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
       "2a": 0, "3a": 1, "4a": 2, "5a": 3, "6a": 4}  # "4ª feira"
_EN_MONTHS = ("january feb february march april may june july august september sept october "
              "november december jan mar apr jun jul aug sep oct nov dec").split()
_MONTHS = {m: i for i, names in enumerate((
    "janeiro jan january", "fevereiro fev feb february", "marco mar march", "abril abr apr april",
    "maio mai may", "junho jun june", "julho jul july", "agosto ago aug august",
    "setembro set sep sept september", "outubro out oct october", "novembro nov november",
    "dezembro dez dec december"), start=1) for m in names.split()}
_POD = {"manha": "morning", "cedo": "morning", "morning": "morning", "tarde": "afternoon",
        "afternoon": "afternoon", "noite": "night", "evening": "night", "night": "night",
        "tonight": "night", "madrugada": "early"}
_US_ZONES = {"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
             "America/Phoenix", "America/Detroit", "America/Anchorage", "Pacific/Honolulu"}


def _alt(words: Iterable[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


_NOT_TIME = r"(?![\d/]|\s*(?:x\b|x\d|kg|k\b|km|lbs?|aulas?|vezes|sets?|reps?|series|min|minutos|pessoas|reais|meses|dias|days))"
_PATTERN = re.compile("|".join((
    r"(?P<in>(?:daqui(?: a)?|in|em)\s+(?P<inn>\d{1,3}|uma|um|an|a|meia)\s+(?P<inu>horas?|hours?|minutos|minutes?|dias?|days?)\b)",
    r"(?P<rel>depois de amanha|day after tomorrow|amanha|tomorrow|hoje|today|tonight)\b",
    r"(?:\bdia\s+)?(?<![\d/:])(?P<d1>\d{1,2})/(?P<m1>\d{1,2})(?:/(?P<y1>\d{4}|\d{2}))?(?![\d/])",
    rf"(?:\bdia\s+)?(?<![\d/:])(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+de|\s+of)?\s+(?P<mo2>{_alt(_MONTHS)})\b",
    rf"\b(?P<mo3>{_alt(_EN_MONTHS)})\s+(?P<d3>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:h])(?!\s*(?:am|pm)\b)",
    r"\b(?:dia|day)\s+(?P<d4>\d{1,2})\b(?!\s*(?:h\b|horas?|:|am\b|pm\b))|\bthe\s+(?P<d5>\d{1,2})(?:st|nd|rd|th)\b",
    r"\b(?:(?P<nx>proxima|proximo|next|this|esta|essa|nesta|nessa)\s+)?(?P<wd>"
    + _alt(k for k in _WD if k != "ter") + r"|ter(?=\s+\d))s?\b(?:\s+feira)?"
    r"(?:\s+(?P<qv>que vem|da semana que vem|da proxima semana|next week))?",
    r"\b(?:na |da )?(?P<wk>semana que vem|proxima semana|next week)\b",
    r"\b(?P<noon>meio dia|meiodia|noon|midday)(?P<nh>\s+e\s+meia)?|\b(?P<midn>meia noite|midnight)\b",
    r"(?:\b(?P<mk>as|at|pras|umas|das|by|around|after|ate as|antes das|depois das|entre|between|from)\s+)?(?<![\d/:])"
    r"(?:(?P<hp>half)\s+)?(?P<h>\d{1,2})(?::(?P<mm>\d{2})|\s?(?P<hs>horas|hora|hrs|hs|h)(?P<hm>\d{2})?|\s+e\s+(?P<half>meia|quinze|\d{2}))?"
    r"(?:\s*(?P<ap>am|pm|a m|p m)\b)?" + _NOT_TIME,
    r"(?<!boa\s)(?<!bom\s)(?<!good\s)(?:\b(?:de|da|a|pela|na|in the|this|of the)\s+)?\b(?P<pod>"
    + _alt(k for k in _POD if k != "tonight") + r")\b",
)))
_TIME_SUFFIX = re.compile(r"\s+(?:oclock|(?:da|de|a|in the|of the|at)\s+(?:manha|tarde|noite|madrugada|morning|afternoon|evening|night))\b")
_RANGE = {"a", "ate", "e", "ou", "or", "and"}
_TO = {"pra", "pras", "para", "pro", "p", "to", "for", "->"}  # "das 18h pras 19h", "8am for 10am": the second is wanted
_INSTEAD = ("instead of", "em vez de", "ao inves de", "no lugar de")  # "at 8 instead of 7:30": the first is
DAY_STARTS = 6  # when the studio's hours are unknown: a bare hour before this is afternoon ("às 5" = 17:00)
_RECURRING = re.compile(r"\b(?:toda|todas|todo|todos|every|sempre)\b")


@dataclass(frozen=True)
class ParsedWhen:
    """What a message says about when: date/time parts, the resolved aware datetime, flags."""

    date: date | None = None
    time: time | None = None
    datetime: datetime | None = None
    invalid: bool = False
    part_of_day: str | None = None
    recurring: frozenset[int] = frozenset()
    spans: tuple[tuple[int, int], ...] = ()
    moved_from: time | None = None  # "das 18h pras 19h": the time a move starts from (18:00)
    time_only: bool = False  # a time with no day said: `date` is its next occurrence


def parse_datetime(text: str, locale: str, now: datetime, day_starts: int = DAY_STARTS) -> ParsedWhen:
    """Parse free text; `now` is aware and in the business's time zone."""
    return parse_normalised(normalise(text), locale, now, day_starts)


def parse_normalised(s: str, locale: str, now: datetime, day_starts: int = DAY_STARTS) -> ParsedWhen:
    """Like parse_datetime for already-normalised text (spans index into `s`); a bare hour before `day_starts`
    (the studio's first opening hour) is the afternoon."""
    found = [m for m in _PATTERN.finditer(s) if not _is_bare(m) or _TIME_SUFFIX.match(s, m.end()) or _follows_mention(s, m)]
    if not found:
        return ParsedWhen()
    groups: list[list[re.Match[str]]] = []
    replaced: re.Match[str] | None = None
    for m in found:
        last = groups[-1] if groups else None
        gap = s[last[-1].end():m.start()].split() if last else []
        if last and _kind(m) == "time" and " ".join(gap).endswith(_INSTEAD):
            continue
        times = [i for i, x in enumerate(last or []) if _kind(x) == "time"]
        if last and times and _kind(m) == "time" and (m["mk"] in _TO or set(gap) & _TO) and len(gap) <= 3:
            replaced, last[times[-1]] = last[times[-1]], m  # a move's new time replaces the old one, keeping the day
            continue
        if last and _kind(m) == _kind(last[-1]) == "time" and set(gap) <= _RANGE:
            continue  # "18h-19h", "7h, 8h ou 9h": the first one counts
        if last and _kind(m) not in {_kind(x) for x in last} and len(gap) <= 3:
            last.append(m)
        else:
            groups.append([m])
    group = next((g for kinds in ({"date", "time"}, {"time"}, {"date"}, set()) for g in reversed(groups)
                  if kinds <= {_kind(x) for x in g}), groups[-1])
    pods = [_POD[p] for m in group for p in (m["pod"], "tonight" if m["rel"] == "tonight" else None) if p]
    pod = pods[0] if pods else next((_POD[m["pod"]] for m in found if m["pod"]), None)
    spans = tuple(m.span() for m in found)
    bad = any(_clock(m, None, day_starts) is False or _day(m, now, None, locale) is False for m in found)
    rec, week = _RECURRING.search(s), any(m["wk"] for m in found)
    weekdays = frozenset(_WD[m["wd"]] for m in found if m["wd"] and rec and m.start() > rec.start())
    if any(m["in"] for m in group):
        return _relative(next(m for m in group if m["in"]), now, pod, spans)
    t = next((c for m in group if m.lastgroup != "pod" and (c := _clock(m, pods[0] if pods else None, day_starts))), None)
    if weekdays:
        day = min(_next_weekday(now, wd, t) for wd in weekdays)
    else:
        day = next((d for m in group if (d := _day(m, now, t, locale, week))), None)
    time_only = day is None and t is not None and not bad and not week
    if time_only:
        day = now.date() + timedelta(days=0 if t > now.time() else 1)
    at = datetime.combine(day, t, tzinfo=now.tzinfo) if day and t and not bad else None
    moved_from = _clock(replaced, None, day_starts) if replaced is not None else None
    return ParsedWhen(day or None, t or None, at, bad, pod, weekdays, spans, moved_from or None, time_only)


def _kind(m: re.Match[str]) -> str:
    return "pod" if m["pod"] else "time" if (m["h"] or m["noon"] or m["midn"] or m["in"]) else "date"


def _is_bare(m: re.Match[str]) -> bool:
    return bool(m["h"]) and not any(m[g] for g in ("mk", "mm", "hs", "half", "ap", "hp"))


def _follows_mention(s: str, m: re.Match[str]) -> bool:
    before = s[:m.start()].rstrip()
    return any(p.end() == len(before) and not _is_bare(p) and _kind(p) != "time" for p in _PATTERN.finditer(before))


def _clock(m: re.Match[str], pod: str | None, day_starts: int = DAY_STARTS) -> time | None | bool:
    """The clock time of a time match (False when impossible, None when not a time)."""
    if m["noon"] or m["midn"]:
        return time(0) if m["midn"] else time(12, 30 if m["nh"] else 0)
    if not m["h"]:
        return None
    h, half = int(m["h"]), m["half"]
    mm = int(m["mm"] or m["hm"] or (30 if half == "meia" or m["hp"] else 15 if half == "quinze" else half or 0))
    ap = (m["ap"] or "").replace(" ", "")
    if ap == "pm" and h < 12 or not ap and pod in ("afternoon", "night") and 0 < h < 12:
        h += 12
    elif ap == "am" and h == 12 or pod == "night" and h == 12:
        h = 0
    elif not ap and pod is None and 1 <= h < day_starts:
        h += 12
    return time(h, mm) if h < 24 and mm < 60 else False


def _day(m: re.Match[str], now: datetime, t: time | None, locale: str = "pt-BR", week: bool = False) -> date | None | bool:
    """The calendar date of a date match (False when impossible, None when not a date)."""
    today = now.date()
    if m["rel"]:
        return today + timedelta(days={"amanha": 1, "tomorrow": 1}.get(m["rel"], 2 if "depois" in m["rel"] or "after" in m["rel"] else 0))
    if m["wd"]:
        wd = _WD[m["wd"]]
        if week or m["qv"] and m["qv"] != "que vem":
            return today + timedelta(days=7 - today.weekday() + wd)
        strict = m["qv"] or m["nx"] in ("proxima", "proximo", "next")
        return _next_weekday(now, wd, None if strict else t)
    if m["d1"]:
        d, mo = int(m["d1"]), int(m["m1"])
        swap = (locale == "en" and getattr(now.tzinfo, "key", "") in _US_ZONES and d <= 12) or mo > 12 >= d
        d, mo = (mo, d) if swap else (d, mo)
        year = int(m["y1"]) + (2000 if len(m["y1"]) == 2 else 0) if m["y1"] else None
        return _make(today, year, mo, d)
    if m["d2"] or m["d3"]:
        return _make(today, None, _MONTHS[m["mo2"] or m["mo3"]], int(m["d2"] or m["d3"]))
    if m["d4"] or m["d5"]:
        n = int(m["d4"] or m["d5"])
        for k in range(13):
            y, mo = divmod(today.month - 1 + k, 12)
            d = _make(today, today.year + y, mo + 1, n)
            if d and d >= today:
                return d
        return False
    return None


def _make(today: date, year: int | None, month: int, day: int) -> date | bool:
    for y in ((year,) if year else (today.year, today.year + 1)):
        try:
            d = date(y, month, day)
        except ValueError:
            continue
        if year or d >= today:
            return d
    return False


def _next_weekday(now: datetime, wd: int, t: time | None) -> date:
    ahead = (wd - now.weekday()) % 7
    if ahead == 0 and not (t and t > now.time()):
        ahead = 7
    return now.date() + timedelta(days=ahead)


def _relative(m: re.Match[str], now: datetime, pod: str | None, spans: tuple[tuple[int, int], ...]) -> ParsedWhen:
    n = {"uma": 1, "um": 1, "an": 1, "a": 1, "meia": 0.5}.get(m["inn"]) or int(m["inn"])
    unit = m["inu"][0]
    if unit == "d":
        return ParsedWhen(now.date() + timedelta(days=int(n)), part_of_day=pod, spans=spans)
    delta = timedelta(hours=n) if unit == "h" else timedelta(minutes=n)
    at = (now.astimezone(UTC) + delta).astimezone(now.tzinfo).replace(second=0, microsecond=0)
    return ParsedWhen(at.date(), at.time().replace(tzinfo=None), at, False, pod, frozenset(), spans)

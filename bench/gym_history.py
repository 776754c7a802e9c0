"""Synthetic gym member histories (a Brazilian gym's export) for developing and checking the churn model.

Each member is simulated day by day: a personal weekly visit rate (gamma across members), preferred weekdays,
hour and session length; Brazilian seasonality (January resolutions, Carnival, June/July and December holidays)
and joins that spike in January and after Carnival; temporary gaps (travel, sickness) and dips after which
members come back. One leaving hazard per member — high in the first months, lower for long-tenured members,
seasonal, and shaped by habits, plan, price and unobserved frailty — fixes when leaving starts; how the member
leaves shapes what comes before it: habits fading over weeks, an abrupt stop (moved, injury), leaving without
warning while still visiting (cost), a card that keeps failing, or paying for months without coming. Plans end
mostly on renewal dates (monthly) and anniversaries (quarterly, semiannual, annual). Random card failures are
retried and paid a few days later.

Files: members.csv, checkins.csv, payments.csv, memberships_ended.csv (the formats `fitzap import` reads), and
on request labels_<as_of>.csv (1 when an active member's plan ended within the horizon).

    python -m bench.gym_history OUT_DIR --members 2000 --seed 0 --setting default --as-of 2026-06-01
"""
from __future__ import annotations

import argparse
import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

HORIZON_DAYS = 60
NEVER = 10**9  # a day index meaning "not within the simulated period"
OPEN, LAST_CHECKIN, CLOSE = 5 * 60 + 30, 21 * 60 + 50, 22 * 60 + 30  # weekdays, in minutes
SATURDAY_HOURS, SHORT_DAY_HOURS = (7 * 60, 17 * 60), (8 * 60, 13 * 60)  # Sundays and holidays: short day
MIN_SESSION, MAX_SESSION = 20, 150
FLUSH_EVERY = 1000  # members between writes

# Usual training hours (minutes after midnight, share of members): early, morning, lunch, afternoon, evening peaks.
SLOTS = ((375, 0.18), (450, 0.11), (570, 0.08), (750, 0.11), (900, 0.04), (990, 0.04), (1095, 0.24), (1185, 0.14),
         (1260, 0.06))
CLASSES = ((360, 0.20), (420, 0.15), (720, 0.10), (1080, 0.20), (1140, 0.20), (1200, 0.15))
WEEKEND_CLASSES = (540, 600)
GYM_WEEK = (1.15, 1.12, 1.08, 1.02, 0.88, 0.50, 0.25)  # Monday first
CLASS_WEEK = (1.20, 1.20, 1.15, 1.10, 1.00, 0.60, 0.02)
JOIN_WEEKDAY = (1.40, 1.20, 1.10, 1.00, 0.90, 0.55, 0.20)
# How a plan ends once leaving starts: at the next renewal, right away, or after the card fails until it lapses.
END_ODDS = {"fade": (0.65, 0.20, 0.15), "zombie": (0.80, 0.0, 0.20), "stop": (0.40, 0.50, 0.10),
            "quiet": (0.80, 0.20, 0.0), "card": (0.0, 0.0, 1.0)}
RENEWAL, IMMEDIATE, UNPAID = 0, 1, 2


@dataclass(frozen=True)
class Plan:
    name: str
    months: int  # billing period
    price: float  # per billing period, in the list at `start`
    weight: float  # share of joiners
    weekly_cap: float = 7.0
    commitment: float = 1.0  # multiplies the leaving hazard


@dataclass(frozen=True)
class Setting:
    plans: tuple[Plan, ...]  # the first is the monthly plan, the price reference
    rate_mean: float  # visits a week, across members
    rate_shape: float  # gamma shape: lower = more heterogeneous
    irregularity: float  # sd of a log weekly multiplier of the visit rate
    weekday_focus: tuple[float, ...]  # Dirichlet concentrations: lower = more tied to their own weekdays
    hazard: float  # daily leaving hazard of a typical settled member
    early_boost: float  # extra hazard on joining (x(1 + boost)), fading over the first months
    frailty_sd: float  # unobserved heterogeneity of the hazard (lognormal sd)
    price_elasticity: float  # hazard ∝ (monthly price / monthly list price) ** this
    season_amp: float  # strength of seasonality
    ways: dict[str, float]  # how members leave: fade, zombie (stops coming, keeps paying), stop, quiet, card
    gaps_per_year: float  # travel, sickness: no visits for days to weeks, then back
    dips_per_year: float  # a few weeks of fewer visits, then back
    dormant_per_year: float  # months of (almost) no visits while still paying, then back
    habit_effect: float  # hazard ∝ (visit rate / mean rate) ** -this: who comes less leaves more
    card_fail: float  # chance a charge fails, for a typical card
    never_show: float  # joined and never came
    pre_existing: float  # share of members who joined before `start`
    session_median: float  # minutes
    classes: bool = False  # visits are booked classes at fixed hours
    resolution_frailty: float = 1.5  # January and post-Carnival joiners leave more easily


_GYM = (Plan("Mensal", 1, 149.90, 0.42), Plan("Livre 3x", 1, 119.90, 0.13, 3.0, 1.1),
        Plan("Trimestral", 3, 404.90, 0.17, commitment=0.85), Plan("Semestral", 6, 749.90, 0.08, commitment=0.75),
        Plan("Anual", 12, 1318.80, 0.20, commitment=0.6))
_BUDGET = (Plan("Mensal", 1, 89.90, 0.55), Plan("Livre 3x", 1, 69.90, 0.15, 3.0, 1.1),
           Plan("Trimestral", 3, 239.90, 0.10, commitment=0.85), Plan("Anual", 12, 838.80, 0.20, commitment=0.65))
_BOUTIQUE = (Plan("Mensal", 1, 389.90, 0.35), Plan("Livre 3x", 1, 299.90, 0.30, 3.0),
             Plan("Trimestral", 3, 1049.90, 0.15, commitment=0.85), Plan("Anual", 12, 3598.80, 0.20, commitment=0.6))

SETTINGS: dict[str, Setting] = {
    "default": Setting(_GYM, 2.6, 2.0, 0.35, (3.0, 8.0, 30.0), 0.0022, 2.0, 0.6, -0.25, 1.0,
                       {"fade": 0.45, "zombie": 0.07, "stop": 0.17, "quiet": 0.19, "card": 0.12},
                       0.5, 0.4, 0.04, 0.5, 0.03, 0.03, 0.35, 62.0),
    "budget_gym": Setting(_BUDGET, 1.9, 1.2, 0.60, (4.0, 10.0, 40.0), 0.0030, 2.5, 0.7, 0.3, 1.2,
                          {"fade": 0.33, "zombie": 0.07, "stop": 0.15, "quiet": 0.25, "card": 0.20},
                          0.8, 0.6, 0.06, 0.4, 0.06, 0.06, 0.25, 52.0),
    "boutique": Setting(_BOUTIQUE, 2.8, 4.0, 0.20, (2.0, 4.0, 10.0), 0.0008, 1.2, 0.5, -0.4, 0.6,
                        {"fade": 0.45, "zombie": 0.05, "stop": 0.20, "quiet": 0.20, "card": 0.10},
                        0.4, 0.3, 0.02, 0.5, 0.02, 0.01, 0.45, 55.0, classes=True),
    "seasonal": Setting(_GYM, 2.6, 2.0, 0.35, (3.0, 8.0, 30.0), 0.0021, 2.5, 0.6, -0.2, 1.9,
                        {"fade": 0.45, "zombie": 0.07, "stop": 0.15, "quiet": 0.20, "card": 0.13},
                        0.6, 0.4, 0.04, 0.5, 0.03, 0.03, 0.30, 62.0, resolution_frailty=2.2),
    "noisy": Setting(_GYM, 2.4, 1.5, 0.55, (3.0, 8.0, 30.0), 0.0032, 1.6, 0.9, 0.0, 1.0,
                     {"fade": 0.16, "zombie": 0.24, "stop": 0.07, "quiet": 0.36, "card": 0.17},
                     1.1, 0.9, 0.25, 0.2, 0.05, 0.03, 0.35, 60.0),
}

FEMALE = ("Maria", "Ana", "Ana Paula", "Ana Clara", "Ana Luiza", "Maria Eduarda", "Maria Luiza", "Juliana", "Fernanda",
          "Mariana", "Camila", "Beatriz", "Larissa", "Amanda", "Bruna", "Patrícia", "Aline", "Letícia", "Gabriela",
          "Jéssica", "Vanessa", "Carolina", "Rafaela", "Luana", "Natália", "Isabela", "Júlia", "Sofia", "Helena",
          "Alice", "Laura", "Manuela", "Valentina", "Daniela", "Renata", "Tatiane", "Priscila", "Cláudia", "Sandra",
          "Adriana", "Luciana", "Simone", "Débora", "Thaís", "Vitória", "Yasmin", "Lorena", "Giovanna", "Kelly",
          "Michele", "Raquel", "Carla", "Cristina", "Bianca", "Eduarda")
MALE = ("João", "João Pedro", "José", "Pedro", "Lucas", "Gabriel", "Matheus", "Rafael", "Gustavo", "Felipe", "Bruno",
        "Guilherme", "Rodrigo", "Thiago", "Carlos", "Eduardo", "Daniel", "Marcelo", "André", "Leonardo", "Vinícius",
        "Diego", "Paulo", "Ricardo", "Fernando", "Luiz", "Luiz Felipe", "Marcos", "Antônio", "Francisco", "Henrique",
        "Arthur", "Miguel", "Davi", "Heitor", "Bernardo", "Samuel", "Enzo", "Caio", "Igor", "Renan", "Fábio",
        "Alexandre", "Leandro", "Wesley", "Júlio", "Otávio", "Murilo", "Vitor", "Kauã", "Ruan", "Wellington",
        "Anderson", "Roberto", "Sérgio")
SURNAMES = (("Silva", 12), ("Santos", 9), ("Oliveira", 7), ("Souza", 6), ("Rodrigues", 4), ("Ferreira", 4),
            ("Alves", 4), ("Pereira", 4), ("Lima", 4), ("Gomes", 3), ("Costa", 3), ("Ribeiro", 3), ("Martins", 3),
            ("Carvalho", 3), ("Almeida", 2.5), ("Lopes", 2.5), ("Soares", 2), ("Fernandes", 2), ("Vieira", 2),
            ("Barbosa", 2), ("Rocha", 2), ("Dias", 2), ("Nascimento", 2), ("Araújo", 1.5), ("Andrade", 1.5),
            ("Moreira", 1.5), ("Nunes", 1.5), ("Marques", 1.5), ("Machado", 1.5), ("Mendes", 1.5), ("Freitas", 1.5),
            ("Cardoso", 1.5), ("Ramos", 1.2), ("Gonçalves", 1.2), ("Santana", 1.2), ("Teixeira", 1.2), ("Melo", 1.2),
            ("Moura", 1), ("Correia", 1), ("Pinto", 1), ("Batista", 1), ("Campos", 1), ("Castro", 1), ("Reis", 1),
            ("Barros", 1), ("Cavalcanti", 0.8), ("Monteiro", 0.8), ("Azevedo", 0.8), ("Cunha", 0.8), ("Farias", 0.8),
            ("Miranda", 0.8), ("Bezerra", 0.8), ("Pires", 0.6), ("Tavares", 0.6), ("Sales", 0.6), ("Fonseca", 0.6),
            ("Xavier", 0.5), ("Sampaio", 0.5))
CITY_DDD = (11, 21, 31, 41, 51, 61, 71, 81, 85, 19, 27, 48, 62)
ALL_DDD = (11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27, 28, 31, 32, 33, 34, 35, 37, 38, 41, 42, 43, 44, 45,
           46, 47, 48, 49, 51, 53, 54, 55, 61, 62, 63, 64, 65, 66, 67, 68, 69, 71, 73, 74, 75, 77, 79, 81, 82, 83,
           84, 85, 86, 87, 88, 89, 91, 92, 93, 94, 95, 96, 97, 98, 99)


_SLOT_MINUTES = np.array([m for m, _ in SLOTS], dtype=float)
_SLOT_CDF = np.cumsum([w for _, w in SLOTS]) / sum(w for _, w in SLOTS)
_CLASS_MINUTES = np.array([m for m, _ in CLASSES], dtype=float)
_WEEKEND_CLASS_MINUTES = np.array(WEEKEND_CLASSES, dtype=float)


# --- calendar -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Calendar:
    """Per-day facts of the simulated period, indexed by days since `start`."""

    start: date
    days: int
    labels: list[str]  # YYYY-MM-DD
    dow: np.ndarray  # 0 = Monday
    saturday: np.ndarray  # open 07:00–17:00
    short_day: np.ndarray  # Sundays and holidays: 08:00–13:00
    visit_factor: np.ndarray  # multiplies visit rates
    join_weight: np.ndarray  # relative chance of joining that day
    quit_factor: np.ndarray  # multiplies the leaving hazard
    gap_weight: np.ndarray  # relative chance a travel/sickness gap starts that day
    resolution: np.ndarray  # joiners of that day are New Year / post-Carnival resolutioners


def easter(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous algorithm)."""
    a, (b, c) = year % 19, divmod(year, 100)
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday) // 451
    month, day = divmod(h + weekday - 7 * m + 114, 31)
    return date(year, month, day + 1)


def holidays(first_year: int, last_year: int) -> set[date]:
    """National holidays, Carnival Monday and Tuesday, Good Friday and Corpus Christi."""
    fixed = ((1, 1), (4, 21), (5, 1), (9, 7), (10, 12), (11, 2), (11, 15), (11, 20), (12, 25))
    out: set[date] = set()
    for year in range(first_year, last_year + 1):
        out.update(date(year, m, d) for m, d in fixed)
        sunday = easter(year)
        out.update(sunday + timedelta(days=shift) for shift in (-48, -47, -2, 60))
    return out


def _season(day: date, carnival: date, amp: float) -> tuple[float, float, float, float]:
    """Visit factor, join weight, leaving factor and gap weight of one day (`carnival`: that year's Tuesday)."""
    m, d = day.month, day.day
    after_carnival = (day - carnival).days
    visit = join = quit = gap = 0.0
    if m == 1:
        visit, join, quit = visit + 0.15, join + (2.0 if d <= 20 else 1.2), quit - 0.25
        if d <= 6:
            visit, gap = visit - 0.30, gap + 2.0  # many still away
    if m == 2 and after_carnival < -3:
        visit, join = visit + 0.08, join + 0.5
    if -3 <= after_carnival <= 1:  # Saturday to Ash Wednesday
        visit, join, gap = visit - 0.55, join - 0.8, gap + 2.0
    elif 2 <= after_carnival <= 21:  # "the year starts after Carnival"
        visit, join = visit + 0.10, join + 1.0
    if m in (3, 4):
        quit += 0.35  # resolutions wear off
    if (m == 6 and d >= 20) or m == 7:
        visit, join, quit, gap = visit - 0.15, join - 0.35, quit + 0.3, gap + (2.0 if m == 7 else 0.5)
    if m == 8:
        join += 0.2
    if m in (9, 10):
        join += 0.25  # getting in shape for summer
    if m == 12:
        quit += 0.4
        if d < 15:
            join -= 0.3
        elif d < 24:
            visit, join, gap = visit - 0.2, join - 0.6, gap + 1.5
        else:
            visit, join, gap = visit - 0.6, join - 0.7, gap + 3.0
    return (float(np.clip(1 + amp * visit, 0.08, 2.0)), float(np.clip(1 + amp * join, 0.1, 6.0)),
            float(np.clip(1 + amp * quit, 0.3, 3.0)), 1 + amp * gap)


def build_calendar(start: date, end: date, amp: float) -> Calendar:
    days = (end - start).days + 1
    off = holidays(start.year, end.year)
    carnival = {year: easter(year) - timedelta(days=47) for year in range(start.year, end.year + 1)}
    season = np.empty((days, 4))
    dow = np.empty(days, dtype=np.int64)
    holiday = np.zeros(days, dtype=bool)
    resolution = np.zeros(days, dtype=bool)
    labels = []
    for i in range(days):
        day = start + timedelta(days=i)
        labels.append(day.isoformat())
        dow[i], holiday[i] = day.weekday(), day in off
        season[i] = _season(day, carnival[day.year], amp)
        resolution[i] = day.month == 1 or 2 <= (day - carnival[day.year]).days <= 21
    season[holiday, 0] *= 0.5
    season[holiday, 1] *= 0.3
    return Calendar(start, days, labels, dow, (dow == 5) & ~holiday, (dow == 6) | holiday, season[:, 0],
                    season[:, 1], season[:, 2], season[:, 3], resolution)


# --- members -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Roster:
    """Every member's identity, plan, habits and risk, drawn before the day-by-day simulation."""

    ids: list[str]
    names: list[str]
    phones: list[str]
    joined: list[date]
    join: np.ndarray  # day index (negative: joined before `start`)
    plan: np.ndarray  # index into the setting's plans
    price: np.ndarray  # per billing period
    rate: np.ndarray  # visits a week at their usual pace
    weekdays: np.ndarray  # (members, 7) weights with mean 1
    slot: np.ndarray  # usual check-in minute
    slot_sd: np.ndarray
    session: np.ndarray  # usual session minutes
    risk: np.ndarray  # multiplies the setting's hazard
    threshold: np.ndarray  # Exp(1): leaving starts when the cumulative hazard reaches it
    way: list[str]
    never_show: np.ndarray
    card_fail: np.ndarray


def _normalised(weights: Sequence[float]) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def _draw_joins(rng: np.random.Generator, cal: Calendar, s: Setting, count: int) -> np.ndarray:
    """Join days, sorted: some members joined years before the export starts, the rest join along it."""
    before = int(rng.binomial(count, s.pre_existing))
    tenure = np.clip(np.rint(rng.gamma(1.3, 420.0, before)).astype(np.int64) + 1, 1, 3650)
    weight = cal.join_weight * np.asarray(JOIN_WEEKDAY)[cal.dow] * (1 + 0.08 * np.arange(cal.days) / 365)
    cdf = np.cumsum(weight)
    new = np.minimum(np.searchsorted(cdf, rng.random(count - before) * cdf[-1], side="right"), cal.days - 1)
    return np.sort(np.concatenate([-tenure, new.astype(np.int64)]))


def _names(rng: np.random.Generator, count: int) -> list[str]:
    female = rng.random(count) < 0.55
    first_f, first_m = rng.integers(0, len(FEMALE), count), rng.integers(0, len(MALE), count)
    p = _normalised([w for _, w in SURNAMES])
    middle, last = rng.choice(len(SURNAMES), count, p=p), rng.choice(len(SURNAMES), count, p=p)
    has_middle, shouting = rng.random(count) < 0.5, rng.random(count) < 0.04  # some old systems store CAPS
    out = []
    for i in range(count):
        first = FEMALE[first_f[i]] if female[i] else MALE[first_m[i]]
        parts = [first, SURNAMES[middle[i]][0]] if has_middle[i] and middle[i] != last[i] else [first]
        name = " ".join(parts + [SURNAMES[last[i]][0]])
        out.append(name.upper() if shouting[i] else name)
    return out


def _phones(rng: np.random.Generator, count: int) -> list[str]:
    """Unique Brazilian mobiles in E.164 (+55, area code, 9 and eight digits); most from the gym's own city."""
    home = int(rng.choice(CITY_DDD))
    ddd = np.where(rng.random(count) < 0.85, home, rng.choice(ALL_DDD, count)).astype(np.int64)
    number = ddd * 10**9 + 9 * 10**8 + rng.integers(60_000_000, 100_000_000, count)
    while True:
        _, first = np.unique(number, return_index=True)
        repeated = np.ones(count, dtype=bool)
        repeated[first] = False
        if not repeated.any():
            return [f"+55{n}" for n in number.tolist()]
        number[repeated] = ddd[repeated] * 10**9 + 9 * 10**8 + rng.integers(60_000_000, 100_000_000, int(repeated.sum()))


def _weekday_weights(rng: np.random.Generator, s: Setting, count: int) -> np.ndarray:
    """Each member's preference over weekdays (Dirichlet around the gym's week), scaled to mean 1."""
    base = _normalised(CLASS_WEEK if s.classes else GYM_WEEK)
    focus = rng.choice(np.asarray(s.weekday_focus, dtype=float), count)
    raw = rng.gamma(focus[:, None] * base[None, :]) + 1e-9
    return 7 * raw / raw.sum(axis=1, keepdims=True)


def _prices(rng: np.random.Generator, s: Setting, plan: np.ndarray, joined: list[date], start: date) -> np.ndarray:
    """The list price of the year they joined (about 7% a year), some with a promotion, ending in ,90."""
    listed = np.array([p.price for p in s.plans])[plan]
    years = np.array([d.year - start.year for d in joined], dtype=float)
    promo = np.where(rng.random(plan.size) < 0.2, rng.uniform(0.8, 0.92, plan.size), 1.0)
    return np.maximum(np.round(listed * np.power(1.07, years) * promo) - 0.10, 9.90)


def draw_roster(rng: np.random.Generator, cal: Calendar, s: Setting, count: int) -> Roster:
    join = _draw_joins(rng, cal, s, count)
    joined = [cal.start + timedelta(days=d) for d in join.tolist()]
    ids = (1000 + np.cumsum(1 + rng.poisson(0.15, count))).astype(str).tolist()  # by joining, with deleted ids
    plan = rng.choice(len(s.plans), count, p=_normalised([p.weight for p in s.plans]))
    price = _prices(rng, s, plan, joined, cal.start)
    months = np.array([p.months for p in s.plans])[plan]
    cap = np.array([p.weekly_cap for p in s.plans])[plan]
    rate = np.minimum(np.clip(rng.gamma(s.rate_shape, s.rate_mean / s.rate_shape, count), 0.3, 6.5), cap)
    weekdays = _weekday_weights(rng, s, count)
    slots = CLASSES if s.classes else SLOTS
    slot = np.array([m for m, _ in slots], dtype=float)[rng.choice(len(slots), count, p=_normalised([w for _, w in slots]))]
    slot_sd = rng.uniform(10, 45, count)
    session = s.session_median * rng.lognormal(0.0, 0.25, count)
    frailty = rng.lognormal(-s.frailty_sd**2 / 2, s.frailty_sd, count)
    never_show = rng.random(count) < s.never_show
    resolution = (join >= 0) & cal.resolution[np.clip(join, 0, None)]
    commitment = np.array([p.commitment for p in s.plans])[plan]
    relative_price = (price / months) / s.plans[0].price
    risk = (frailty * np.clip((rate / s.rate_mean) ** -s.habit_effect, 0.5, 3.0) * commitment * relative_price ** s.price_elasticity
            * np.where(resolution, s.resolution_frailty, 1.0) * np.where(never_show, 2.5, 1.0))
    threshold = rng.exponential(1.0, count)
    ways = list(s.ways)
    way = [ways[i] for i in rng.choice(len(ways), count, p=_normalised(list(s.ways.values()))).tolist()]
    card_fail = np.minimum(np.where(rng.random(count) < 0.15, 4 * s.card_fail, 0.5 * s.card_fail), 0.6)
    return Roster(ids, _names(rng, count), _phones(rng, count), joined, join, plan, price, rate, weekdays, slot,
                  slot_sd, session, risk, threshold, way, never_show, card_fail)


# --- leaving -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Exit:
    """How and when a member leaves (day indices from `start`; NEVER: not within the period)."""

    way: str
    event: int  # leaving starts: habits begin to fade, visits stop, or the decision is taken
    end: int  # ended_on
    fade_days: float = 1.0
    floor: float = 0.0  # what is left of the visit rate once faded
    dunning: tuple[int, ...] = ()  # failed charges until the plan lapses
    trouble: bool = False  # the card also failed on the charges before


STAY = Exit("stay", NEVER, NEVER)


def _months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def billing_days(joined: date, months: int, start: date, until: date) -> np.ndarray:
    """Day indices of the plan's charges from just before `start` to `until`: on joining, then every `months`
    months on the same day of the month (the month's last day when it is shorter)."""
    first = max(0, _months_between(joined, start) // months - 1)
    last = _months_between(joined, until) // months + 1
    month = np.datetime64(joined, "M") + np.arange(first, last + 1) * months
    month_start = month.astype("datetime64[D]")
    length = ((month + 1).astype("datetime64[D]") - month_start).astype(np.int64)
    days = month_start + (np.minimum(joined.day, length) - 1)
    return (days - np.datetime64(start, "D")).astype(np.int64)


def _first_from(days: np.ndarray, day: int) -> int:
    i = int(np.searchsorted(days, day, side="left"))
    return int(days[i]) if i < days.size else NEVER


def leaving_day(s: Setting, cal: Calendar, join: int, risk: float, threshold: float) -> int:
    """The first day the member's cumulative leaving hazard reaches their Exp(1) threshold, or NEVER."""
    first = max(join, 0)
    tenure = np.arange(first - join, cal.days - join, dtype=float)
    hazard = s.hazard * risk * (1 + s.early_boost * np.exp(-tenure / 45)) / np.sqrt(1 + tenure / 365)
    hit = int(np.searchsorted(np.cumsum(hazard * cal.quit_factor[first:]), threshold))
    return first + hit if hit < tenure.size else NEVER


def draw_exit(rng: np.random.Generator, way: str, event: int, join: int, months: int, billing: np.ndarray) -> Exit:
    """From the day leaving starts: how visits change, when the plan ends, and whether the card fails first."""
    if event == NEVER:
        return STAY
    fade_days, floor = 1.0, 0.0
    if way == "fade":
        fade_days, floor = rng.uniform(7, 35), rng.uniform(0, 0.3)
        lag = fade_days * rng.uniform(0.8, 2.5) + rng.gamma(2.0, 7.0)
    elif way == "zombie":
        fade_days, floor = rng.uniform(5, 20), rng.uniform(0, 0.08)
        lag = rng.uniform(60, 330)
    elif way == "stop":
        lag = rng.integers(0, 22)
    elif way == "quiet":
        lag = rng.integers(0, 31)
    else:
        lag = 0
    decided = event + int(lag)
    odds = END_ODDS[way]
    u = rng.random()
    kind = RENEWAL if u < odds[0] else IMMEDIATE if u < odds[0] + odds[1] else UNPAID
    if kind == IMMEDIATE and months > 1 and rng.random() < 0.5:
        kind = RENEWAL  # longer plans mostly run to their anniversary
    renewals = billing[billing > join]
    dunning: tuple[int, ...] = ()
    if kind == RENEWAL:
        end = _first_from(renewals, decided)
    elif kind == IMMEDIATE:
        end = decided
    else:
        charge = _first_from(renewals, decided)
        if charge == NEVER:
            return Exit(way, event, NEVER, fade_days, floor)
        retries = np.cumsum(rng.integers(2, 9, int(rng.integers(1, 4))))
        dunning = (charge, *(charge + retries).tolist())
        end = dunning[-1] + int(rng.integers(1, 11))
    trouble = rng.random() < (0.6 if way == "card" else 0.12)
    return Exit(way, event, max(end, join + 1), fade_days, floor, dunning, trouble)


# --- payments ------------------------------------------------------------------------------------------------

def with_retries(rng: np.random.Generator, charges: np.ndarray, fail: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every charge paid; when the card fails, 1–3 failed attempts first, retried every few days."""
    fails = np.where(rng.random(charges.size) < fail, np.minimum(rng.geometric(0.6, charges.size), 3), 0)
    counts = fails + 1
    first = np.cumsum(counts) - counts
    step = rng.integers(1, 6, int(counts.sum()))
    step[first] = 0
    run = np.cumsum(step)
    day = np.repeat(charges, counts) + run - np.repeat(run[first], counts)
    failed = np.arange(day.size) - np.repeat(first, counts) < np.repeat(fails, counts)
    return day, failed


def payments(rng: np.random.Generator, billing: np.ndarray, leave: Exit, card_fail: float,
             days: int) -> tuple[np.ndarray, np.ndarray]:
    """Payment days and whether each failed, within the period and before the plan ended, in order."""
    cutoff = min(leave.end, days)
    stop = leave.dunning[0] if leave.dunning else cutoff
    charges = billing[(billing >= 0) & (billing < stop)]
    fail = np.full(charges.size, card_fail)
    if leave.trouble and stop < days:
        fail[-2:] = 0.7  # the card was already failing before it lapsed
    day, failed = with_retries(rng, charges, fail)
    if leave.dunning:
        day = np.concatenate([day, np.asarray(leave.dunning, dtype=np.int64)])
        failed = np.concatenate([failed, np.ones(len(leave.dunning), dtype=bool)])
    keep = day < cutoff
    day, failed = day[keep], failed[keep]
    order = np.argsort(day, kind="stable")
    return day[order], failed[order]


# --- visits --------------------------------------------------------------------------------------------------

def _add_dips(rng: np.random.Generator, pace: np.ndarray, per_year: float) -> None:
    """Weeks of lower motivation (work, a cold, exams) that pass."""
    for _ in range(int(rng.poisson(per_year * pace.size / 365))):
        at, length, depth = int(rng.integers(0, pace.size)), int(rng.integers(14, 61)), rng.uniform(0.3, 0.8)
        part = pace[at:at + length]
        part *= 1 - depth * np.sin(np.pi * np.arange(part.size) / length)


def _add_dormancy(rng: np.random.Generator, pace: np.ndarray, per_year: float) -> None:
    """Months of hardly coming (work, a baby, lost interest) while the plan keeps being paid, then a return."""
    for _ in range(int(rng.poisson(per_year * pace.size / 365))):
        at, length = int(rng.integers(0, pace.size)), int(rng.integers(45, 241))
        pace[at:at + length] *= 0.05
        back = pace[at + length:at + length + 28]
        back *= np.linspace(0.3, 1.0, back.size)


def _add_gaps(rng: np.random.Generator, pace: np.ndarray, gap_weight: np.ndarray, per_year: float) -> None:
    """Travel or sickness: no visits for days to weeks (more often in the holidays), then a slow return."""
    count = int(rng.poisson(per_year * pace.size / 365))
    if count == 0:
        return
    cdf = np.cumsum(gap_weight)
    for at in np.searchsorted(cdf, rng.random(count) * cdf[-1], side="right").tolist():
        length = int(np.clip(rng.lognormal(np.log(10), 0.6), 4, 75))
        pace[at:at + length] = 0.0
        back = pace[at + length:at + length + 14]
        back *= np.linspace(0.5, 1.0, back.size)


def _apply_exit(pace: np.ndarray, leave: Exit, first: int) -> None:
    at = leave.event - first
    if at >= pace.size:
        return
    tail = pace[max(at, 0):]
    if leave.way in ("fade", "zombie"):
        tail *= leave.floor + (1 - leave.floor) * np.exp(-np.arange(tail.size) / leave.fade_days)
    elif leave.way == "stop":
        tail[:] = 0.0
    else:
        tail *= 0.9  # leaving without warning: barely any change


def visit_days(rng: np.random.Generator, cal: Calendar, s: Setting, r: Roster, i: int, leave: Exit,
               first: int, cutoff: int) -> tuple[np.ndarray, np.ndarray]:
    """Days visited in [first, cutoff), and the member's motivation on each (0–1: lower, shorter sessions)."""
    size = cutoff - first
    if size <= 0 or r.never_show[i]:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    t = np.arange(size)
    span = slice(first, cutoff)
    pace = 1.0 + 0.35 * np.exp(-(t + first - r.join[i]) / 21.0)  # the first weeks' enthusiasm
    _add_dips(rng, pace, s.dips_per_year)
    _add_gaps(rng, pace, cal.gap_weight[span], s.gaps_per_year)
    _add_dormancy(rng, pace, s.dormant_per_year)
    _apply_exit(pace, leave, first)
    sigma = s.irregularity
    weekly = np.exp(rng.normal(-sigma * sigma / 2, sigma, size // 7 + 1))[t // 7]
    chance = (r.rate[i] / 7) * r.weekdays[i][cal.dow[span]] * cal.visit_factor[span] * pace * weekly
    went = rng.random(size) < np.minimum(chance, 0.95)
    return t[went] + first, np.minimum(pace[went], 1.0)


def checkin_minutes(rng: np.random.Generator, cal: Calendar, days: np.ndarray, slot: float, slot_sd: float,
                    classes: bool) -> np.ndarray:
    """Check-in time of each visit: near the member's usual hour (or class), other hours now and then."""
    n = days.size
    if classes:
        other = _CLASS_MINUTES[rng.integers(0, _CLASS_MINUTES.size, n)]
        minutes = np.where(rng.random(n) < 0.2, other, slot) - rng.integers(2, 13, n)
        weekend = _WEEKEND_CLASS_MINUTES[rng.integers(0, _WEEKEND_CLASS_MINUTES.size, n)] - rng.integers(2, 13, n)
        saturday, short = weekend, weekend
    else:
        pick = np.minimum(np.searchsorted(_SLOT_CDF, rng.random(n), side="right"), _SLOT_MINUTES.size - 1)
        minutes = np.where(rng.random(n) < 0.12, _SLOT_MINUTES[pick], slot) + rng.normal(0, slot_sd, n)
        saturday, short = rng.normal(570, 80, n), rng.normal(600, 50, n)
    minutes = np.clip(minutes, OPEN, LAST_CHECKIN)
    minutes = np.where(cal.saturday[days], np.clip(saturday, SATURDAY_HOURS[0], SATURDAY_HOURS[1] - 40), minutes)
    minutes = np.where(cal.short_day[days], np.clip(short, SHORT_DAY_HOURS[0], SHORT_DAY_HOURS[1] - 40), minutes)
    return np.rint(minutes).astype(np.int64)


def session_minutes(rng: np.random.Generator, cal: Calendar, days: np.ndarray, minutes: np.ndarray,
                    motivation: np.ndarray, usual: float, classes: bool) -> np.ndarray:
    """20–150 minutes, ending by closing time; classes last about the class, others vary and shrink when fading."""
    n = days.size
    if classes:
        length = rng.normal(56, 5, n)
    else:
        length = usual * rng.lognormal(0, 0.18, n) * np.where(cal.dow[days] >= 5, 1.1, 1.0) * (0.7 + 0.3 * motivation)
    closing = np.where(cal.short_day[days], SHORT_DAY_HOURS[1], np.where(cal.saturday[days], SATURDAY_HOURS[1], CLOSE))
    return np.minimum(np.clip(np.rint(length), MIN_SESSION, MAX_SESSION), closing - minutes).astype(np.int64)


# --- files ---------------------------------------------------------------------------------------------------

def _write_members(path: Path, s: Setting, r: Roster) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(["member_id", "name", "phone", "joined_on", "plan", "price"])
        for i, plan in enumerate(r.plan.tolist()):
            out.writerow([r.ids[i], r.names[i], r.phones[i], r.joined[i].isoformat(), s.plans[plan].name,
                          f"{r.price[i]:.2f}"])


def generate(out_dir: Path, *, members: int = 2000, start: date = date(2024, 1, 1), end: date = date(2026, 11, 30),
             seed: int = 0, setting: str = "default") -> None:
    """Write members.csv, checkins.csv, payments.csv and memberships_ended.csv for one simulated gym."""
    if setting not in SETTINGS:
        raise ValueError(f"unknown setting {setting!r}; expected one of {sorted(SETTINGS)}")
    if members < 1 or end < start:
        raise ValueError("need at least one member and end on or after start")
    s = SETTINGS[setting]
    rng = np.random.default_rng(seed)
    cal = build_calendar(start, end, s.season_amp)
    r = draw_roster(rng, cal, s, members)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_members(out_dir / "members.csv", s, r)
    clock = [f"T{m // 60:02d}:{m % 60:02d}," for m in range(24 * 60)]
    day_label, until = cal.labels, end + timedelta(days=800)
    with (open(out_dir / "checkins.csv", "w", encoding="utf-8", newline="") as visits_out,
          open(out_dir / "payments.csv", "w", encoding="utf-8", newline="") as payments_out,
          open(out_dir / "memberships_ended.csv", "w", encoding="utf-8", newline="") as ended_out):
        visits_out.write("member_id,checked_in_at,duration_min\n")
        payments_out.write("member_id,paid_on,amount,status\n")
        ended_out.write("member_id,ended_on\n")
        visit_lines: list[str] = []
        payment_lines: list[str] = []
        for i, mid in enumerate(r.ids):
            join, plan = int(r.join[i]), s.plans[int(r.plan[i])]
            billing = billing_days(r.joined[i], plan.months, start, until)
            event = leaving_day(s, cal, join, float(r.risk[i]), float(r.threshold[i]))
            leave = draw_exit(rng, r.way[i], event, join, plan.months, billing)
            pay_days, failed = payments(rng, billing, leave, float(r.card_fail[i]), cal.days)
            amount = f",{r.price[i]:.2f},"
            payment_lines += [f"{mid},{day_label[d]}{amount}{'failed' if f else 'paid'}\n"
                              for d, f in zip(pay_days.tolist(), failed.tolist())]
            days, motivation = visit_days(rng, cal, s, r, i, leave, max(join, 0), min(leave.end, cal.days))
            minutes = checkin_minutes(rng, cal, days, float(r.slot[i]), float(r.slot_sd[i]), s.classes)
            lengths = session_minutes(rng, cal, days, minutes, motivation, float(r.session[i]), s.classes)
            visit_lines += [f"{mid},{day_label[d]}{clock[m]}{u}\n"
                            for d, m, u in zip(days.tolist(), minutes.tolist(), lengths.tolist())]
            if leave.end < cal.days:
                ended_out.write(f"{mid},{day_label[leave.end]}\n")
            if i % FLUSH_EVERY == FLUSH_EVERY - 1:
                visits_out.write("".join(visit_lines))
                payments_out.write("".join(payment_lines))
                visit_lines, payment_lines = [], []
        visits_out.write("".join(visit_lines))
        payments_out.write("".join(payment_lines))


def labels(out_dir: Path, as_of: date, horizon_days: int = HORIZON_DAYS) -> Path:
    """Write labels_<as_of>.csv: every member active on `as_of`, 1 when their plan ended within the horizon."""
    out_dir = Path(out_dir)
    with open(out_dir / "memberships_ended.csv", encoding="utf-8", newline="") as handle:
        ended = {row["member_id"]: date.fromisoformat(row["ended_on"]) for row in csv.DictReader(handle)}
    horizon = as_of + timedelta(days=horizon_days)
    path = out_dir / f"labels_{as_of.isoformat()}.csv"
    with (open(out_dir / "members.csv", encoding="utf-8", newline="") as handle,
          open(path, "w", encoding="utf-8", newline="") as out_handle):
        out = csv.writer(out_handle, lineterminator="\n")
        out.writerow(["member_id", "churned_within_60d"])
        for row in csv.DictReader(handle):
            left = ended.get(row["member_id"])
            if date.fromisoformat(row["joined_on"]) > as_of or (left is not None and left <= as_of):
                continue
            out.writerow([row["member_id"], int(left is not None and left <= horizon)])
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.gym_history", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--setting", choices=sorted(SETTINGS), default="default")
    parser.add_argument("--start", type=date.fromisoformat, default=date(2024, 1, 1))
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 11, 30))
    parser.add_argument("--as-of", type=date.fromisoformat, help="also write labels_<as_of>.csv")
    parser.add_argument("--horizon-days", type=int, default=HORIZON_DAYS)
    args = parser.parse_args(argv)
    generate(args.out_dir, members=args.members, start=args.start, end=args.end, seed=args.seed, setting=args.setting)
    if args.as_of:
        print(labels(args.out_dir, args.as_of, args.horizon_days))


if __name__ == "__main__":
    main()

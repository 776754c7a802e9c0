"""The demo studio's last twelve weeks, up to now: personal sessions with Ana and Bruno and spinning classes, most of
them attended with a check-in, some no-shows and cancellations, busier from Monday to Thursday evenings and a little
busier each week as new clients join; the packs and plans that paid for them; and recent WhatsApp chats. So the
dashboard's charts, the calendar's past weeks, the client pages and the inbox look like a studio in use.

Everything is planned in Python first (one seeded random generator: the same `now` gives the same rows), checked
against the rules the booking code enforces (the trainer's weekly hours, no two live sessions of a trainer
overlapping, a class's capacity, one seat per client), then inserted in batches. Nothing is left for the workers:
every past booking is finished (completed, checked in, a no-show or cancelled), which the reminder planner never
picks up; every message is already delivered and processed; and no client here said yes to news, so none gets a
weekly summary.
"""
from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import (
    Appointment,
    Booking,
    BookingEvent,
    Business,
    CheckIn,
    Client,
    Conversation,
    CreditBalance,
    CreditEntry,
    InboundMessage,
    Membership,
    OutboundMessage,
    Product,
    Purchase,
    Service,
    Staff,
)
from domain.payments.products import membership_ends_on
from domain.scheduling.availability import WeeklyRule
from domain.scheduling.calendar_data import weekly_rules

WEEKS = 12  # full weeks before this one; this week's past days come too
SEED = 1212
CHAT_DAYS = 21  # how far back the chats go
SETTLED = timedelta(minutes=20)  # a session is history once it ended this long ago (the no-show check runs at 15)
REGULARS, JOINERS = 24, 20  # clients from before the twelve weeks, and those who joined during them

ANA, BRUNO = "Ana Paula", "Bruno Costa"
PERSONAL, SHORT, ASSESSMENT, SPINNING = "Personal 60 min", "Personal 30 min", "Avaliação física", "Spinning"
PACK_8, PACK_4, MONTHLY = "Pacote 8 aulas", "Pacote 4 aulas", "Plano mensal ilimitado"
WEEKDAYS = ("seg", "ter", "qua", "qui", "sex", "sáb", "dom")
FIRST_NAMES = ("Beatriz", "Lucas", "Fernanda", "Gustavo", "Juliana", "Pedro", "Mariana", "Rodrigo", "Aline", "Thiago",
               "Letícia", "Bruna", "Caio", "Renata", "Eduardo", "Priscila", "Vinícius", "Débora", "Leonardo", "Tatiane",
               "André", "Patrícia", "Mateus", "Simone", "Fábio", "Luana", "Ricardo", "Jéssica", "Daniel", "Cristina",
               "Igor", "Helena", "Murilo", "Bianca", "Sérgio", "Viviane", "Wesley", "Lívia", "Gabriel", "Raquel",
               "Samuel", "Carolina", "Roberto", "Elaine")
LAST_NAMES = ("Pereira", "Ribeiro", "Carvalho", "Araújo", "Melo", "Nascimento", "Teixeira", "Moreira", "Correia",
              "Pinto", "Batista", "Freitas", "Monteiro", "Nunes", "Vieira", "Azevedo", "Moura", "Cavalcanti", "Santana")


@dataclass(frozen=True)
class Slot:
    """A place in the studio's week: weekday, local start, trainer and service."""

    weekday: int
    at: time
    trainer: str
    service: str


def _slots(trainer: str, weekdays: Sequence[int], times: str, service: str = PERSONAL) -> list[Slot]:
    return [Slot(d, time.fromisoformat(t), trainer, service) for d in weekdays for t in times.split()]


WEEKDAYS_ONLY = range(5)
# Personal sessions 75 minutes apart (a 60-minute session and its 10-minute buffer never reach the next one), inside
# the trainers' hours and clear of Bruno's classes.
PERSONAL_SLOTS = (_slots(ANA, WEEKDAYS_ONLY, "06:00 07:15 08:30 09:45 11:00 16:00 17:15 18:30 19:45")
                  + _slots(ANA, (5,), "08:00 09:15 10:30")
                  + _slots(BRUNO, (0, 2, 4), "07:00 08:15 09:30") + _slots(BRUNO, (1, 3), "08:00 09:15")
                  + _slots(BRUNO, WEEKDAYS_ONLY, "16:00 17:15 20:00") + _slots(BRUNO, (5,), "10:00"))
CLASS_SLOTS = (_slots(BRUNO, WEEKDAYS_ONLY, "19:00", SPINNING) + _slots(BRUNO, (1, 3), "07:00", SPINNING)
               + _slots(BRUNO, (5,), "09:00", SPINNING))


def demand(slot: Slot) -> float:
    """How much clients want a slot: Monday to Thursday evenings most, then early mornings."""
    if slot.weekday == 5:
        return 1.2
    if slot.at.hour >= 17:
        return 1.3 if slot.weekday == 4 else 4.0
    if slot.at.hour < 9:
        return 2.0
    return 1.5 if slot.at.hour == 16 else 0.8


@dataclass
class Person:
    """A client of the studio's past and their habits."""

    name: str
    phone: str
    since: datetime  # client since
    habits: list[Slot]
    pays: str  # a pack's or the plan's product name
    chatty: bool  # books and checks in through WhatsApp
    show_up: float  # the chance of coming to a habitual slot in a given week
    no_show: float
    first_week: int = 0  # the week index of their first visit
    until: date | None = None  # stopped coming after this day
    gym: float = 0.0  # visits a week to the gym floor (a QR check-in, no booking)
    client_id: int | None = None


@dataclass
class Session:
    """An appointment in a trainer's calendar."""

    slot: Slot
    starts_at: datetime
    ends_at: datetime
    blocked_from: datetime
    blocked_until: datetime
    capacity: int
    created_at: datetime
    status: str = "scheduled"
    updated_at: datetime | None = None


@dataclass
class Seat:
    """A booking and what became of it."""

    session: int
    person: int
    created_at: datetime
    actor: str  # who booked: client (in the chat) | trainer (the panel)
    status: str = "booked"
    events: list[tuple[str | None, str, str, dict[str, Any] | None, datetime]] = field(default_factory=list)
    paid_with: str = "none"
    cancelled_at: datetime | None = None
    late: bool = False
    confirmed_at: datetime | None = None
    check_in: tuple[datetime, str] | None = None

    def move(self, to: str, actor: str, at: datetime, detail: dict[str, Any] | None = None) -> None:
        self.events.append((self.status, to, actor, detail, at))
        self.status = to


@dataclass
class Pack:
    """A pack bought, and every credit movement pointing at it: (kind, delta, seat, at)."""

    person: int
    product: str
    bought_at: datetime
    expires_at: datetime
    moves: list[tuple[str, int, int | None, datetime]] = field(default_factory=list)

    @property
    def left(self) -> int:
        return sum(delta for _, delta, _, _ in self.moves)


@dataclass
class Message:
    person: int
    at: datetime
    inbound: bool
    kind: str
    body: str
    payload: dict[str, Any]
    seat: int | None = None  # the booking a reminder is about: its id goes into the buttons


@dataclass
class Plan:
    people: list[Person]
    sessions: list[Session] = field(default_factory=list)
    seats: list[Seat] = field(default_factory=list)
    walk_ins: list[tuple[int, datetime]] = field(default_factory=list)
    packs: list[Pack] = field(default_factory=list)
    plans: list[tuple[int, date, date, datetime]] = field(default_factory=list)  # person, from, to, bought at
    messages: list[Message] = field(default_factory=list)


@dataclass
class Taken:
    """What is already booked while planning: trainers' personal slots, class seats, each client's own time."""

    personal: set[tuple[str, date, time]] = field(default_factory=set)  # (trainer, day, start)
    classes: dict[tuple[date, time], int] = field(default_factory=dict)  # (day, start) → session index
    seated: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))  # class → people with a seat
    busy: dict[int, list[tuple[datetime, datetime]]] = field(default_factory=lambda: defaultdict(list))  # person → spans

    def free(self, who: int, start: datetime, end: datetime) -> bool:
        return all(end <= a or b <= start for a, b in self.busy[who])


@dataclass(frozen=True)
class Catalog:
    """What the seeded business offers, as the plan needs it."""

    staff: dict[str, int]
    services: dict[str, Service]
    products: dict[str, Product]
    hours: dict[str, list[WeeklyRule]]
    checkin_code: str


async def seed_past_weeks(session: AsyncSession, shop: Business, named: list[Client], now: datetime) -> Plan:
    """Plan the studio's last twelve weeks for the named demo clients and forty more, check the plan, insert it."""
    catalog = await load_catalog(session, shop)
    tz = ZoneInfo(shop.timezone)
    plan = plan_past(catalog, [(c.profile_name or "", c.phone_e164 or "", c.created_at) for c in named], tz, now)
    for person, client in zip(plan.people, named, strict=False):
        person.client_id = client.id
    existing = (await session.execute(select(Appointment).where(Appointment.business_id == shop.id))).scalars().all()
    check_rules(plan, catalog, tz, existing)
    await _write(session, shop, catalog, plan)
    return plan


async def load_catalog(session: AsyncSession, shop: Business) -> Catalog:
    """The business's trainers, services, products and trainers' weekly hours, by name."""
    staff = {name: staff_id for name, staff_id in (await session.execute(
        select(Staff.name, Staff.id).where(Staff.business_id == shop.id))).all()}
    services = {s.name: s for s in (await session.execute(select(Service).where(Service.business_id == shop.id))).scalars()}
    products = {p.name: p for p in (await session.execute(select(Product).where(Product.business_id == shop.id))).scalars()}
    hours = {name: await weekly_rules(session, shop.id, staff_id) for name, staff_id in staff.items()}
    return Catalog(staff, services, products, hours, shop.checkin_code or "")


# --- the plan ---------------------------------------------------------------------------------------------------


def plan_past(catalog: Catalog, named: list[tuple[str, str, datetime]], tz: ZoneInfo, now: datetime) -> Plan:
    """The twelve weeks before this one and this week's past, for the named clients and the generated ones."""
    rng = random.Random(SEED)
    today = now.astimezone(tz).date()
    first_monday = today - timedelta(days=today.weekday(), weeks=WEEKS)
    plan = Plan(_people(rng, named, first_monday, tz))
    cutoff = now - SETTLED
    taken = Taken()
    for week in range(WEEKS + 1):
        monday = first_monday + timedelta(weeks=week)
        for slot in CLASS_SLOTS:  # the timetable is published three weeks ahead
            starts = _at(monday + timedelta(days=slot.weekday), slot.at, tz)
            if starts + timedelta(minutes=catalog.services[SPINNING].duration_min) <= cutoff:
                taken.classes[(monday + timedelta(days=slot.weekday), slot.at)] = len(plan.sessions)
                plan.sessions.append(_session(catalog, slot, starts, starts - timedelta(days=21)))
        wants = _wants(rng, plan.people, week, monday)
        rng.shuffle(wants)
        for who, slot, day in wants:
            _book(rng, plan, catalog, taken, who, slot, day, tz, cutoff)
        _walk_ins(rng, plan, week, monday, tz, cutoff)
    _pay(rng, plan, catalog, first_monday, tz, now)
    _chats(rng, plan, catalog, tz, now)
    return plan


def _people(rng: random.Random, named: list[tuple[str, str, datetime]], first_monday: date, tz: ZoneInfo) -> list[Person]:
    """The named demo clients, regulars from before the twelve weeks (two of whom stop coming) and joiners."""
    taken: set[Slot] = set()

    def personal(trainer: str) -> Slot:
        free = [s for s in PERSONAL_SLOTS if s not in taken and s.trainer == trainer]
        slot = rng.choices(free, [demand(s) for s in free])[0]
        taken.add(slot)
        return slot

    def spinning(k: int) -> list[Slot]:
        picked: list[Slot] = []
        while len(picked) < k:
            slot = rng.choices(CLASS_SLOTS, [demand(s) for s in CLASS_SLOTS])[0]
            if slot not in picked:
                picked.append(slot)
        return picked

    def fixed(weekday: int, at: str, trainer: str, service: str = PERSONAL) -> Slot:
        slot = Slot(weekday, time.fromisoformat(at), trainer, PERSONAL)
        assert slot in PERSONAL_SLOTS
        taken.add(slot)
        return Slot(weekday, slot.at, trainer, service)

    # Maria trains with Ana in the mornings, João rides, Carla has short sessions with Bruno; Maria's chat stays
    # empty (the simulator starts it), João and Carla use WhatsApp.
    habits = [[fixed(0, "07:15", ANA), fixed(2, "07:15", ANA), Slot(3, time(19), BRUNO, SPINNING)],
              [Slot(1, time(19), BRUNO, SPINNING), Slot(3, time(19), BRUNO, SPINNING), Slot(5, time(9), BRUNO, SPINNING)],
              [fixed(1, "17:15", BRUNO, SHORT), fixed(3, "17:15", BRUNO, SHORT), Slot(0, time(19), BRUNO, SPINNING)]]
    people = [Person(name, phone, since, habits[n % 3], PACK_8, chatty=n % 3 != 0, show_up=0.9,
                     no_show=(0.03, 0.08, 0.04)[n % 3]) for n, (name, phone, since) in enumerate(named)]
    names = iter(_names(rng))
    start = datetime.combine(first_monday, time(), tz)
    for n in range(REGULARS + JOINERS):
        joiner = n >= REGULARS
        # Joiners mostly came for the gym floor on the monthly plan, with a spinning class or two.
        kind = rng.choices(("spin", "personal", "mixed"), (0.55, 0.2, 0.25) if joiner else (0.45, 0.35, 0.2))[0]
        trainer = rng.choices((ANA, BRUNO), (0.6, 0.4))[0]
        own: list[Slot] = []
        if kind != "spin":
            for _ in range(1 if kind == "mixed" else rng.choice((1, 2, 2))):
                slot = personal(trainer)
                short = slot.trainer == BRUNO and rng.random() < 0.3
                own.append(Slot(slot.weekday, slot.at, slot.trainer, SHORT if short else PERSONAL))
        own += spinning({"spin": rng.choice((1, 1, 2) if joiner else (1, 2, 2, 3)), "personal": 0, "mixed": 1}[kind])
        first_week = 1 + int(WEEKS * rng.random() ** 0.8) if joiner else 0  # more of them lately, some this week
        since = (start + timedelta(weeks=first_week, days=-rng.randint(0, 9), hours=rng.randint(8, 20)) if joiner
                 else start - timedelta(days=rng.randint(30, 500), hours=rng.randint(0, 12)))
        pays = rng.choices((MONTHLY, PACK_8, PACK_4), (0.8, 0.2, 0.0) if joiner else (0.4, 0.45, 0.15))[0]
        person = Person(next(names), f"+5511985{n + 1:06d}", since.astimezone(UTC), own, pays, chatty=rng.random() < 0.45,
                        show_up=rng.uniform(0.7, 0.95), no_show=rng.uniform(0.01, 0.09), first_week=first_week)
        if pays == MONTHLY:
            person.gym = rng.uniform(2.5, 4.0) if joiner else rng.uniform(0.0, 1.0)
        if n in (3, 11):  # two regulars faded away halfway through
            person.until = first_monday + timedelta(weeks=rng.randint(5, 8), days=rng.randint(0, 6))
        people.append(person)
    return people


def _names(rng: random.Random) -> list[str]:
    """Forty names, no first name twice, none of the demo's other clients' names."""
    lasts = list(LAST_NAMES)
    return [f"{first} {rng.choice(lasts)}" for first in rng.sample(FIRST_NAMES, len(FIRST_NAMES))]


def _wants(rng: random.Random, people: list[Person], week: int, monday: date) -> list[tuple[int, Slot, date]]:
    """Who wants which slot this week: habits most weeks, now and then one more class, a joiner's assessment first."""
    wants = []
    for i, person in enumerate(people):
        if week < person.first_week:
            continue
        if week == person.first_week and person.first_week > 0:  # the first visit: Ana assesses the new client
            slot = rng.choice([s for s in PERSONAL_SLOTS if s.trainer == ANA and s.weekday < 5])
            wants.append((i, Slot(slot.weekday, slot.at, ANA, ASSESSMENT), monday + timedelta(days=slot.weekday)))
        for slot in person.habits:
            if rng.random() < person.show_up:
                wants.append((i, slot, monday + timedelta(days=slot.weekday)))
        if rng.random() < 0.15:
            extra = rng.choices(CLASS_SLOTS, [demand(s) for s in CLASS_SLOTS])[0]
            wants.append((i, extra, monday + timedelta(days=extra.weekday)))
    return [(i, slot, day) for i, slot, day in wants if people[i].until is None or day <= people[i].until]


def _book(rng: random.Random, plan: Plan, catalog: Catalog, taken: Taken, who: int, slot: Slot, day: date, tz: ZoneInfo,
          cutoff: datetime) -> None:
    """A seat in the day's class if one is left, or the trainer's nearest free slot that day; booked a few days
    before, and what became of it."""
    person = plan.people[who]
    if slot.service == SPINNING:
        index = taken.classes.get((day, slot.at))
        if index is None or len(taken.seated[index]) >= plan.sessions[index].capacity or who in taken.seated[index]:
            return  # not held yet (later today), full, or already in
        session = plan.sessions[index]
    else:
        free = [s for s in PERSONAL_SLOTS if s.trainer == slot.trainer and s.weekday == slot.weekday
                and (slot.trainer, day, s.at) not in taken.personal]
        if not free:
            return
        nearest = min(free, key=lambda s: abs(s.at.hour * 60 + s.at.minute - slot.at.hour * 60 - slot.at.minute))
        starts = _at(day, nearest.at, tz)
        if starts + timedelta(minutes=catalog.services[slot.service].duration_min) > cutoff:
            return
        index, session = len(plan.sessions), _session(catalog, Slot(slot.weekday, nearest.at, slot.trainer, slot.service),
                                                      starts, starts)
    created = _booked_at(rng, session.starts_at, slot.service == SPINNING, tz)
    if created < person.since or not taken.free(who, session.starts_at, session.ends_at):
        return
    if slot.service != SPINNING:  # a personal session's time is taken when it is booked
        taken.personal.add((slot.trainer, day, session.slot.at))
        session.created_at = session.updated_at = created
        plan.sessions.append(session)
    # Those who use WhatsApp book there; the others at the front desk, where staff book them in the panel.
    seat = Seat(index, who, created, "client" if person.chatty else "trainer")
    seat.events.append((None, "booked", seat.actor, None, created))
    _outcome(rng, seat, session, person)
    if seat.status != "cancelled":
        taken.seated[index].append(who)
        taken.busy[who].append((session.starts_at, session.ends_at))
    plan.seats.append(seat)


def _booked_at(rng: random.Random, starts: datetime, group: bool, tz: ZoneInfo) -> datetime:
    """When a session was booked: a few days ahead (classes sometimes the same day), between 07:00 and 22:00."""
    days = rng.choice((0, 1, 1, 2, 3)) if group else rng.randint(1, 6)
    local = starts.astimezone(tz)
    if days == 0 and local.hour >= 12:
        at = local - timedelta(hours=rng.uniform(3, local.hour - 8))
    else:
        at = datetime.combine(local.date() - timedelta(days=max(days, 1)), time(rng.randint(7, 21), rng.randint(0, 59)), tz)
    return at.astimezone(UTC).replace(second=rng.randint(0, 59), microsecond=0)


def _outcome(rng: random.Random, seat: Seat, session: Session, person: Person) -> None:
    """Most come (checked in a few minutes early); some cancel in time, some too late, a few do not show up."""
    start, end = session.starts_at, session.ends_at
    roll = rng.random()
    if roll < 0.08 and start - seat.created_at > timedelta(hours=3):
        timely = rng.random() < 0.6 and start - seat.created_at > timedelta(hours=16)
        at = (seat.created_at + (start - timedelta(hours=13) - seat.created_at) * rng.uniform(0.2, 0.9) if timely
              else max(seat.created_at + timedelta(minutes=30), start - timedelta(hours=rng.uniform(1, 10))))
        at = at.replace(microsecond=0)
        seat.cancelled_at, seat.late = at, not timely
        seat.move("cancelled", "client", at, {"reason": None, "late": not timely})
        if session.slot.service != SPINNING:  # a cancelled personal session frees the trainer's time
            session.status, session.updated_at = "cancelled", at
        return
    reminded = start - timedelta(hours=2)  # the reminder's "Confirmo" button (those on WhatsApp tap it)
    if person.chatty and seat.created_at < reminded and rng.random() < 0.6:
        seat.confirmed_at = reminded + timedelta(minutes=rng.randint(2, 50), seconds=rng.randint(0, 59))
        seat.move("confirmed", "client", seat.confirmed_at)
    if roll < 0.08 + person.no_show:
        seat.move("no_show", "system", end + timedelta(minutes=15))
        return
    if rng.random() < 0.93:
        method = rng.choices(("chat", "qr", "staff"), (0.6, 0.3, 0.1) if person.chatty else (0.0, 0.75, 0.25))[0]
        at = start - timedelta(minutes=rng.randint(2, 20), seconds=rng.randint(0, 59))
        seat.check_in = (at, method)
        seat.move("checked_in", "trainer" if method == "staff" else "client", at, {"method": method})
        if rng.random() < 0.12:
            return  # the trainer never marked it completed
    seat.move("completed", "trainer", end + timedelta(minutes=rng.randint(1, 14)))


def _walk_ins(rng: random.Random, plan: Plan, week: int, monday: date, tz: ZoneInfo, cutoff: datetime) -> None:
    """Plan members on the gym floor: a QR check-in, no booking."""
    for i, person in enumerate(plan.people):
        if not person.gym or week < person.first_week:
            continue
        for weekday in range(6):
            if rng.random() < person.gym / 6:
                day = monday + timedelta(days=weekday)
                at = _at(day, time(rng.choice((6, 7, 8, 12, 17, 18, 19, 20)), rng.randint(0, 59), rng.randint(0, 59)), tz)
                if person.since < at < cutoff and (person.until is None or day <= person.until):
                    plan.walk_ins.append((i, at))


def _session(catalog: Catalog, slot: Slot, starts: datetime, created: datetime) -> Session:
    service = catalog.services[slot.service]
    ends = starts + timedelta(minutes=service.duration_min)
    return Session(slot, starts, ends, starts - timedelta(minutes=service.buffer_before_min),
                   ends + timedelta(minutes=service.buffer_after_min), service.capacity, created, updated_at=created)


def _at(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tz).astimezone(UTC)


def _pay(rng: random.Random, plan: Plan, catalog: Catalog, first_monday: date, tz: ZoneInfo, now: datetime) -> None:
    """Pay for every seat as the rules would have: the client's monthly plan, else a credit from the pack that expires
    soonest (a new pack bought when none is left); a timely cancel gives the credit back, a late one or a no-show
    does not; what is left of a pack past its date expires."""
    seats_of: dict[int, list[int]] = defaultdict(list)
    for i, seat in enumerate(plan.seats):
        seats_of[seat.person].append(i)
    for who, person in enumerate(plan.people):
        mine = seats_of.get(who, [])
        if person.pays == MONTHLY:  # month after month since they joined (until they stopped coming), as paid in FitZap
            start, bought = person.since.astimezone(tz).date(), person.since
            last = min(now.astimezone(tz).date(), person.until or now.astimezone(tz).date())
            while start <= last:
                ends = membership_ends_on(start, catalog.products[MONTHLY].period or "month")
                if ends >= first_monday:  # the months before were paid in the studio's old system
                    plan.plans.append((who, start, ends, bought))
                start = ends + timedelta(days=1)
                bought = _at(start, time(9, rng.randint(0, 59)), tz)
            for i in mine:
                plan.seats[i].paid_with = "membership"
            continue
        product = catalog.products[person.pays]
        moves = sorted([(plan.seats[i].created_at, 0, i) for i in mine]
                       + [(at, 1, i) for i in mine if (at := plan.seats[i].cancelled_at) and not plan.seats[i].late])
        packs: list[Pack] = []
        spent_from: dict[int, Pack] = {}
        for at, refund, i in moves:
            if refund:
                spent_from[i].moves.append(("refund", 1, i, at))
                continue
            _expire(packs, at)
            live = [p for p in packs if p.expires_at > at and p.left > 0]
            if not live:
                bought = at - timedelta(minutes=3)
                live = [Pack(who, person.pays, bought, bought + timedelta(days=product.validity_days or 30),
                             [("purchase", product.credits or 1, None, bought)])]
                packs += live
            spent_from[i] = min(live, key=lambda p: p.expires_at)
            spent_from[i].moves.append(("spend", -1, i, at))
            plan.seats[i].paid_with = "credit"
        _expire(packs, now)
        plan.packs += packs


def _expire(packs: list[Pack], at: datetime) -> None:
    for pack in packs:
        if pack.expires_at <= at and pack.left > 0:
            pack.moves.append(("expire", -pack.left, None, pack.expires_at))


# --- the chats ----------------------------------------------------------------------------------------------------


QUESTIONS = (  # what the client asked, what the owner answered from the panel, the client's thanks
    ("Oi! Vocês têm estacionamento? Queria falar com alguém", "Oi, {first}! Aqui é a Dona do Studio 😊 Temos sim: 3 vagas "
     "em frente ao studio, é só avisar na recepção.", "Perfeito, obrigada!"),
    ("Posso levar uma amiga pra fazer uma aula experimental de spinning? atendente", "Oi, {first}! Aqui é a Dona do Studio. "
     "Claro, a primeira aula dela é por nossa conta 🎉 Me passa o nome dela que eu reservo a bike.",
     "Oba! É a Lara, vamos na quinta 19h"),
    ("O studio abre no feriado? Quero falar com uma pessoa", "Oi, {first}! Aqui é a Dona do Studio. No feriado abrimos "
     "das 8h às 12h, com spinning às 9h 💪", "Valeu!"),
)
HANDOFF = "Já chamei alguém da equipe pra falar com você 🙋 Enquanto isso eu fico quietinho por aqui."
CHECKED_IN = "Check-in feito ✅ Bom treino! 💪"
REMINDER_BUTTONS = (("confirm", "Confirmo"), ("reschedule", "Remarcar"), ("cancel", "Cancelar"))


def _chats(rng: random.Random, plan: Plan, catalog: Catalog, tz: ZoneInfo, now: datetime) -> None:
    """The last three weeks of WhatsApp with the clients who use it: booking, reminders, "cheguei", a cancel, a
    question a person answered."""
    since = now - timedelta(days=CHAT_DAYS)
    by_person: dict[int, list[int]] = defaultdict(list)
    for i, seat in enumerate(plan.seats):
        if plan.people[seat.person].chatty and seat.created_at >= since:
            by_person[seat.person].append(i)
    others = list(QUESTIONS[1:])
    for who, seats in sorted(by_person.items()):
        chat: list[Message] = []
        for i in sorted(seats, key=lambda i: plan.seats[i].created_at)[-4:]:
            chat += _about(rng, plan, catalog, i, tz, chat)
        if who == 2 or (who > 2 and others and rng.random() < 0.25):  # Carla, and two more, asked for a person
            chat += _question(rng, plan.people[who], who, QUESTIONS[0] if who == 2 else others.pop(0), tz, now)
        plan.messages += [m for m in chat if m.at < now]


def _about(rng: random.Random, plan: Plan, catalog: Catalog, index: int, tz: ZoneInfo, chat: list[Message]) -> list[Message]:
    """The messages one booking brought: made in the chat, reminded, confirmed, checked in, missed or cancelled."""
    seat = plan.seats[index]
    session, person = plan.sessions[seat.session], plan.people[seat.person]
    service, trainer, when = session.slot.service, session.slot.trainer, _when(session.starts_at, tz)
    out: list[Message] = []

    def say(at: datetime, inbound: bool, kind: str, body: str, payload: dict[str, Any] | None = None) -> None:
        out.append(Message(seat.person, at, inbound, kind, body, payload or {"body": body}, index))

    def buttons(at: datetime, body: str, *choices: tuple[str, str]) -> None:
        say(at, False, "buttons", body, {"body": body, "buttons": [{"id": i, "title": t} for i, t in choices]})

    def window_open(at: datetime) -> bool:  # free-form messages only within 24 h of the client's last one
        return any(m.inbound and timedelta(0) <= at - m.at < timedelta(hours=24) for m in chat + out)

    made = seat.created_at
    if seat.actor == "client":
        day, hour = WEEKDAYS[session.slot.weekday], f"{session.slot.at:%H:%M}"
        ask = (f"Tem vaga no spinning {day} às {session.slot.at:%H}h?" if service == SPINNING
               else rng.choice(("Oi! Quero marcar {s} {d} às {h}", "Tem horário {d} {h} com {t}?", "marcar treino {d} {h}"))
               .format(s=service.lower(), d=day, h=hour, t=trainer.split()[0]))
        say(made - timedelta(seconds=75), True, "text", ask)
        buttons(made - timedelta(seconds=74),
                f"Confirma? *{service}*, {when} ({rng.randint(3, 9)} vagas)." if service == SPINNING
                else f"Confirma? *{service}*, {when}, com {trainer}.", ("confirm", "Confirmar"), ("other", "Outro horário"))
        say(made - timedelta(seconds=5), True, "interactive", "Confirmar", {"reply": "confirm"})
        paid = " Usei 1 crédito do seu pacote." if seat.paid_with == "credit" else ""
        say(made, False, "text", f"✅ Marcado! *{service}*, {when}, com {trainer}.{paid}\n"
                                 "Pra remarcar ou cancelar é só me chamar aqui.")
    local = session.starts_at.astimezone(tz)
    until = seat.cancelled_at or session.starts_at
    for due in (_at(local.date() - timedelta(days=1), local.time(), tz), session.starts_at - timedelta(hours=2)):
        if not made <= due < until:  # the business's reminders: a day and two hours before
            continue
        ids = [(f"reminder:{action}:{{booking}}", title) for action, title in REMINDER_BUTTONS]
        if window_open(due):
            buttons(due, f"Oi {person.name}! ⏰ Lembrete: *{service}* com {trainer} {when}. Você confirma?", *ids)
        else:
            params = [person.name, service, when, trainer]
            say(due, False, "template", "[template appointment_reminder] " + " | ".join(params),
                {"name": "appointment_reminder", "language": "pt_BR", "parameters": params, "buttons": [i for i, _ in ids]})
        if seat.confirmed_at is not None and due == session.starts_at - timedelta(hours=2):
            say(seat.confirmed_at, True, "interactive" if out[-1].kind == "buttons" else "button", "Confirmo",
                {"reply": ids[0][0]})
            say(seat.confirmed_at + timedelta(seconds=1), False, "text", "Presença confirmada ✅ Até lá!")
    if seat.cancelled_at is not None:
        at = seat.cancelled_at
        say(at - timedelta(seconds=50), True, "text",
            rng.choice(("Não vou conseguir ir, pode cancelar?", "surgiu um imprevisto 😕 cancela meu treino pfv")))
        policy = ("⚠️ Faltam menos de 12h: cancelando agora, o crédito *não* volta." if seat.late
                  else "Você está dentro do prazo: o crédito volta pra você." if seat.paid_with == "credit"
                  else "Sem custo nenhum.")
        buttons(at - timedelta(seconds=49), f"Cancelar {when} — {service} com {trainer}?\n{policy}",
                ("yes", "Sim, cancelar"), ("no", "Não, manter"))
        say(at - timedelta(seconds=1), True, "interactive", "Sim, cancelar", {"reply": "yes"})
        after = (" Como foi em cima da hora, o crédito não volta." if seat.late
                 else " Seu crédito voltou pra você." if seat.paid_with == "credit" else "")
        say(at, False, "text", f"Cancelado.{after} Quando quiser remarcar, é só chamar 💪")
        return out
    if seat.check_in is not None and seat.check_in[1] in ("chat", "qr"):
        at, method = seat.check_in
        say(at, True, "text", catalog.checkin_code if method == "qr" else rng.choice(("cheguei", "Cheguei!", "cheguei 🙋")))
        say(at + timedelta(seconds=1), False, "text", CHECKED_IN)
    if seat.status == "no_show":
        at = session.ends_at + timedelta(minutes=15)
        if window_open(at):
            buttons(at, f"Oi {person.name}, sentimos sua falta no *{service}* {when} 💙 Acontece! Quer marcar outro horário?",
                    ("menu:book", "Marcar outro"))
        else:
            params = [person.name, service, when]
            say(at, False, "template", "[template missed_session] " + " | ".join(params),
                {"name": "missed_session", "language": "pt_BR", "parameters": params, "buttons": ["menu:book"]})
    return out


def _question(rng: random.Random, person: Person, who: int, words: tuple[str, str, str], tz: ZoneInfo,
              now: datetime) -> list[Message]:
    """A question the bot handed to a person, who answered it from the panel (and gave the chat back to the bot)."""
    ask, answer, thanks = words
    day = (now - timedelta(days=rng.randint(2, 9))).astimezone(tz).date()
    if day.weekday() == 6:  # closed on Sundays: asked on Saturday
        day -= timedelta(days=1)
    at = _at(day, time(rng.randint(9, 17), rng.randint(0, 59)), tz)
    replied = at + timedelta(minutes=rng.randint(8, 40))
    lines = [(at, True, ask), (at + timedelta(seconds=1), False, HANDOFF),
             (replied, False, answer.format(first=person.name.split()[0])),
             (replied + timedelta(minutes=rng.randint(2, 30)), True, thanks)]
    return [Message(who, t, inbound, "text", body, {"body": body}) for t, inbound, body in lines]


def _when(at: datetime, tz: ZoneInfo) -> str:
    """A time as the bot says it: 'qui 26/11 às 19:00'."""
    local = at.astimezone(tz)
    return f"{WEEKDAYS[local.weekday()]} {local:%d/%m} às {local:%H:%M}"


# --- the rules ----------------------------------------------------------------------------------------------------


def check_rules(plan: Plan, catalog: Catalog, tz: ZoneInfo, existing: Sequence[Appointment] = ()) -> None:
    """What the booking code refuses, refused here too: a session outside its trainer's hours, two live sessions of a
    trainer overlapping (buffers included, the calendar's other appointments too), a class over capacity, a client
    twice in one class."""
    blocks: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    names = {staff_id: name for name, staff_id in catalog.staff.items()}
    for a in existing:
        if a.status != "cancelled":
            blocks[names[a.staff_id]].append((a.blocked_from, a.blocked_until))
    for s in plan.sessions:
        start, end = s.starts_at.astimezone(tz), s.ends_at.astimezone(tz)
        day = start.date()
        if not any(r.weekday == day.weekday() and (r.valid_from is None or r.valid_from <= day)
                   and (r.valid_until is None or day <= r.valid_until) and end.date() == day
                   and r.start <= start.time() and end.time() <= r.end for r in catalog.hours[s.slot.trainer]):
            raise ValueError(f"demo past: {s.slot.trainer} does not work {start:%a %d/%m %H:%M}")
        if s.status != "cancelled":
            blocks[s.slot.trainer].append((s.blocked_from, s.blocked_until))
    for trainer, spans in blocks.items():
        spans.sort()
        for (_, until), (start, _) in zip(spans, spans[1:], strict=False):
            if start < until:
                raise ValueError(f"demo past: {trainer} is booked twice at {start:%d/%m %H:%M}")
    seated: dict[int, list[int]] = defaultdict(list)
    for seat in plan.seats:
        if seat.status != "cancelled":
            seated[seat.session].append(seat.person)
    for index, people in seated.items():
        if len(people) > plan.sessions[index].capacity or len(set(people)) < len(people):
            raise ValueError(f"demo past: the session at {plan.sessions[index].starts_at:%d/%m %H:%M} is over capacity")


# --- the writing --------------------------------------------------------------------------------------------------


async def _insert(session: AsyncSession, model: Any, rows: list[dict[str, Any]], *, ids: bool = False) -> list[int]:
    """Insert many rows in batches (their new ids in the rows' order, when asked). A None is written as NULL, so rows
    with and without a value share a batch."""
    if not rows:
        return []
    stmt = insert(model).execution_options(render_nulls=True)
    if not ids:
        await session.execute(stmt, rows)
        return []
    result = await session.execute(stmt.returning(model.id, sort_by_parameter_order=True), rows)
    return list(result.scalars().all())


async def _write(session: AsyncSession, shop: Business, catalog: Catalog, plan: Plan) -> None:
    b = shop.id
    new = [p for p in plan.people if p.client_id is None]
    client_ids = await _insert(session, Client, [
        {"business_id": b, "contact_key": p.phone, "wa_id": p.phone.lstrip("+"), "phone_e164": p.phone,
         "profile_name": p.name, "locale": "pt-BR", "created_at": p.since,
         # Those who chat answered the greeting's question: only their sessions' messages, no news.
         "marketing_consent": False if p.chatty else None, "consent_at": p.since if p.chatty else None} for p in new],
        ids=True)
    for person, client_id in zip(new, client_ids, strict=True):
        person.client_id = client_id
    people = [p.client_id for p in plan.people]
    session_ids = await _insert(session, Appointment, [
        {"business_id": b, "staff_id": catalog.staff[s.slot.trainer], "service_id": catalog.services[s.slot.service].id,
         "kind": "class" if s.capacity > 1 else "personal", "starts_at": s.starts_at, "ends_at": s.ends_at,
         "blocked_from": s.blocked_from, "blocked_until": s.blocked_until, "capacity": s.capacity, "status": s.status,
         "created_at": s.created_at, "updated_at": s.updated_at or s.created_at} for s in plan.sessions], ids=True)
    seat_ids = await _insert(session, Booking, [
        {"business_id": b, "appointment_id": session_ids[s.session], "client_id": people[s.person], "status": s.status,
         "paid_with": s.paid_with, "cancelled_by": "client" if s.status == "cancelled" else None, "late_cancel": s.late,
         "created_at": s.created_at, "updated_at": s.events[-1][4]} for s in plan.seats], ids=True)
    await _insert(session, BookingEvent, [
        {"business_id": b, "booking_id": seat_ids[i], "from_status": f, "to_status": t, "actor": a, "detail": d, "at": at}
        for i, s in enumerate(plan.seats) for f, t, a, d, at in s.events])
    await _insert(session, CheckIn, [
        {"business_id": b, "client_id": people[s.person], "booking_id": seat_ids[i], "method": s.check_in[1],
         "checked_in_at": s.check_in[0]} for i, s in enumerate(plan.seats) if s.check_in]
        + [{"business_id": b, "client_id": people[who], "booking_id": None, "method": "qr", "checked_in_at": at}
           for who, at in plan.walk_ins])
    await _payments(session, shop, catalog, plan, seat_ids)
    await _conversations(session, b, plan, seat_ids)


async def _payments(session: AsyncSession, shop: Business, catalog: Catalog, plan: Plan, seat_ids: list[int]) -> None:
    """The packs (the purchase, then every spend, refund and expiry pointing at it), the plans, what was paid for
    them, and each client's balance moved by what is left of their packs."""
    rng = random.Random(SEED + 1)
    b, people = shop.id, [p.client_id for p in plan.people]
    pack_ids = await _insert(session, CreditEntry, [
        {"business_id": b, "client_id": people[p.person], "kind": "purchase", "delta": p.moves[0][1],
         "expires_at": p.expires_at, "note": p.product, "created_at": p.bought_at} for p in plan.packs], ids=True)
    await _insert(session, CreditEntry, [
        {"business_id": b, "client_id": people[p.person], "kind": kind, "delta": delta, "pack_id": pack_id,
         "booking_id": None if seat is None else seat_ids[seat], "created_at": at}
        for p, pack_id in zip(plan.packs, pack_ids, strict=True) for kind, delta, seat, at in p.moves[1:]])
    plan_ids = await _insert(session, Membership, [
        {"business_id": b, "client_id": people[who], "plan_name": MONTHLY, "starts_on": start, "ends_on": ends,
         "status": "active", "created_at": bought} for who, start, ends, bought in plan.plans], ids=True)

    def paid(who: int, product: str, at: datetime, pack: int | None, membership: int | None) -> dict[str, Any]:
        return {"business_id": b, "client_id": people[who], "product_id": catalog.products[product].id,
                "amount_cents": catalog.products[product].price_cents, "currency": shop.currency, "status": "paid",
                "method": rng.choice(("pix", "pix", "card", "cash", "pix_manual")), "token": f"{rng.getrandbits(128):032x}",
                "created_at": at, "paid_at": at, "pack_entry_id": pack, "membership_id": membership}

    await _insert(session, Purchase, [paid(p.person, p.product, p.bought_at, i, None)
                                      for p, i in zip(plan.packs, pack_ids, strict=True)]
                  + [paid(who, MONTHLY, bought, None, i) for (who, _, _, bought), i in zip(plan.plans, plan_ids, strict=True)])
    left: dict[int, int] = defaultdict(int)
    for p in plan.packs:
        left[people[p.person]] += p.left
    have = set((await session.execute(select(CreditBalance.client_id).where(CreditBalance.business_id == b))).scalars())
    for client_id in have & set(left):
        await session.execute(update(CreditBalance).where(CreditBalance.client_id == client_id)
                              .values(balance=CreditBalance.balance + left[client_id]))
    await _insert(session, CreditBalance, [{"client_id": c, "business_id": b, "balance": left.get(c, 0)}
                                           for c in people if c not in have])


async def _conversations(session: AsyncSession, business_id: int, plan: Plan, seat_ids: list[int]) -> None:
    """The chats as the inbox and the client pages read them: delivered, read and processed, nothing pending."""
    inbound: list[dict[str, Any]] = []
    outbound: list[dict[str, Any]] = []
    last: dict[int, datetime] = {}
    last_in: dict[int, datetime] = {}
    for n, m in enumerate(sorted(plan.messages, key=lambda m: m.at)):
        wa_id, client_id = plan.people[m.person].phone.lstrip("+"), plan.people[m.person].client_id
        assert client_id is not None
        payload = _filled(m.payload, str(seat_ids[m.seat]) if m.seat is not None else "")
        last[client_id] = m.at
        if m.inbound:
            last_in[client_id] = m.at
            message_id = f"wamid.HBgN{wa_id}FQIAEhgU{n:08X}"
            inbound.append({"business_id": business_id, "client_id": client_id, "provider_message_id": message_id,
                            "kind": m.kind, "body": m.body, "payload": _webhook_message(m, payload, wa_id, message_id),
                            "sent_at": m.at, "received_at": m.at + timedelta(seconds=1),
                            "processed_at": m.at + timedelta(seconds=2)})
        else:
            read = m.at + timedelta(minutes=3)
            outbound.append({"business_id": business_id, "client_id": client_id, "kind": m.kind, "body": m.body,
                             "payload": payload, "status": "read", "provider_message_id": f"wamid.HBgN{wa_id}FQIAERgS{n:08X}",
                             "attempts": 1, "next_attempt_at": m.at, "created_at": m.at, "updated_at": read,
                             "sent_at": m.at + timedelta(seconds=1), "delivered_at": m.at + timedelta(seconds=2),
                             "read_at": read})
    await _insert(session, InboundMessage, inbound)
    await _insert(session, OutboundMessage, outbound)
    for client_id, at in last_in.items():  # the 24-hour window the panel's reply box checks
        await session.execute(update(Client).where(Client.id == client_id).values(last_inbound_at=at)
                              .execution_options(synchronize_session=False))
    await _insert(session, Conversation, [
        {"business_id": business_id, "client_id": c, "state": {"greeted": True, "updated_at": at.isoformat()},
         "handoff": False, "version": 0, "updated_at": at} for c, at in last.items()])


def _filled(value: Any, booking_id: str) -> Any:
    if isinstance(value, str):
        return value.replace("{booking}", booking_id)
    if isinstance(value, list):
        return [_filled(v, booking_id) for v in value]
    if isinstance(value, dict):
        return {k: _filled(v, booking_id) for k, v in value.items()}
    return value


def _webhook_message(m: Message, payload: dict[str, Any], wa_id: str, message_id: str) -> dict[str, Any]:
    """The message as the Cloud API's webhook carried it."""
    base = {"from": wa_id, "id": message_id, "timestamp": str(int(m.at.timestamp()))}
    if m.kind == "interactive":
        reply = {"id": payload.get("reply", ""), "title": m.body}
        return base | {"type": "interactive", "interactive": {"type": "button_reply", "button_reply": reply}}
    if m.kind == "button":  # a quick reply on an approved template
        return base | {"type": "button", "button": {"payload": payload.get("reply", ""), "text": m.body}}
    return base | {"type": "text", "text": {"body": m.body}}

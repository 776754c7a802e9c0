"""Workout logs in free text: "supino 3x10 42,5kg", "corri 5km em 28 min", "plank 3x45s", "bench 3x5 225lbs".

A message may hold several exercises ("supino 3x10 40kg, crucifixo 3x12 12kg"). Each part's quantities
are read by patterns and taken out; the words left name the exercise (conversations.nlu.exercises).
Written by hand: no library reads gym notation, and the patterns are few.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from conversations.nlu.exercises import ExerciseIndex, Match, fold, match_exercise
from domain.training.library import Exercise, shipped

NUM = r"(\d+(?:\.\d+)?)"
LOAD_UNITS = {"kg": "kg", "kgs": "kg", "kilo": "kg", "kilos": "kg", "quilo": "kg", "quilos": "kg",
              "kilogram": "kg", "kilograms": "kg", "lb": "lb", "lbs": "lb", "pound": "lb", "pounds": "lb",
              "libra": "lb", "libras": "lb"}
DISTANCE_UNITS = {"km": "km", "kms": "km", "k": "km", "quilometro": "km", "quilometros": "km", "kilometro": "km",
                  "kilometros": "km", "kilometer": "km", "kilometers": "km", "m": "m", "metro": "m", "metros": "m",
                  "meter": "m", "meters": "m", "mt": "m", "mts": "m", "mi": "mi", "mile": "mi", "miles": "mi",
                  "milha": "mi", "milhas": "mi"}
SECONDS = {"s": 1, "seg": 1, "segs": 1, "segundo": 1, "segundos": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
           "min": 60, "mins": 60, "minuto": 60, "minutos": 60, "minute": 60, "minutes": 60, "m": 60,
           "h": 3600, "hr": 3600, "hrs": 3600, "hora": 3600, "horas": 3600, "hour": 3600, "hours": 3600}
_LOAD_U = "|".join(sorted(LOAD_UNITS, key=len, reverse=True))
_DIST_U = "|".join(sorted(DISTANCE_UNITS, key=len, reverse=True))
_TIME_U = "|".join(sorted((u for u in SECONDS if u not in ("m",)), key=len, reverse=True))
_SETS_W = r"(?:series|serie|sets|set|rounds|round|vezes)"
_REPS_W = r"(?:reps|rep|repeticoes|repeticao|repetitions|repetition|repeticoes)"
# Words around a log that name no exercise.
FILLER = frozenset("""fiz feito feita fazer faco mandei mandar bora hoje ontem agora acabei terminei finalizei de do da
    treino treinei kkk kk kkkk rs haha top foi ai la tambem mais um uma uns umas so meu minha minhas meus cada lado mao
    total tempo em com series serie sets set reps rep repeticoes repeticao repetitions vezes x kg kgs lb lbs
    quilos libras carga peso did do done just finished today i my and then also some got per
    with at of for in on a an the about around pace ritmo no na e o ou tipo mais ou menos quase consegui
    completed complete sessao session workout exercise exercicio pesos weight""".split())
# A verb alone can name the exercise: "corri 5km", "swam 1km".
VERBS = {"corri": "running", "correr": "running", "corrida": "running", "ran": "running", "run": "running",
         "running": "running", "jogged": "running", "jog": "running", "nadei": "swimming", "swam": "swimming",
         "swim": "swimming", "pedalei": "cycling", "biked": "cycling", "cycled": "cycling", "rode": "cycling",
         "caminhei": "walking", "andei": "walking", "walked": "walking", "walk": "walking", "remei": "rowing_machine",
         "rowed": "rowing_machine", "row": "rowing_machine", "pulei": "jump_rope"}
# Names with digits in them, read before quantities take their numbers.
_NUMBERED_NAMES = ((re.compile(r"\bleg(?:\s*press)?\s*45\b(?:\s*graus?)?"), " leg press "),
                   (re.compile(r"\b45\s*graus?\b"), " "))
_PER_SIDE = re.compile(r"\b(?:cada|each|per|por|em cada|on each)\s+(?:lado|side|mao|hand|braco|arm|perna|leg)\b")
_SPLIT = re.compile(r"[;]+|,(?!\d)|\s(?:e|and|depois|then|mais)\s(?=\D)")


@dataclass(frozen=True)
class LoggedExercise:
    """One exercise of a log, with the quantities as written (load in its unit, distance in its unit)."""

    exercise: str | None
    sets: int | None = None
    reps: int | None = None
    load: float | None = None
    unit: str | None = None
    distance: float | None = None
    distance_unit: str | None = None
    duration_s: int | None = None
    candidates: tuple[str, ...] = ()  # when the name was unsure: what it may be
    name: str = ""  # the words that named it

    @property
    def load_kg(self) -> float | None:
        if self.load is None:
            return None
        return round(self.load * 0.45359237, 2) if self.unit == "lb" else self.load

    @property
    def distance_m(self) -> float | None:
        if self.distance is None:
            return None
        return self.distance * {"km": 1000, "m": 1, "mi": 1609.344}[self.distance_unit or "m"]

    def as_json(self) -> dict[str, object]:
        return {"exercise": self.exercise, "sets": self.sets, "reps": self.reps, "load": self.load, "unit": self.unit,
                "distance": self.distance, "distance_unit": self.distance_unit, "duration_s": self.duration_s}


@dataclass
class _Quantities:
    sets: int | None = None
    reps: int | None = None
    load: float | None = None
    unit: str | None = None
    distance: float | None = None
    distance_unit: str | None = None
    duration_s: int | None = None
    bare: list[float] = field(default_factory=list)

    def found(self) -> bool:
        return any(v is not None for v in (self.sets, self.reps, self.load, self.distance, self.duration_s)) or bool(self.bare)


def parse_log(text: str, extra: ExerciseIndex | None = None) -> list[LoggedExercise]:
    """Every exercise a message logs, in order; an empty list when it logs nothing."""
    clean = _folded_keep_marks(text)
    segments = [s.strip() for s in _SPLIT.split(clean) if s and s.strip()]
    parsed: list[tuple[list[str], _Quantities]] = []
    for segment in segments:
        quantities, rest = _quantities(segment)
        words = [w for w in rest.split() if not w.isdigit()]
        if parsed and not _names_something(words) and quantities.found():
            _merge(parsed[-1][1], quantities)  # "supino, 3x10 40kg": the numbers belong to the name before
            continue
        parsed.append((words, quantities))
    entries = []
    pending_names: list[list[str]] = []
    for words, q in parsed:
        if not q.found():
            if _names_something(words):
                pending_names.append(words)
            continue
        if not _names_something(words) and pending_names:
            words = pending_names.pop()  # "supino reto: 3x10 40kg"
        entries.append(_entry(words, q, extra))
    return entries


def _folded_keep_marks(text: str) -> str:
    """Fold accents and case but keep decimal points, clock colons and clause marks."""
    s = text.lower().replace("×", "x")
    s = re.sub(r"(\d),(\d)", r"\1.\2", s)
    s = re.sub(r"(\d)/(\d)", r"\1 \2", s)
    s = re.sub(r"\b[cC]/\s*", "com ", s)
    s = s.replace("@", " com ")
    out = []
    for chunk in re.split(r"([;\n+,/|]|(?<=\d)[.:](?=\d))", s):
        if chunk in (";", "\n", "+", ",", "/", "|"):
            out.append(" ; " if chunk != "," else " , ")
        elif chunk in (".", ":"):
            out.append(chunk)
        else:
            out.append(fold(chunk) if chunk.strip() else " ")
    joined = "".join(out)
    joined = re.sub(r"(?<=\d) ?([.:]) ?(?=\d)", r"\1", joined)
    for rx, repl in _NUMBERED_NAMES:
        joined = rx.sub(repl, joined)
    return " ".join(_PER_SIDE.sub(" ", joined).split())


def _names_something(words: list[str]) -> bool:
    return any(w not in FILLER and not re.fullmatch(r"[\d.:]+", w) for w in words)


def _merge(into: _Quantities, more: _Quantities) -> None:
    for name in ("sets", "reps", "load", "unit", "distance", "distance_unit", "duration_s"):
        if getattr(into, name) is None and getattr(more, name) is not None:
            setattr(into, name, getattr(more, name))
    into.bare.extend(more.bare)


def _int(raw: str) -> int:
    return int(float(raw))


_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((name, re.compile(rx)) for name, rx in (
    ("clock", r"\b(\d{1,2}):(\d{2})(?::(\d{2}))?\b"),
    ("hours", r"\b(\d+)\s*(?:h|hr|hrs|hora|horas|hour|hours)\s*(?:e\s*)?(\d{1,2})?\s*(?:min|mins|minutos|minutes|m)?\b"),
    ("half_hour", r"\b(?:meia hora|half an hour|half hour)\b"),
    ("sets_reps_load", rf"\b(\d+)\s*x\s*(\d+)\s*x\s*{NUM}\s*({_LOAD_U})?\b"),
    ("sets_min_sec", r"\b(\d+)\s*x\s*(\d+)\s*(?:min|m)([0-5]\d)\s*(?:s|seg|sec)?\b"),
    ("min_sec", r"\b(\d+)\s*(?:min|m)([0-5]\d)\s*(?:s|seg|sec)?\b"),
    ("sets_time", rf"\b(\d+)\s*x\s*{NUM}\s*({_TIME_U})\b"),
    ("sets_distance", rf"\b(\d+)\s*x\s*{NUM}\s*({_DIST_U})\b(?!\s*(?:in|inutos))"),
    ("sets_reps", r"\b(\d+)\s*x\s*(\d+)\b"),
    ("reps_sets_words", rf"\b(\d+)\s*{_REPS_W}\s*(?:x|de|of|em|in)?\s*(\d+)\s*{_SETS_W}\b"),
    ("sets_of_reps", rf"\b(\d+)\s*{_SETS_W}\s*(?:de|of|com|x|with|\s)\s*(\d+)\b(?!\s*(?:{_LOAD_U}|{_DIST_U}|{_TIME_U})\b)"),
    ("reps_word", rf"\b(\d+)\s*{_REPS_W}\b"),
    ("sets_word", rf"\b(\d+)\s*{_SETS_W}\b"),
    ("load", rf"\b{NUM}\s*({_LOAD_U})\b"),
    ("time", rf"\b{NUM}\s*({_TIME_U})\b"),
    ("distance", rf"\b{NUM}\s*({_DIST_U})\b"),
    ("with_load", rf"\b(?:com|with|at|de)\s+{NUM}\b"),
    ("bare", rf"(?<![\w.]){NUM}(?![\w.])"),
))


def _quantities(segment: str) -> tuple[_Quantities, str]:
    q = _Quantities()
    rest = segment
    for name, rx in _PATTERNS:
        rest = rx.sub(lambda m, name=name: _take(q, name, m) or " ", rest)  # type: ignore[func-returns-value]
    return q, " ".join(rest.split())


def _take(q: _Quantities, name: str, m: re.Match[str]) -> None:  # noqa: C901 - one small case per pattern
    """Note what one pattern's match says (the first of a kind wins); the caller blanks the match out."""
    g = m.groups()
    if name == "clock":
        h, mnt, sec = (int(g[0]), int(g[1]), int(g[2])) if g[2] else (0, int(g[0]), int(g[1]))
        q.duration_s = q.duration_s or h * 3600 + mnt * 60 + sec
    elif name == "hours":
        q.duration_s = q.duration_s or int(g[0]) * 3600 + int(g[1] or 0) * 60
    elif name == "half_hour":
        q.duration_s = q.duration_s or 1800
    elif name == "sets_reps_load":
        q.sets, q.reps, q.load, q.unit = _int(g[0]), _int(g[1]), float(g[2]), LOAD_UNITS.get(g[3] or "kg", "kg")
    elif name == "sets_min_sec":
        q.sets, q.duration_s = _int(g[0]), int(g[1]) * 60 + int(g[2])
    elif name == "min_sec":
        q.duration_s = q.duration_s or int(g[0]) * 60 + int(g[1])
    elif name == "sets_time":
        q.sets, q.duration_s = _int(g[0]), round(float(g[1]) * SECONDS[g[2]])
    elif name == "sets_distance":
        q.sets, q.distance, q.distance_unit = _int(g[0]), float(g[1]), DISTANCE_UNITS[g[2]]
    elif name in ("sets_reps", "sets_of_reps"):
        q.sets, q.reps = _int(g[0]), _int(g[1])
    elif name == "reps_sets_words":
        q.reps, q.sets = _int(g[0]), _int(g[1])
    elif name == "reps_word":
        q.reps = q.reps or _int(g[0])
    elif name == "sets_word":
        q.sets = q.sets or _int(g[0])
    elif name == "load":
        if q.load is None:
            q.load, q.unit = float(g[0]), LOAD_UNITS[g[1]]
    elif name == "time":
        q.duration_s = q.duration_s or round(float(g[0]) * SECONDS[g[1]])
    elif name == "distance":
        if q.distance is None:
            q.distance, q.distance_unit = float(g[0]), DISTANCE_UNITS[g[1]]
    elif name == "with_load":
        if q.load is None:
            q.load, q.unit = float(g[0]), "kg"
    elif name == "bare":
        q.bare.append(float(g[0]))


def _entry(words: list[str], q: _Quantities, extra: ExerciseIndex | None) -> LoggedExercise:
    named = [w for w in words if w not in FILLER or w in VERBS]
    match = match_exercise(named, extra)
    if match.key is None and not match.candidates:
        verb = next((VERBS[w] for w in words if w in VERBS), None)
        match = Match(verb, 1.0, (verb,) if verb else ()) if verb else match
    kind = _kind(match.key)
    cardio = kind == "distance" or _main_muscle(match.key) == "cardio"
    for value in q.bare:  # a number without a unit: reps first ("20 flexoes"), then a load in kg
        if q.reps is None and q.load is None and value.is_integer() and kind not in ("distance", "time") and q.sets is None:
            q.reps = int(value)
        elif q.load is None and kind not in ("distance",):
            q.load, q.unit = value, "kg"
    sets = q.sets
    if sets is None and (q.reps is not None or (q.duration_s is not None and not cardio)) and q.distance is None:
        sets = 1
    entry = LoggedExercise(match.key, sets, q.reps, q.load, q.unit if q.load is not None else None, q.distance,
                           q.distance_unit, q.duration_s, match.candidates, " ".join(named))
    return entry if match.key else replace(entry, exercise=None)


def _kind(key: str | None) -> str | None:
    found: Exercise | None = shipped().get(key) if key else None
    return found.kind if found else None if key is None else "strength"


def _main_muscle(key: str | None) -> str | None:
    found: Exercise | None = shipped().get(key) if key else None
    return found.main_muscle if found else None

"""One call that turns a client's free text into an intent plus what it says about when."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any

from conversations.nlu import classifier
from conversations.nlu.datetimes import DAY_STARTS, parse_normalised
from conversations.nlu.intents import IntentMatch, emoji_words, match_intent, vocabulary
from conversations.normalise import normalise

INTENTS = ("menu", "book", "reschedule", "cancel", "my_appointments", "check_in", "workout_today",
           "log_workout", "finish_workout", "meal_today", "progress", "challenge",
           "pay", "balance", "opt_out", "opt_in", "human", "help", "data_export",
           "data_erase", "yes", "no", "unknown")
_NUMBER = re.compile(r"(?<![\w:/])\d{1,3}(?![\w:/])")
_FILLER = set("a o as os e ou de da do das dos no na em pra para pro pras por favor entao ai la tipo umas um uma "
              "ainda mesmo qualquer eu me mim depois antes almoco janta jantar trabalho volta perto horario hora "
              "toda todas todo todos sempre the at on in for a an to by around please then or and also ok after before "
              "lunch work every".split())
_PT_WORDS = set("de que pra para nao voce eu meu minha quero queria amanha hoje sim com uma tem aula treino oi ola "
                "bom boa dia as por favor pode marcar cancelar horario obrigado obrigada esta tudo bem o os da do "
                "na e vou ir minhas meus sabado domingo segunda terca quarta quinta sexta mais ja".split())
_EN_WORDS = set("hi hello hey the to i my you is are for at tomorrow today please want can what yes how do does and of with "
                "have book cancel hi hello thanks it me am would like this next on in tonight monday tuesday "
                "wednesday thursday friday saturday sunday session class morning evening".split())


@dataclass(frozen=True)
class Understanding:
    """What one message means: intent (one of INTENTS), confidence 0..1, and any date/time stated.

    `datetime` is aware in the business time zone (None when no full date-time was stated or it
    was impossible); `recurring` holds weekdays (Monday = 0) for "toda segunda e quarta 7h".
    """

    text: str
    locale: str
    intent: str
    confidence: float
    datetime: datetime | None = None
    date: date | None = None
    time: time | None = None
    invalid_datetime: bool = False
    part_of_day: str | None = None
    numbers: tuple[int, ...] = ()
    recurring: frozenset[int] = frozenset()
    negated: tuple[str, ...] = ()
    options: tuple[str, ...] = ()  # when unsure: the likeliest intents, to ask which one was meant
    key: str = ""  # the text as the intent model reads it: what a business's taught examples are matched on
    moved_from: time | None = None  # "das 18h pras 19h": the time of the session to move
    time_only: bool = False  # a time and no day: `date` and `datetime` are its next occurrence

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; datetime is local 'YYYY-MM-DDTHH:MM', time 'HH:MM'."""
        return {
            "intent": self.intent, "confidence": round(self.confidence, 2),
            "datetime": self.datetime.strftime("%Y-%m-%dT%H:%M") if self.datetime else None,
            "date": self.date.isoformat() if self.date else None,
            "time": self.time.strftime("%H:%M") if self.time else None,
            "invalid_datetime": self.invalid_datetime, "part_of_day": self.part_of_day,
            "numbers": list(self.numbers), "recurring": sorted(self.recurring), "negated": list(self.negated),
            "options": list(self.options),
        }


def locale_of(text: str) -> str | None:
    """'pt-BR' or 'en' when the message clearly reads as one language, else None."""
    pt_words, en_words = _markers()
    words = set(normalise(text).split())
    pt, en = len(words & pt_words), len(words & en_words)
    return "pt-BR" if pt > en else "en" if en > pt else None


@lru_cache(maxsize=1)
def _markers() -> tuple[frozenset[str], frozenset[str]]:
    pt, en = _PT_WORDS | vocabulary("pt-BR"), _EN_WORDS | vocabulary("en")
    return frozenset(w for w in pt - en if len(w) > 1), frozenset(w for w in en - pt if len(w) > 1)


def understand(text: str, locale: str, now: datetime, expecting: frozenset[str] = frozenset(),
               day_starts: int = DAY_STARTS) -> Understanding:
    """Intent and date/time of a free-text message; `now` is aware, in the business's time zone.

    `expecting` names the intents the bot's last question invites (a yes/no question: {"yes", "no"}): a short
    answer is read in their favour. `day_starts` is the studio's first opening hour: a bare hour before it is
    the afternoon ("às 5" in a studio that opens at 6).
    """
    locale = "en" if locale.lower().startswith("en") else "pt-BR"
    guess = locale_of(text)
    locales = (locale,) if guess in (None, locale) else (locale, str(guess))
    found = match_intent(text, locales)
    s = normalise(text)
    when = parse_normalised(s, locale, now, day_starts)
    inside = lambda a: any(x <= a < y for x, y in when.spans)  # noqa: E731
    numbers = tuple(int(m.group()) for m in _NUMBER.finditer(s) if not inside(m.start()))
    key = _model_input(text, s, when.spans)
    intent, confidence, options = _decide(key, found, expecting)
    if intent in _NOT_WHEN:  # "corri 5km em 28 min", "rowed 2000m in 8:10": durations, not a time to be somewhere
        when = replace(when, datetime=None, time=None)
    if when.spans and intent in (None, "menu") + (() if classifier.shipped() else ("yes",)):
        rest = [w for i, w in _words(s) if not inside(i) and w not in _FILLER]
        if intent or len(rest) <= 1 or when.recurring:
            intent, confidence = "book", 0.8
    if intent is None:
        intent = "help" if not s and "?" in text else "unknown"
    return Understanding(text, locale, intent, confidence, when.datetime, when.date, when.time, when.invalid,
                         when.part_of_day, numbers, when.recurring, found.negated, options, key, when.moved_from,
                         when.time_only)


_NOT_WHEN = ("log_workout", "finish_workout", "progress")
_NOT_ASKED = frozenset({"unknown", "yes", "no", "menu"})  # never offered as "did you mean"
CLARIFY_BELOW = 0.45  # the model's best guess under this: ask which of the likeliest was meant
OPTION_FLOOR = 0.12
EXPECTED_WEIGHT = 4.0  # how much more likely an answer the last question invited is


def _decide(key: str, found: IntentMatch, expecting: frozenset[str]) -> tuple[str | None, float, tuple[str, ...]]:
    """The rules where they are exact (a whole-message phrase such as "parar"), the learned model otherwise."""
    model = classifier.shipped()
    if model is None or found.exact or not key or key.isdigit():  # "?", "👍", a menu number: the rules' own
        return found.intent, found.confidence, ()
    probabilities = _probabilities(model, key)
    if expecting:
        probabilities = {i: p * (EXPECTED_WEIGHT if i in expecting else 1.0) for i, p in probabilities.items()}
        total = sum(probabilities.values())
        probabilities = {i: p / total for i, p in probabilities.items()}
    ranked = sorted(probabilities.items(), key=lambda item: -item[1])
    best, p = ranked[0]
    unsure = p < CLARIFY_BELOW and best not in _NOT_ASKED
    options = tuple(i for i, q in ranked[:4] if q >= OPTION_FLOOR and i not in _NOT_ASKED)[:3] if unsure else ()
    return best, p, options if len(options) > 1 else ()


TAUGHT_NEAR = 0.65  # cosine of the model's features: "queria ver uns horarios pf" to "quero ver uns horários"
TAUGHT_SAME = 0.95


def taught_intent(u: Understanding, examples: dict[str, str]) -> str | None:
    """What the business's staff taught for a message like this one: the nearest example, when it reads nearly the
    same and the model is not sure of its own reading (or it reads the same)."""
    model = classifier.shipped()
    if not examples or model is None:
        return examples.get(u.key)
    score, intent = max((model.similarity(u.key, key), intent) for key, intent in examples.items())
    return intent if score >= TAUGHT_SAME or (score >= TAUGHT_NEAR and u.confidence < 0.9) else None


def model_input(text: str, locale: str) -> str:
    """What the learned model reads of a message (for training: the same as when it understands)."""
    s = normalise(text)
    return _model_input(text, s, parse_normalised(s, locale, _SPAN_NOW).spans)


_SPAN_NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)  # where a date or time stands does not depend on the day


def _model_input(text: str, s: str, spans: tuple[tuple[int, int], ...]) -> str:
    return f"{classifier.model_text(s, spans)} {emoji_words(text)}".strip()


@lru_cache(maxsize=8192)  # clients send the same short texts ("oi", "sim", "1") over and over
def _probabilities(model: classifier.IntentModel, text: str) -> dict[str, float]:
    return model.probabilities(text)


def _words(s: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in re.finditer(r"\S+", s)]

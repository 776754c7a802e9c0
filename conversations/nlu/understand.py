"""One call that turns a client's free text into an intent plus what it says about when."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

from conversations.nlu.datetimes import parse_normalised
from conversations.nlu.intents import match_intent, vocabulary
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

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; datetime is local 'YYYY-MM-DDTHH:MM', time 'HH:MM'."""
        return {
            "intent": self.intent, "confidence": round(self.confidence, 2),
            "datetime": self.datetime.strftime("%Y-%m-%dT%H:%M") if self.datetime else None,
            "date": self.date.isoformat() if self.date else None,
            "time": self.time.strftime("%H:%M") if self.time else None,
            "invalid_datetime": self.invalid_datetime, "part_of_day": self.part_of_day,
            "numbers": list(self.numbers), "recurring": sorted(self.recurring), "negated": list(self.negated),
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


def understand(text: str, locale: str, now: datetime) -> Understanding:
    """Intent and date/time of a free-text message; `now` is aware, in the business's time zone."""
    locale = "en" if locale.lower().startswith("en") else "pt-BR"
    guess = locale_of(text)
    locales = (locale,) if guess in (None, locale) else (locale, str(guess))
    found = match_intent(text, locales)
    s = normalise(text)
    when = parse_normalised(s, locale, now)
    inside = lambda a: any(x <= a < y for x, y in when.spans)  # noqa: E731
    numbers = tuple(int(m.group()) for m in _NUMBER.finditer(s) if not inside(m.start()))
    intent, confidence = found.intent, found.confidence
    if when.spans and intent in (None, "yes", "menu"):
        rest = [w for i, w in _words(s) if not inside(i) and w not in _FILLER]
        if intent or len(rest) <= 1 or when.recurring:
            intent, confidence = "book", 0.8
    if intent is None:
        intent = "help" if not s and "?" in text else "unknown"
    return Understanding(text, locale, intent, confidence, when.datetime, when.date, when.time, when.invalid,
                         when.part_of_day, numbers, when.recurring, found.negated)


def _words(s: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in re.finditer(r"\S+", s)]

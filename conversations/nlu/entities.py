"""Which of the business's services a message names: its words against each service's name and the other names
staff gave it, in any order, by prefix ("spin" → Spinning) or near spelling ("pilatis"), rapidfuzz for the latter."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from rapidfuzz import fuzz

from conversations.normalise import normalise

GENERIC_SESSION = frozenset({"treino", "treinar", "treinos", "personal", "sessao", "session", "training", "workout", "train"})
_IGNORED = frozenset("aula aulas class classes com uma para pra pro que the for and with can quero queria marcar book tem have "
                     "amanha hoje tomorrow today".split())
NEAR_SPELLING = 85


class Named(Protocol):
    name: str
    aliases: str


S = TypeVar("S", bound=Named)


def services_named(text: str, services: Sequence[S]) -> list[S]:
    """The services the message names best (one, or several named equally well), or none."""
    words = _words(text)
    if not words:
        return []
    scored = [(max(_score(words, _words(phrase)) for phrase in (s.name, *s.aliases.split(","))), s) for s in services]
    best = max((score for score, _ in scored), default=0.0)
    return [s for score, s in scored if score == best] if best >= 0.5 else []


def names_a_session(text: str) -> bool:
    """'treino', 'personal', 'session': a session of some kind, without saying which."""
    return bool(set(normalise(text).split()) & GENERIC_SESSION)


def _words(text: str) -> list[str]:
    return [w for w in normalise(text).split()
            if w not in GENERIC_SESSION and w not in _IGNORED and (len(w) >= 3 or w.isdigit())]


def _score(message: list[str], phrase: list[str]) -> float:
    """The share of the phrase's words the message has."""
    if not phrase:
        return 0.0
    return sum(any(_same(w, p) for w in message) for p in phrase) / len(phrase)


def _same(word: str, name: str) -> bool:
    if word == name:
        return True
    if word.isdigit() or name.isdigit():
        return False
    if min(len(word), len(name)) >= 4 and (name.startswith(word) or word.startswith(name)):
        return True
    return fuzz.ratio(word, name) >= NEAR_SPELLING

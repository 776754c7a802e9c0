"""Exercise names in free text → library keys: exact names and aliases first (longest phrase wins), then
rapidfuzz for typos; close runners-up are returned so the chat can ask which one."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from domain.training.library import Exercise, shipped

# Words that carry no exercise meaning, in names and in messages alike.
STOPWORDS = frozenset("a o as os e de da do das dos na no nas nos em com pra para the of on at in and with a an my".split())
# Gym shorthand read as the word it stands for.
_SHORT = {"db": "dumbbell", "dbs": "dumbbell", "bb": "barbell", "kb": "kettlebell", "kbs": "kettlebell", "halter": "haltere",
          "c": "com", "maq": "maquina", "ext": "extensora"}
_PLURALS = (("oes", "ao"), ("aos", "ao"), ("ais", "al"), ("eis", "el"), ("ies", "y"), ("es", "e"), ("s", ""))


def fold(text: str) -> str:
    """Lower case without accents, one space between words ('Supino Inclinado' -> 'supino inclinado')."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def singular(word: str) -> str:
    if len(word) > 3 and not word.endswith(("ss", "us", "is")):
        for ending, replacement in _PLURALS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                return word[: -len(ending)] + replacement
    return word


def phrase_key(words: Iterable[str]) -> str:
    return " ".join(singular(_SHORT.get(w, w)) for w in words if w not in STOPWORDS)


@dataclass(frozen=True)
class Match:
    """The exercise meant (None when unsure), how sure, and the candidates to offer when unsure."""

    key: str | None
    score: float
    candidates: tuple[str, ...] = ()
    words: int = 0  # how many of the message's words the name took


class ExerciseIndex:
    """Every name and alias of a set of exercises, folded, singular and without stopwords."""

    def __init__(self, exercises: Iterable[Exercise]) -> None:
        self.phrases: dict[str, set[str]] = {}
        for ex in exercises:
            for name in (ex.pt, ex.en, *ex.aliases):
                if key := phrase_key(fold(name).split()):
                    self.phrases.setdefault(key, set()).add(ex.key)
        self.choices = list(self.phrases)
        self.longest = max((p.count(" ") + 1 for p in self.choices), default=1)

    def exact(self, words: list[str]) -> tuple[int, int, set[str]] | None:
        """The longest run of words that is a name: (start, length, keys)."""
        for n in range(min(self.longest, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                if keys := self.phrases.get(" ".join(words[i:i + n])):
                    return i, n, keys
        return None

    def containing(self, words: list[str]) -> list[str]:
        """Names holding every one of the words ("rosca" -> rosca direta, rosca martelo, …), shortest first."""
        wanted = set(words)
        return sorted((p for p in self.choices if wanted <= set(p.split())), key=len)

    def fuzzy(self, words: list[str]) -> list[tuple[float, int, str]]:
        """(score, length, phrase) of runs of words close to a name, best first."""
        found: list[tuple[float, int, str]] = []
        for n in range(min(self.longest, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                run = " ".join(words[i:i + n])
                if len(run) < 4:
                    continue
                for phrase, score, _ in process.extract(run, self.choices, scorer=fuzz.ratio, limit=3,
                                                        score_cutoff=80 if len(run) > 6 else 86):
                    found.append((score, n, phrase))
        return sorted(found, key=lambda f: (-f[0], -f[1]))


@cache
def shipped_index() -> ExerciseIndex:
    return ExerciseIndex(shipped().values())


def match_exercise(words: list[str], extra: ExerciseIndex | None = None) -> Match:
    """The exercise named by `words` (folded message words with quantities taken out)."""
    words = phrase_key(words).split()
    if not words:
        return Match(None, 0.0)
    indexes = [i for i in (extra, shipped_index()) if i is not None]
    exact = [(n, keys) for index in indexes if (hit := index.exact(words)) for _, n, keys in [hit]]
    longest = max((n for n, _ in exact), default=0)
    if longest < len(words):  # a typo in a longer name beats the exact part of it ("supino inclnado")
        fuzzy = [(score, n, key) for index in indexes for score, n, phrase in index.fuzzy(words)
                 if n > longest and score >= 85 for key in index.phrases[phrase]]
        if fuzzy:
            return _best_fuzzy(fuzzy)
    if exact:
        keys = sorted(next(k for n, k in exact if n == longest))
        return Match(keys[0] if len(keys) == 1 else None, 1.0, tuple(keys), longest)
    fuzzy = [(score, n, key) for index in indexes for score, n, phrase in index.fuzzy(words) for key in index.phrases[phrase]]
    return _best_fuzzy(fuzzy) if fuzzy else _partial(words, indexes)


def _best_fuzzy(found: list[tuple[float, int, str]]) -> Match:
    """The longest name close enough, then the closest; names within 3 points of it on as many words are runners-up."""
    found.sort(key=lambda f: (-f[1], -f[0]))
    best_score, best_n, best_key = found[0]
    close = list(dict.fromkeys(k for s, n, k in found if n == best_n and s >= best_score - 3))
    if len(close) > 1:
        return Match(None, best_score / 100, tuple(close[:5]), best_n)
    return Match(best_key, best_score / 100, (best_key,), best_n)


def _partial(words: list[str], indexes: list[ExerciseIndex]) -> Match:
    """A word or two that only part of several names: those names are the candidates."""
    order = {key: n for n, key in enumerate(shipped())}  # the library lists the common exercises first
    keys = sorted({k for index in indexes for p in index.containing(words) for k in index.phrases[p]},
                  key=lambda k: (order.get(k, -1), k))
    if len(keys) == 1:
        return Match(keys[0], 0.9, tuple(keys), len(words))
    return Match(None, 0.5 if keys else 0.0, tuple(keys[:10]), len(words))

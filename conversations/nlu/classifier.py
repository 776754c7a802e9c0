"""The learned intent model: TF-IDF of character and word n-grams and a multinomial logistic regression,
trained on the corpus in `corpus/` (`fitzap nlu train`) and shipped beside this module, saved with skops.

Scoring one message goes through the fitted vocabularies and coefficients directly: sklearn's transform and
predict_proba spend about 2 ms a call on input checks for a single short text, where the bot has under 1 ms
for the whole understanding. A test holds the two equal.
"""
from __future__ import annotations

import json
import math
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

CORPUS = Path(__file__).with_name("corpus")
MODEL = Path(__file__).with_name("intent_model.skops")
WHEN = "_when_"  # stands for a date or time the parser found: "marquei pra _when_ _when_?"
_DIGIT = re.compile(r"\d")
C = 30.0  # inverse regularisation, chosen on the blind dev set


def model_text(normalised: str, spans: Sequence[tuple[int, int]] = ()) -> str:
    """What the model reads: the normalised text with dates and times as one token and digits as 0."""
    for start, end in sorted(spans, reverse=True):
        normalised = f"{normalised[:start]} {WHEN} {normalised[end:]}"
    return " ".join(_DIGIT.sub("0", normalised).split())


def read_corpus(folder: Path = CORPUS) -> list[dict[str, str]]:
    """Every {"text", "locale", "intent"} line of the corpus files, in a stable order."""
    rows = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                row = json.loads(line)
                if not {"text", "intent"} <= row.keys():
                    raise ValueError(f"{path.name}:{number}: a corpus line needs text and intent")
                rows.append(row)
    return rows


def fit(texts: Sequence[str], intents: Sequence[str]) -> Any:
    """The sklearn pipeline, fitted on model texts (see `model_text`)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2, dtype=np.float32)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\S+",
                                  dtype=np.float32)),
    ])
    pipeline = Pipeline([("features", features), ("model", LogisticRegression(C=C, max_iter=3000))]).fit(texts, intents)
    for _, vectorizer in features.transformer_list:
        vectorizer.stop_words_ = None  # the n-grams min_df dropped: megabytes the model never reads
    return pipeline


def save(pipeline: Any, path: Path = MODEL) -> None:
    import skops.io as sio

    sio.dump(pipeline, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)


@dataclass(frozen=True)
class _Vocabulary:
    terms: dict[str, int]
    idf: np.ndarray
    offset: int


class IntentModel:
    """A fitted pipeline's vocabularies and coefficients, for scoring one message at a time."""

    def __init__(self, pipeline: Any) -> None:
        chars, words = (v for _, v in pipeline.named_steps["features"].transformer_list)
        self._chars = _Vocabulary(chars.vocabulary_, chars.idf_, 0)
        self._words = _Vocabulary(words.vocabulary_, words.idf_, len(chars.vocabulary_))
        model = pipeline.named_steps["model"]
        self.intents: tuple[str, ...] = tuple(str(c) for c in model.classes_)
        self._weights = np.ascontiguousarray(model.coef_.T, dtype=np.float64)  # a row per feature
        self._intercept = model.intercept_.astype(np.float64)

    def probabilities(self, text: str) -> dict[str, float]:
        """Each intent's probability for one model text."""
        features = self.features(text)
        index, values = list(features), list(features.values())
        scores = self._intercept + (np.asarray(values) @ self._weights[index] if index else 0.0)
        exp = np.exp(scores - scores.max())
        return dict(zip(self.intents, (exp / exp.sum()).tolist(), strict=True))


    def features(self, text: str) -> dict[int, float]:
        """The text's TF-IDF features (column → weight), each vocabulary's part of unit length, as sklearn makes them."""
        out: dict[int, float] = {}
        for vocabulary, grams in ((self._chars, _char_grams(text)), (self._words, _word_grams(text))):
            found = [(vocabulary.terms[g], n) for g, n in Counter(grams).items() if g in vocabulary.terms]
            weights = [(1 + math.log(n)) * vocabulary.idf[i] for i, n in found]
            norm = math.sqrt(sum(w * w for w in weights)) or 1.0
            out.update((vocabulary.offset + i, w / norm) for (i, _), w in zip(found, weights, strict=True))
        return out

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two model texts' features, 0 to 1."""
        fa, fb = self._cached(a), self._cached(b)
        return sum(w * fb.get(i, 0.0) for i, w in fa.items()) / 2  # each text's two parts are of unit length

    @lru_cache(maxsize=4096)  # noqa: B019 (one model per process, for its life)
    def _cached(self, text: str) -> dict[int, float]:
        return self.features(text)


def _char_grams(text: str) -> Iterable[str]:
    """sklearn's char_wb n-grams, 2 to 5, each word padded with a space on both sides."""
    for word in text.split():
        padded = f" {word} "
        for n in range(2, 6):
            if len(padded) < n:
                break
            yield from (padded[i:i + n] for i in range(len(padded) - n + 1))


def _word_grams(text: str) -> Iterable[str]:
    words = text.split()
    yield from words
    yield from (f"{a} {b}" for a, b in zip(words, words[1:], strict=False))


@cache
def shipped() -> IntentModel | None:
    """The model beside this module, loaded once (None before the first `fitzap nlu train`)."""
    if not MODEL.exists():
        return None
    import skops.io as sio

    return IntentModel(sio.load(MODEL, trusted=sio.get_untrusted_types(file=MODEL)))

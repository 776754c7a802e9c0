"""The learned intent model: its fast scoring equals sklearn's, it is rebuilt from its corpus, it reads a short
answer in the light of the last question, it says when it is unsure, and its blind test split stays frozen."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import skops.io as sio

from cli.nlu import per_intent_table, score_file, train_model
from conversations.nlu import classifier, understand
from conversations.nlu.understand import model_input

NLU_DIR = Path(__file__).parent / "nlu"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))
# Written by someone who never saw the rules or the training data, and frozen before any tuning: not one line
# of it may change (tests/nlu/README.md).
BLIND_TEST_SHA256 = "853de82b54495010ad9b2848de023e35519aae9833bc700b7dc651f90e3fded4"


def test_the_blind_test_split_is_frozen() -> None:
    assert hashlib.sha256((NLU_DIR / "blind_test.jsonl").read_bytes()).hexdigest() == BLIND_TEST_SHA256


def test_fast_scoring_gives_sklearns_probabilities() -> None:
    pipeline = sio.load(classifier.MODEL, trusted=sio.get_untrusted_types(file=classifier.MODEL))
    texts = [model_input(r["text"], r["locale"]) for r in classifier.read_corpus()[::20]]
    fast = classifier.IntentModel(pipeline)
    mine = np.array([[fast.probabilities(t)[i] for i in fast.intents] for t in texts])
    np.testing.assert_allclose(mine, pipeline.predict_proba(texts), atol=1e-5)


def test_nlu_train_rebuilds_a_model_from_a_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = [("cheguei", "check_in"), ("to na recepcao", "check_in"), ("cheguei na academia", "check_in"),
             ("quero marcar", "book"), ("marca pra mim amanha", "book"), ("tem vaga hoje", "book"),
             ("quanto custa", "pay"), ("pagar com pix", "pay"), ("quero pagar", "pay")]
    (corpus / "pt-BR.jsonl").write_text("".join(json.dumps({"text": t, "locale": "pt-BR", "intent": i}) + "\n" for t, i in lines))
    made = train_model(tmp_path / "model.skops", corpus)
    assert made["examples"] == 9 and made["intents"] == 3
    pipeline = sio.load(tmp_path / "model.skops", trusted=sio.get_untrusted_types(file=tmp_path / "model.skops"))
    model = classifier.IntentModel(pipeline)
    assert max(model.probabilities(model_input("cheguei aqui", "pt-BR")).items(), key=lambda kv: kv[1])[0] == "check_in"


def test_a_short_answer_after_a_yes_no_question_is_read_as_one() -> None:
    alone = understand("hmm ok então", "pt-BR", NOW)
    asked = understand("hmm ok então", "pt-BR", NOW, frozenset({"yes", "no"}))
    assert alone.intent == "unknown" and asked.intent == "yes"


def test_when_unsure_the_likeliest_meanings_are_offered() -> None:
    unsure = understand("quero ver uns horários", "pt-BR", NOW)
    assert unsure.confidence < 0.45 and set(unsure.options) >= {"book", "my_appointments"}
    assert understand("quero marcar amanhã às 7", "pt-BR", NOW).options == ()


def test_the_rules_keep_exact_words_and_menu_numbers() -> None:
    assert understand("PARAR", "pt-BR", NOW).intent == "opt_out"
    assert understand("s", "pt-BR", NOW).intent == "yes"
    assert understand("3", "pt-BR", NOW).intent == "unknown"


def test_a_duration_in_a_workout_log_is_not_a_time() -> None:
    found = understand("corri 5km em 28 min", "pt-BR", NOW)
    assert (found.intent, found.datetime) == ("log_workout", None)


def test_nlu_score_prints_precision_and_recall_per_intent() -> None:
    table = per_intent_table(score_file(NLU_DIR / "blind_dev.jsonl"))
    assert table.splitlines()[0].split() == ["intent", "n", "precision", "recall"]
    assert any(line.startswith("check_in") for line in table.splitlines())


def test_times_a_person_means() -> None:
    thursday_evening = datetime(2026, 11, 26, 18, 20, tzinfo=ZoneInfo("America/Sao_Paulo"))
    at = lambda text, now=NOW, locale="pt-BR", **kw: understand(text, locale, now, **kw).datetime  # noqa: E731
    assert at("quinta 18h30", thursday_evening).isoformat()[:16] == "2026-11-26T18:30"  # today, still ahead
    assert at("às 5").hour == 17 and at("às 5", day_starts=5).hour == 5  # a studio that opens at 6, and one at 5
    assert at("das 18h pras 19h").hour == 19 and understand("das 18h pras 19h", "pt-BR", NOW).moved_from.hour == 18
    assert at("at 8 instead of 7:30", locale="en").hour == 8
    assert at("wednesday at half 6 in the evening", locale="en").strftime("%H:%M") == "18:30"
    assert at("pilates 4ª feira 17h").strftime("%a %H:%M") == "Wed 17:00"

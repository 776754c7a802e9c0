"""Workout logs in free text: the blind set (written before the parser was tuned) and the shapes the chat promises."""
from __future__ import annotations

from pathlib import Path

import pytest

from cli.log_score import score_logs
from conversations.nlu.workout_log import parse_log
from domain.training.library import EQUIPMENT, KINDS, MUSCLES, shipped

BLIND_SET = Path(__file__).parent / "nlu" / "workout_logs.jsonl"


def test_blind_log_set_is_read_exactly_right_at_least_95_percent():
    score = score_logs(BLIND_SET)
    assert score["lines"] >= 250
    assert score["accuracy"] >= 0.95, score


@pytest.mark.parametrize(("text", "want"), [
    ("fiz supino 3x10 42,5kg", ("bench_press", 3, 10, 42.5, "kg", None, None, None)),
    ("fiz agachamento 4x8 60", ("back_squat", 4, 8, 60.0, "kg", None, None, None)),
    ("3x12 remada curvada 30kg cada lado", ("barbell_row", 3, 12, 30.0, "kg", None, None, None)),
    ("corri 5km em 28 min", ("running", None, None, None, None, 5.0, "km", 1680)),
    ("prancha 3x45s", ("plank", 3, None, None, None, None, None, 45)),
    ("bench 3x5 225lbs", ("bench_press", 3, 5, 225.0, "lb", None, None, None)),
    ("ran 5k in 27:40", ("running", None, None, None, None, 5.0, "km", 1660)),
    ("leg 45 4x12 200kg", ("leg_press", 4, 12, 200.0, "kg", None, None, None)),
])
def test_log_shapes_the_chat_promises(text, want):
    (entry,) = parse_log(text)
    assert (entry.exercise, entry.sets, entry.reps, entry.load, entry.unit, entry.distance, entry.distance_unit,
            entry.duration_s) == want


def test_two_exercises_in_one_message_are_two_entries():
    entries = parse_log("supino 3x10 40kg, crucifixo 3x12 12kg")
    assert [(e.exercise, e.load) for e in entries] == [("bench_press", 40.0), ("chest_fly", 12.0)]


def test_pounds_are_kept_as_written_and_converted_for_records():
    (entry,) = parse_log("curl 3x12 22.5 lb")
    assert (entry.load, entry.unit, entry.load_kg) == (22.5, "lb", 10.21)


def test_an_ambiguous_name_offers_candidates_instead_of_guessing():
    (entry,) = parse_log("rosca 3x12 10kg")
    assert entry.exercise is None
    assert len(entry.candidates) >= 2


def test_library_has_150_exercises_with_both_names_and_known_kinds():
    library = shipped()
    assert len(library) >= 150
    for exercise in library.values():
        assert exercise.pt and exercise.en and exercise.kind in KINDS and exercise.equipment in EQUIPMENT
        assert set(exercise.muscles) <= set(MUSCLES)

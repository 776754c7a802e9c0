"""The training chat's texts: long workouts split between exercises, measurements read from a line, photos told apart."""
from __future__ import annotations

import pytest

from conversations.flows.training import is_progress_photo, measurement, split_at_items


def test_a_long_workout_is_split_under_4096_characters_between_exercises():
    lines = [f"{n}. *Exercício {n}* — 4×10 · 40 kg\n   _{'nota longa ' * 12}_" for n in range(1, 61)]
    chunks = split_at_items("🏋️ *Treino de hoje*", lines)
    assert len(chunks) > 1 and all(len(c) <= 4096 for c in chunks)
    assert "\n\n".join(chunks) == "\n\n".join(["🏋️ *Treino de hoje*", *lines])  # nothing lost, nothing cut mid-exercise
    assert all(c.startswith(("🏋️", "1", "2", "3", "4", "5", "6")) for c in chunks)


@pytest.mark.parametrize(("text", "want"), [
    ("peso 62kg", ("weight", 62.0)), ("Peso: 61,5 kg", ("weight", 61.5)), ("meu peso hoje 70", ("weight", 70.0)),
    ("cintura 70cm", ("waist", 70.0)), ("weight 136 lb", ("weight", 61.7)), ("bf 18%", ("body_fat", 18.0)),
    ("supino 3x10 40kg", None), ("peso do supino 40kg? ", None),
])
def test_measurements_are_read_from_a_short_line(text, want):
    assert measurement(text) == want


def test_a_photo_is_kept_for_progress_only_when_its_caption_says_so():
    assert is_progress_photo("minha evolução 💪", None)
    assert is_progress_photo(None, "progress")
    assert not is_progress_photo("comprovante do pix", None)

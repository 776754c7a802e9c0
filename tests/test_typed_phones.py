"""Phones typed by a person in the panel become the same E.164 identity WhatsApp reports."""
from __future__ import annotations

import pytest

from domain.people.phones import InvalidPhone, parse_typed_phone, region_of


@pytest.mark.parametrize(("typed", "region", "e164"), [
    ("(11) 98765-4321", "BR", "+5511987654321"),
    ("11 8765-4321", "BR", "+5511987654321"),  # an old eight-digit mobile gets its ninth digit
    ("+55 21 99876-5432", None, "+5521998765432"),
    ("(11) 3333-4444", "BR", "+551133334444"),  # a landline keeps eight digits
    ("+44 20 7946 0958", "BR", "+442079460958"),
])
def test_typed_phone_is_normalised(typed: str, region: str | None, e164: str) -> None:
    assert parse_typed_phone(typed, region) == e164


@pytest.mark.parametrize(("typed", "region"), [("12345", "BR"), ("nada", "BR"), ("98765-4321", None), ("+55 11 1234", None)])
def test_bad_phone_is_refused_in_words(typed: str, region: str | None) -> None:
    with pytest.raises(InvalidPhone, match="phone number"):
        parse_typed_phone(typed, region)


def test_region_comes_from_the_locale() -> None:
    assert (region_of("pt-BR"), region_of("en_US"), region_of("en"), region_of(None)) == ("BR", "US", None, None)

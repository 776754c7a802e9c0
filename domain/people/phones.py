"""Canonical identities for WhatsApp contacts."""
from __future__ import annotations

from functools import lru_cache

import phonenumbers


# Parsing is dear and a studio's clients write again and again (docs/performance.md): a known
# number is parsed once. Bounded, so a flood of new numbers cannot grow it.
@lru_cache(maxsize=65536)
def canonical_phone(wa_id: str) -> str | None:
    """E.164 ("+5511987654321") for a WhatsApp id, restoring Brazil's mobile ninth digit.

    Older Brazilian mobiles still arrive as 55 + area + 8 digits; phonenumbers parses both forms
    as valid, so the ninth digit rule (mobiles begin 6-9) is applied here to match one person.
    """
    digits = "".join(ch for ch in wa_id if ch.isdigit())
    if not digits:
        return None
    if len(digits) == 12 and digits.startswith("55") and digits[4] in "6789":
        digits = f"{digits[:4]}9{digits[4:]}"
    try:
        number = phonenumbers.parse(f"+{digits}")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_USER_ID_PREFIX = "bsuid:"


def contact_key(wa_id: str | None, user_id: str | None) -> str | None:
    """The key one person is known by inside a business: phone first, else the scoped user id."""
    phone = canonical_phone(wa_id) if wa_id else None
    if phone:
        return phone
    return f"{_USER_ID_PREFIX}{user_id}" if user_id else None


def phone_of_key(key: str) -> str | None:
    """The E.164 phone a contact key was made from (None for a user-id key), without parsing the number again."""
    return None if key.startswith(_USER_ID_PREFIX) else key


class InvalidPhone(ValueError):
    """A typed phone number that is not a valid number; the message says what to fix."""


def region_of(locale: str | None) -> str | None:
    """The default phone region of a locale ("pt-BR" → "BR"); None when the locale names no country."""
    parts = (locale or "").replace("_", "-").split("-")
    return parts[1].upper() if len(parts) > 1 and len(parts[1]) == 2 else None


def parse_typed_phone(text: str, region: str | None) -> str:
    """E.164 for a number a person typed ("(11) 98765-4321" in BR, "+44 20 …"); InvalidPhone otherwise.

    Goes through `canonical_phone`, so an old eight-digit Brazilian mobile is the same person as
    the nine-digit form WhatsApp reports.
    """
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        hint = "" if region else " with the country code (+…)"
        raise InvalidPhone(f"“{text}” is not a phone number; type it{hint} like +55 11 98765-4321") from None
    phone = canonical_phone(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    if phone is None or not phonenumbers.is_valid_number(phonenumbers.parse(phone)):
        raise InvalidPhone(f"“{text}” is not a valid phone number; check the area code and the digits")
    return phone

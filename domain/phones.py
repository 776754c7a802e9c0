"""Canonical identities for WhatsApp contacts."""
from __future__ import annotations

import phonenumbers


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


def contact_key(wa_id: str | None, user_id: str | None) -> str | None:
    """The key one person is known by inside a business: phone first, else the scoped user id."""
    phone = canonical_phone(wa_id) if wa_id else None
    if phone:
        return phone
    return f"bsuid:{user_id}" if user_id else None

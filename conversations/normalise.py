"""Text normalisation before matching: lower case, no accents, no emoji, single spaces."""
from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^a-z0-9:/ ]+")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """'Olá!! 😀 Bom DIA' -> 'ola bom dia'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ord(ch) < 128)
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", ascii_only)).strip()

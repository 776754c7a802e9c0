"""Secrets kept at rest (a business's WhatsApp token): Fernet with a key derived from SECRET_KEY."""
from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# SECRET_KEY also signs sessions: HKDF with its own label gives this use a key of its own.
_INFO = b"fitzap secret box v1"


@lru_cache(maxsize=4)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret_key: str, plaintext: str) -> str:
    """The secret encrypted and authenticated, as text fit for a column."""
    return _fernet(secret_key).encrypt(plaintext.encode()).decode("ascii")


def unseal(secret_key: str, sealed: str | None) -> str | None:
    """The secret back, or None when there is none or it was sealed under another SECRET_KEY."""
    if not sealed:
        return None
    try:
        return _fernet(secret_key).decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        return None


def masked(plaintext: str | None) -> str | None:
    """Only the last 4 characters, for showing which secret is stored without showing it."""
    if not plaintext:
        return None
    return "••••" + plaintext[-4:]

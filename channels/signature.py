"""X-Hub-Signature-256: HMAC-SHA256 of the raw body with the Meta app secret."""
from __future__ import annotations

import hashlib
import hmac


def sign(body: bytes, app_secret: str) -> str:
    """The header value Meta would send for `body`."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def is_valid(body: bytes, header: str | None, app_secret: str) -> bool:
    """Constant-time check of the header against the body."""
    # compare_digest refuses str with non-ASCII characters, and a hex digest never has one.
    if not header or not header.isascii() or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(sign(body, app_secret), header)

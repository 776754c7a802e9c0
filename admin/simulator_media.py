"""Images a simulated client sends: checked as WhatsApp would take them, and kept where the Graph API would keep
them, under a media id the webhook carries.

The sandbox has no Graph API: this in-memory store stands in for it, for the demo's one process. The bot gets the
media id in the webhook, as from Meta; the simulator shows the image back from here.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass

MAX_IMAGE_BYTES = 5 * 1024 * 1024  # WhatsApp takes images up to 5 MB
MAX_CAPTION = 1024  # the Cloud API's caption limit
# What a file starts with tells its type, whatever its name or the browser says.
SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def image_type(content: bytes) -> str | None:
    """ "image/jpeg" or "image/png" by the file's first bytes; None for anything else."""
    return next((mime for signature, mime in SIGNATURES.items() if content.startswith(signature)), None)


@dataclass(frozen=True)
class StoredImage:
    media_id: str
    mime_type: str
    content: bytes

    @property
    def sha256(self) -> str:
        """The file's hash as the Cloud API's webhook gives it (base64)."""
        return base64.b64encode(hashlib.sha256(self.content).digest()).decode()


class SandboxMedia:
    """The newest images sent, by media id; the oldest go first past `max_items` or `max_bytes`."""

    def __init__(self, max_items: int = 100, max_bytes: int = 100 * 1024 * 1024) -> None:
        self._images: OrderedDict[str, StoredImage] = OrderedDict()
        self._max_items, self._max_bytes = max_items, max_bytes
        self._lock = threading.Lock()  # the demo's worker threads share the process

    def put(self, content: bytes, mime_type: str) -> StoredImage:
        image = StoredImage(str(10**15 + secrets.randbelow(9 * 10**15)), mime_type, content)  # 16 digits, like Meta's
        with self._lock:
            self._images[image.media_id] = image
            while len(self._images) > self._max_items or sum(len(i.content) for i in self._images.values()) > self._max_bytes:
                self._images.popitem(last=False)
        return image

    def get(self, media_id: str) -> StoredImage | None:
        with self._lock:
            return self._images.get(media_id)


MEDIA = SandboxMedia()

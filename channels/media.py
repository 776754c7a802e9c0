"""Downloading a client's media from the Graph API: the media id gives a short-lived URL, fetched with the
same token. Used for progress photos, and only when MEDIA_DIR says where to keep them."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import httpx

MAX_BYTES = 16 * 1024 * 1024  # WhatsApp's images are at most 5 MB; anything far bigger is not a photo
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}


class MediaError(Exception):
    """The media could not be had: gone, refused, not an image, too big, or the network failed."""


@dataclass(frozen=True)
class Media:
    content: bytes
    extension: str


async def download(http: httpx.AsyncClient, root: str, media_id: str, token: str) -> Media:
    """GET /{media-id} for its URL and type, then the file itself; MediaError when anything is off."""
    auth = {"Authorization": f"Bearer {token}"}
    try:
        meta = await http.get(f"{root}/{quote(media_id, safe='')}", headers=auth)
        if meta.status_code != 200:
            raise MediaError(f"media lookup answered {meta.status_code}")
        info = meta.json()
        extension = EXTENSIONS.get(str(info.get("mime_type", "")).split(";")[0])
        if extension is None or not str(info.get("url", "")).startswith("https://"):
            raise MediaError("not an image the panel can show")
        async with http.stream("GET", info["url"], headers=auth) as answer:
            if answer.status_code != 200:
                raise MediaError(f"media download answered {answer.status_code}")
            content = b""
            async for chunk in answer.aiter_bytes():
                content += chunk
                if len(content) > MAX_BYTES:
                    raise MediaError("media too big")
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        raise MediaError(f"media download failed: {type(exc).__name__}") from exc
    return Media(content, extension)

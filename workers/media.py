"""The `media` actor: progress photos downloaded from the Graph API into MEDIA_DIR (only when it is set)."""
from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import httpx

from channels.media import MediaError, download
from domain.models import Business
from domain.training import measurements
from runtime.resources import Runtime
from workers.sending import own_token

log = logging.getLogger(__name__)
# Meta keeps a media id for 30 days; older photos can no longer be fetched.
MEDIA_KEPT_BY_META = timedelta(days=30)
BATCH = 20


def fetching(rt: Runtime) -> bool:
    """Photos are downloaded only where they are kept (MEDIA_DIR) and from the real Graph API."""
    return rt.settings.media_dir is not None and rt.channel.name == "cloud_api"


async def fetch_photos(rt: Runtime) -> int:
    """Download the waiting photos, a batch at a time; one that fails for good is marked and not tried again."""
    if not fetching(rt):
        return 0
    root = f"{rt.settings.whatsapp_api_base_url.rstrip('/')}/{rt.settings.whatsapp_api_version}"
    async with rt.sessions() as session:
        waiting = await measurements.photos_to_fetch(session, rt.clock.now() - MEDIA_KEPT_BY_META, BATCH)
        tokens = {m.business_id: own_token(rt, await session.get(Business, m.business_id)) for m in waiting}
    async with httpx.AsyncClient(timeout=20.0) as http:
        for photo in waiting:
            token = tokens[photo.business_id] or rt.settings.whatsapp_token.get_secret_value()
            try:
                media = await download(http, root, str(photo.media_id), token)
                relative = Path(str(photo.business_id)) / f"{photo.id}{media.extension}"
                target = rt.settings.media_dir / relative  # type: ignore[operator]  # fetching() checked it
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(media.content)
                kept = str(relative)
            except MediaError as error:
                log.warning("progress photo %s of business %s not downloaded: %s", photo.id, photo.business_id, error)
                kept = ""
            async with rt.sessions.begin() as session:
                await measurements.kept_photo(session, photo.id, kept)
    return len(waiting)

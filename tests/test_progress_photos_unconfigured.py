"""Without MEDIA_DIR a progress photo keeps only its media id: nothing is downloaded."""
from __future__ import annotations

import respx

from tests.support import drain, inbound, signed
from tests.transcript_runner import CLIENT_WA
from workers import media


async def test_without_media_dir_only_the_media_id_is_kept(web, runtime, business, broker):
    raw, headers = signed(inbound("image_with_caption", message_id="wamid.PHOTO2", wa_id=CLIENT_WA))
    assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
    await drain(broker, runtime, only_inbound=True)
    with respx.mock:  # a request here would fail the test: none is made
        assert await media.fetch_photos(runtime) == 0

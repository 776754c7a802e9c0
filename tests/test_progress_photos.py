"""Progress photos: the media id is kept; with MEDIA_DIR set the photo is downloaded from the Graph API and
shown on the client's page to staff who may see the client."""
from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import respx
from sqlalchemy import select

from domain.models import Measurement
from runtime.settings import Settings
from tests.client_admin_setup import as_owner
from tests.conftest import GRAPH, make_settings
from tests.support import drain, inbound, signed
from tests.transcript_runner import CLIENT_WA
from workers import media, sweeper

MEDIA_ID = "1479537139650973"  # the fixture's image
LOOKASIDE = "https://lookaside.test/whatsapp_business/attachments/?mid=1479537139650973"


@pytest.fixture
def settings(database: str, tmp_path: Path) -> Settings:
    return make_settings(MEDIA_DIR=str(tmp_path / "media"))


async def _photo_sent(web, runtime, broker) -> Measurement:  # type: ignore[no-untyped-def]
    raw, headers = signed(inbound("image_with_caption", message_id="wamid.PHOTO1", wa_id=CLIENT_WA))
    assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
    await drain(broker, runtime, only_inbound=True)
    async with runtime.sessions() as session:
        return (await session.execute(select(Measurement))).scalar_one()


async def test_a_progress_photo_is_downloaded_into_media_dir_and_shown_on_the_client_page(web, runtime, business, broker, settings):
    photo = await _photo_sent(web, runtime, broker)
    assert (photo.kind, photo.media_id, photo.media_path) == ("photo", MEDIA_ID, None)
    with respx.mock:
        lookup = respx.get(f"{GRAPH}/v23.0/{MEDIA_ID}").respond(json={"url": LOOKASIDE, "mime_type": "image/jpeg"})
        respx.get(LOOKASIDE).respond(content=b"\xff\xd8 a jpeg")
        assert await media.fetch_photos(runtime) == 1
    assert lookup.calls.last.request.headers["Authorization"] == "Bearer test-token"
    kept = settings.media_dir / str(business.id) / f"{photo.id}.jpg"
    assert kept.read_bytes() == b"\xff\xd8 a jpeg"

    await as_owner(web, runtime, business.id)
    page = await (await web.get(f"/admin/clients/{photo.client_id}")).text()
    assert f'href="/admin/clients/{photo.client_id}/photos/{photo.id}"' in page
    shown = await web.get(f"/admin/clients/{photo.client_id}/photos/{photo.id}")
    assert shown.status == 200 and await shown.read() == b"\xff\xd8 a jpeg"
    assert (await web.get(f"/admin/clients/{photo.client_id}/photos/{photo.id + 1}")).status == 404


async def test_a_photo_the_graph_api_refuses_is_given_up_once_and_not_fetched_again(web, runtime, business, broker):
    photo = await _photo_sent(web, runtime, broker)
    with respx.mock:
        respx.get(f"{GRAPH}/v23.0/{MEDIA_ID}").respond(404, json={"error": {"code": 100}})
        assert await media.fetch_photos(runtime) == 1
    with respx.mock:  # any request now would fail: there is none
        assert await media.fetch_photos(runtime) == 0
    async with runtime.sessions() as session:
        assert (await session.get(Measurement, photo.id)).media_path == ""


async def test_a_network_failure_is_given_up_without_losing_the_media_id(web, runtime, business, broker):
    photo = await _photo_sent(web, runtime, broker)
    with respx.mock:
        respx.get(f"{GRAPH}/v23.0/{MEDIA_ID}").mock(side_effect=httpx.ConnectError("down"))
        await media.fetch_photos(runtime)
    async with runtime.sessions() as session:
        stored = await session.get(Measurement, photo.id)
    assert (stored.media_id, stored.media_path) == (MEDIA_ID, "")


async def test_the_sweeper_wakes_the_download_when_a_photo_waits(web, runtime, business, broker, monkeypatch):
    woken: list[str] = []

    async def wake_media() -> None:
        woken.append("media")

    monkeypatch.setattr(runtime.wake, "media", wake_media)
    await sweeper.sweep(runtime)
    assert woken == []
    await _photo_sent(web, runtime, broker)
    await sweeper.sweep(runtime)
    assert woken == ["media"]

"""Settings → Business and Policies: the owner changes them; bad input is refused in words, nothing saved."""
from __future__ import annotations

from aiohttp.test_utils import TestClient

from domain.models import Business
from runtime.resources import Runtime
from tests.settings_support import as_owner, as_trainer, fresh, post

GOOD = {"name": "Studio Força Total", "timezone": "America/Recife", "locale": "en", "currency": "usd",
        "address": "Rua Augusta 1500, São Paulo", "latitude": "-23.5614", "longitude": "-46.6559", "checkin_radius_m": "80"}
POLICIES = {"min_notice_min": "60", "max_horizon_days": "14", "slot_step_min": "15", "late_cancel_window_min": "360",
            "no_show_after_min": "10", "waitlist_hold_min": "20", "booking_requires_credit": "on"}


async def test_owner_sees_business_settings(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    page = await (await web.get("/admin/settings")).text()
    assert "Studio Força" in page and "America/Sao_Paulo" in page and "QR check-in code" in page
    assert f'name="csrf_token" value="{token}"' in page  # every form can be posted


async def test_owner_saves_business_details(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    response = await post(web, "/admin/settings", token, **GOOD)
    assert response.status == 302 and response.headers["Location"] == "/admin/settings"
    saved = await fresh(runtime, Business, business.id)
    assert (saved.name, saved.timezone, saved.locale, saved.currency) == ("Studio Força Total", "America/Recife", "en", "USD")
    assert saved.address == "Rua Augusta 1500, São Paulo" and saved.checkin_radius_m == 80
    assert (saved.latitude, saved.longitude) == (-23.5614, -46.6559)
    assert "Business details saved." in await (await web.get("/admin/settings")).text()


async def test_invalid_timezone_is_refused_and_nothing_saved(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    response = await post(web, "/admin/settings", token, **{**GOOD, "timezone": "Brazil/Gotham"})
    assert response.status == 400
    page = await response.text()
    assert "is not a time zone" in page and "Nothing was saved" in page
    saved = await fresh(runtime, Business, business.id)
    assert saved.name == "Studio Força" and saved.timezone == "America/Sao_Paulo"


async def test_out_of_range_location_and_bad_currency_are_refused(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    response = await post(web, "/admin/settings", token, **{**GOOD, "latitude": "123", "currency": "REAIS"})
    page = await response.text()
    assert response.status == 400 and "Must be at most 90." in page and "3-letter ISO 4217 code" in page
    response = await post(web, "/admin/settings", token, **{**GOOD, "longitude": ""})
    assert response.status == 400 and "both latitude and longitude" in await response.text()
    assert (await fresh(runtime, Business, business.id)).latitude is None


async def test_regenerating_the_checkin_code_replaces_it(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    assert (await post(web, "/admin/settings/checkin-code", token)).status == 302
    first = (await fresh(runtime, Business, business.id)).checkin_code
    await post(web, "/admin/settings/checkin-code", token)
    second = (await fresh(runtime, Business, business.id)).checkin_code
    assert first and second and first != second and first.startswith("CHECKIN-")
    assert second in await (await web.get("/admin/settings")).text()


async def test_the_checkin_code_is_a_qr_image_to_print(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    assert (await web.get("/admin/settings/checkin-qr.svg")).status == 404  # no code yet
    await post(web, "/admin/settings/checkin-code", token)
    image = await web.get("/admin/settings/checkin-qr.svg")
    assert image.status == 200 and image.content_type == "image/svg+xml" and "<svg" in await image.text()
    page = await (await web.get("/admin/settings")).text()
    assert '<img src="/admin/settings/checkin-qr.svg"' in page and "Download the QR image to print" in page
    assert '<link rel="icon" href="/admin/static/favicon.svg"' in page
    assert (await web.get("/admin/static/favicon.svg")).status == 200


async def test_owner_saves_policies(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    assert (await post(web, "/admin/settings/policies", token, **POLICIES)).status == 302
    saved = await fresh(runtime, Business, business.id)
    assert (saved.min_notice_min, saved.max_horizon_days, saved.slot_step_min, saved.late_cancel_window_min,
            saved.no_show_after_min, saved.waitlist_hold_min, saved.booking_requires_credit) == (60, 14, 15, 360, 10, 20, True)
    await post(web, "/admin/settings/policies", token, **{**POLICIES, "booking_requires_credit": ""})
    assert (await fresh(runtime, Business, business.id)).booking_requires_credit is False


async def test_policies_out_of_range_are_refused_in_words(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    response = await post(web, "/admin/settings/policies", token,
                          **{**POLICIES, "slot_step_min": "7", "max_horizon_days": "0", "no_show_after_min": "soon"})
    page = await response.text()
    assert response.status == 400
    assert "multiple of 5 minutes" in page and "Must be at least 1." in page and "Must be a whole number." in page
    saved = await fresh(runtime, Business, business.id)
    assert (saved.slot_step_min, saved.max_horizon_days, saved.booking_requires_credit) == (30, 30, False)


async def test_trainer_cannot_see_or_change_business_settings(web: TestClient, runtime: Runtime, business: Business) -> None:
    token, _ = await as_trainer(web, runtime, business)
    for path in ("/admin/settings", "/admin/settings/policies", "/admin/settings/whatsapp"):
        assert (await web.get(path)).status == 403
    assert (await post(web, "/admin/settings", token, **GOOD)).status == 403
    assert (await post(web, "/admin/settings/policies", token, **POLICIES)).status == 403
    assert (await post(web, "/admin/settings/checkin-code", token)).status == 403
    assert (await web.get("/admin/settings/checkin-qr.svg")).status == 403
    assert (await fresh(runtime, Business, business.id)).name == "Studio Força"


async def test_anonymous_is_sent_to_login_and_cannot_post(web: TestClient, business: Business) -> None:
    response = await web.get("/admin/settings/policies", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"].startswith("/admin/login")
    assert (await web.post("/admin/settings/policies", data=POLICIES, allow_redirects=False)).status == 403

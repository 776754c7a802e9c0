"""The panel speaks pt-BR and English: a complete catalog, the business's language by default, a per-user switch,
and Babel's money and dates."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from sqlalchemy import update

from admin.i18n import CATALOG_DIR, day_label, moment_label, money, use_locale
from domain.models import Business
from tests.admin_support import csrf_of, login, make_user

REPO = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _panel_messages() -> set[str]:
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(REPO / "admin"), method_map, options):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _catalog():  # type: ignore[no-untyped-def]
    with (CATALOG_DIR / "pt_BR" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source)


def test_every_panel_message_has_a_portuguese_translation() -> None:
    catalog = _catalog()
    missing = sorted(m for m in _panel_messages() if not (catalog.get(m) and catalog.get(m).string))
    assert not missing, f"run `make catalog` and translate: {missing[:10]}"
    assert not [m.id for m in catalog if m.id and m.fuzzy], "fuzzy translations are not used: review them"


def test_translations_keep_every_placeholder() -> None:
    for message in _catalog():
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[-1]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) <= set(PLACEHOLDER.findall(source)) | {"num"}, (source, text)
            assert set(PLACEHOLDER.findall(source)) - {"num"} <= set(PLACEHOLDER.findall(text)), (source, text)


def test_money_and_dates_read_as_in_brazil() -> None:
    use_locale("pt-BR")
    assert money(15000, "BRL") == "R$ 150,00"
    assert day_label(date(2026, 12, 3)) == "qui, 03/12/2026"
    assert moment_label(datetime(2026, 12, 3, 21, 30, tzinfo=UTC), "America/Sao_Paulo") == "qui, 03/12/2026 18:30"
    use_locale("en")
    assert money(15000, "BRL") == "R$150.00"
    assert day_label(date(2026, 12, 3)) == "Thu, 03/12/2026"


async def test_a_brazilian_studio_gets_the_panel_in_portuguese(web, runtime, business):
    await make_user(runtime, business.id, locale=None)
    await login(web)
    page = await (await web.get("/admin/dashboard")).text()
    assert '<html lang="pt-BR">' in page
    assert ">Agenda</a>" in page and ">Configurações</a>" in page and ">Sair</button>" in page
    assert "Log out" not in page


async def test_an_english_studio_gets_it_in_english(web, runtime, business):
    async with runtime.sessions.begin() as session:
        await session.execute(update(Business).where(Business.id == business.id).values(locale="en"))
    await make_user(runtime, business.id, locale=None)
    await login(web)
    page = await (await web.get("/admin/dashboard")).text()
    assert ">Calendar</a>" in page and ">Log out</button>" in page


async def test_a_user_switches_to_english_and_it_stays_after_logging_in_again(web, runtime, business):
    await make_user(runtime, business.id, locale=None)
    token = await login(web)
    response = await web.post("/admin/me/language", data={"locale": "en", "csrf_token": token},
                              headers={"Referer": "http://127.0.0.1/admin/clients?q=ana"}, allow_redirects=False)
    assert response.status == 302 and response.headers["Location"] == "/admin/clients?q=ana"
    assert ">Log out</button>" in await (await web.get("/admin/dashboard")).text()

    token = await csrf_of(web, "/admin/dashboard")
    await web.post("/admin/logout", data={"csrf_token": token})
    await login(web)
    page = await (await web.get("/admin/dashboard")).text()
    assert ">Log out</button>" in page and ">Português (Brasil)</button>" in page


async def test_an_unknown_language_is_refused_and_nothing_changes(web, runtime, business):
    await make_user(runtime, business.id, locale=None)
    token = await login(web)
    response = await web.post("/admin/me/language", data={"locale": "fr", "csrf_token": token}, allow_redirects=False)
    assert response.status == 400
    assert ">Sair</button>" in await (await web.get("/admin/dashboard")).text()


async def test_switching_language_needs_the_form_token(web, runtime, business):
    await make_user(runtime, business.id, locale=None)
    await login(web)
    response = await web.post("/admin/me/language", data={"locale": "en"}, allow_redirects=False)
    assert response.status == 403


async def test_the_login_page_speaks_the_browsers_language(web, runtime, business):
    portuguese = await (await web.get("/admin/login", headers={"Accept-Language": "pt-BR,pt;q=0.9,en;q=0.8"})).text()
    assert '<html lang="pt-BR">' in portuguese
    english = await (await web.get("/admin/login", headers={"Accept-Language": "en-US,en;q=0.9"})).text()
    assert '<html lang="en">' in english

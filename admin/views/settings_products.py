"""Settings → Products: what the chat sells (packs, memberships, drop-ins); add, edit, archive; owner only."""
from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from admin.forms.products import ProductForm
from admin.forms.services import price_text
from admin.i18n import _
from admin.identity import require_owner
from admin.views.settings_routes import routes
from admin.views.settings_support import done, form_data, invalid, not_found_as_404, owner_form, row_id, toggle_active
from domain.errors import InvalidProduct
from domain.models import Business, Product
from domain.payments import products
from domain.payments.products import MAX_CREDITS, MAX_VALIDITY_DAYS
from domain.people import business_settings
from domain.scheduling.catalog import get_scoped
from gateways.base import ProviderError
from runtime.keys import RUNTIME

LIST_PAGE = "admin/settings_products.html"
EDIT_PAGE = "admin/settings_product_edit.html"
NEW = {"kind": "pack", "name": "", "price": "", "credits": "10", "validity_days": "60", "period": "month", "sessions_per_week": ""}


def _values(product: Product) -> dict[str, Any]:
    return {"kind": product.kind, "name": product.name, "price": price_text(product.price_cents),
            "credits": product.credits or "", "validity_days": product.validity_days or "", "period": product.period or "month",
            "sessions_per_week": product.sessions_per_week or ""}


def _refusal(error: InvalidProduct) -> str:
    """What the domain refused, in the panel's language (the form's own checks usually say it first)."""
    known = {
        "a product needs a name and a price of zero or more": _("a product needs a name and a price of zero or more"),
        f"validity is 1 to {MAX_VALIDITY_DAYS} days": _("validity is 1 to %(num)s days", num=MAX_VALIDITY_DAYS),
        f"a pack holds 1 to {MAX_CREDITS} credits": _("a pack holds 1 to %(num)s credits", num=MAX_CREDITS),
        "a membership lasts a month, a quarter or a year": _("a membership lasts a month, a quarter or a year"),
        "a membership allows 1 to 14 sessions a week, or unlimited":
            _("a membership allows 1 to 14 sessions a week, or unlimited"),
    }
    return known.get(str(error), str(error))


async def _list_context(request: web.Request, values: dict[str, Any] | None = None,
                        errors: dict[str, str] | None = None) -> dict[str, Any]:
    me = require_owner(request)
    async with request.app[RUNTIME].sessions() as session:
        rows = await products.products_of(session, me.business_id)
        business = await get_scoped(session, Business, me.business_id, me.business_id)
    return {"rows": rows, "currency": business.currency,
            "values": values or NEW, "errors": errors or {}, "stripe_account": business.stripe_account_id,
            "payments": request.app[RUNTIME].settings.payments}


@routes.get("/admin/settings/products", name="settings_products")
async def products_page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template(LIST_PAGE, request, await _list_context(request))


@routes.post("/admin/settings/products", name="settings_products_add")
async def product_add(request: web.Request) -> web.Response:
    me, data, form, errors = await owner_form(request, ProductForm)
    if form is None:
        return invalid(LIST_PAGE, request, await _list_context(request, data, errors))
    try:
        async with request.app[RUNTIME].sessions.begin() as session:
            await products.add_product(session, me.business_id, request.app[RUNTIME].clock.now(), **form.fields())  # type: ignore[arg-type]
    except InvalidProduct as error:
        return invalid(LIST_PAGE, request, await _list_context(request, data, {"kind": _refusal(error)}))
    raise done(request, _("Product %(name)s added: clients can buy it in the chat.", name=form.name), "settings_products")


async def _edit_context(request: web.Request, product_id: int, values: dict[str, Any] | None = None,
                        errors: dict[str, str] | None = None) -> dict[str, Any]:
    me = require_owner(request)
    async with request.app[RUNTIME].sessions() as session:
        with not_found_as_404():
            product = await get_scoped(session, Product, me.business_id, product_id)
    return {"product": product, "values": values or _values(product), "errors": errors or {}}


@routes.get(r"/admin/settings/products/{product_id:\d+}", name="settings_product")
async def product_page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template(EDIT_PAGE, request, await _edit_context(request, row_id(request, "product_id")))


@routes.post(r"/admin/settings/products/{product_id:\d+}", name="settings_product_save")
async def product_save(request: web.Request) -> web.Response:
    product_id = row_id(request, "product_id")
    me, data, form, errors = await owner_form(request, ProductForm)
    if form is None:
        return invalid(EDIT_PAGE, request, await _edit_context(request, product_id, data, errors))
    try:
        async with request.app[RUNTIME].sessions.begin() as session:
            with not_found_as_404():
                await products.update_product(session, me.business_id, product_id, **form.fields())  # type: ignore[arg-type]
    except InvalidProduct as error:
        return invalid(EDIT_PAGE, request, await _edit_context(request, product_id, data, {"kind": _refusal(error)}))
    raise done(request, _("Product %(name)s saved.", name=form.name), "settings_products")


@routes.post(r"/admin/settings/products/{product_id:\d+}/active", name="settings_product_active")
async def product_active(request: web.Request) -> web.Response:
    product = await toggle_active(request, Product, "product_id")
    said = (_("Product %(name)s back on sale.", name=product.name) if product.active
            else _("Product %(name)s archived: clients can no longer buy it (purchases keep it).", name=product.name))
    raise done(request, said, "settings_products")


@routes.post("/admin/settings/products/stripe", name="settings_stripe_connect")
async def stripe_connect(request: web.Request) -> web.Response:
    """Connect the business's Stripe account (made on first use) and send the owner to Stripe to set it up."""
    me, runtime = require_owner(request), request.app[RUNTIME]
    await form_data(request)
    if runtime.gateway is None or runtime.settings.payments != "stripe":
        raise done(request, _("Stripe is not configured on this server."), "settings_products")
    async with runtime.sessions() as session:
        business = await get_scoped(session, Business, me.business_id, me.business_id)
    back = f"{runtime.settings.public_url}/admin/settings/products"
    try:
        account, url = await runtime.gateway.onboarding(business.stripe_account_id, back)
    except ProviderError as error:
        raise done(request, _("Stripe did not start the onboarding: %(error)s", error=str(error)), "settings_products") from None
    async with runtime.sessions.begin() as session:
        await business_settings.set_stripe_account(session, me.business_id, account)
    raise web.HTTPSeeOther(url)

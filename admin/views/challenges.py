"""Challenges: the list (owners and trainers), adding, changing and deleting one (owners), and each
challenge's leaderboard with every entrant, by full name, and whether they show on the public ranking."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web

from admin.domain_words import words
from admin.forms.challenges import ChallengeForm
from admin.forms.form_errors import validate
from admin.i18n import _
from admin.identity import identity, require_owner
from admin.page_support import business_of
from admin.read_models.challenge_board import leaderboard, list_challenges
from admin.views.settings_support import done, form_data, not_found_as_404, row_id
from domain.training import challenge_edits, challenges
from runtime.keys import RUNTIME

routes = web.RouteTableDef()

LIST_PAGE = "admin/challenges.html"
DETAIL_PAGE = "admin/challenge.html"


@routes.get("/admin/challenges", name="challenges")
async def challenges_page(request: web.Request) -> web.Response:
    return await _render_list(request)


@routes.post("/admin/challenges", name="challenge_add")
async def challenge_add(request: web.Request) -> web.Response:
    me, runtime = require_owner(request), request.app[RUNTIME]
    data = await form_data(request)
    form, errors = validate(ChallengeForm, data)
    if form is None:
        return await _render_list(request, values=data, errors=errors, status=400)
    try:
        async with runtime.sessions.begin() as session:
            challenge = await challenge_edits.create_challenge(
                session, me.business_id, name=form.name, target=form.target, starts_on=form.starts_on,
                ends_on=form.ends_on, now=runtime.clock.now())
    except challenge_edits.InvalidChallenge as error:
        return await _render_list(request, values=data, errors={error.field: words(error)}, status=400)
    raise done(request, _("Challenge %(name)s added.", name=form.name), "challenge", challenge_id=str(challenge.id))


@routes.get(r"/admin/challenges/{challenge_id:\d+}", name="challenge")
async def challenge_page(request: web.Request) -> web.Response:
    return await _render_detail(request)


@routes.post(r"/admin/challenges/{challenge_id:\d+}", name="challenge_save")
async def challenge_save(request: web.Request) -> web.Response:
    me, runtime = require_owner(request), request.app[RUNTIME]
    challenge_id = row_id(request, "challenge_id")
    data = await form_data(request)
    form, errors = validate(ChallengeForm, data)
    try:
        async with runtime.sessions.begin() as session:
            with not_found_as_404():
                await challenges.get_challenge(session, me.business_id, challenge_id)
                if form is not None:
                    await challenge_edits.edit_challenge(session, me.business_id, challenge_id, name=form.name,
                                                         target=form.target, starts_on=form.starts_on,
                                                         ends_on=form.ends_on)
    except challenge_edits.InvalidChallenge as error:
        errors = {error.field: words(error)}
    if form is None or errors:
        return await _render_detail(request, values=data, errors=errors, status=400)
    raise done(request, _("Challenge saved."), "challenge", challenge_id=str(challenge_id))


@routes.post(r"/admin/challenges/{challenge_id:\d+}/delete", name="challenge_delete")
async def challenge_delete(request: web.Request) -> web.Response:
    me, runtime = require_owner(request), request.app[RUNTIME]
    await form_data(request)
    async with runtime.sessions.begin() as session:
        with not_found_as_404():
            name = await challenge_edits.delete_challenge(session, me.business_id, row_id(request, "challenge_id"))
    raise done(request, _("Challenge %(name)s deleted.", name=name), "challenges")


def _today(tz: ZoneInfo, request: web.Request) -> date:
    return request.app[RUNTIME].clock.now().astimezone(tz).date()


async def _render_list(request: web.Request, *, values: Mapping[str, Any] | None = None,
                       errors: Mapping[str, str] | None = None, status: int = 200) -> web.Response:
    me, runtime = identity(request), request.app[RUNTIME]
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        today = _today(ZoneInfo(business.timezone), request)
        listing = await list_challenges(session, me.business_id, today)
    first = today.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    blank = {"name": "", "target": "12", "starts_on": first.isoformat(), "ends_on": last.isoformat()}
    ctx = {"listing": listing, "values": values if values is not None else blank, "errors": errors or {}}
    return aiohttp_jinja2.render_template(LIST_PAGE, request, ctx, status=status)


async def _render_detail(request: web.Request, *, values: Mapping[str, Any] | None = None,
                         errors: Mapping[str, str] | None = None, status: int = 200) -> web.Response:
    me, runtime = identity(request), request.app[RUNTIME]
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        tz = ZoneInfo(business.timezone)
        with not_found_as_404():
            board = await leaderboard(session, me.business_id, row_id(request, "challenge_id"), _today(tz, request), tz)
    c = board.challenge
    saved = {"name": c.name, "target": str(c.target), "starts_on": c.starts_on.isoformat(), "ends_on": c.ends_on.isoformat()}
    ctx = {"board": board, "c": c, "values": values if values is not None else saved, "errors": errors or {}}
    return aiohttp_jinja2.render_template(DETAIL_PAGE, request, ctx, status=status)

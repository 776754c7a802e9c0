"""Studio challenges in the chat: the open ones with the client's progress, joining (and choosing whether
to show on the leaderboard), and "ranking"."""
from __future__ import annotations

from conversations import reply_ids as ids
from conversations.context import Ctx
from conversations.flows.common import yes_no
from conversations.replies import Button, Buttons, Text
from domain.models import Challenge
from domain.training import challenges

MAX_SHOWN = 3  # one button each, and WhatsApp's button message holds three


async def show(ctx: Ctx) -> None:
    """The open challenges, each with a Join button (or the client's days so far)."""
    open_now = (await challenges.open_challenges(ctx.session, ctx.business.id, ctx.client_today))[:MAX_SHOWN]
    if not open_now:
        ctx.say("challenges_none")
        return
    lines, buttons = [], []
    for challenge in open_now:
        mine = await _mine(ctx, challenge)
        lines.append(ctx.t("challenge_line", name=challenge.name, target=challenge.target, starts=f"{challenge.starts_on:%d/%m}",
                           ends=f"{challenge.ends_on:%d/%m}", days=mine, joined=mine is not None))
        if mine is None:
            title = f"{ctx.t('join_button')}: {challenge.name}"
            buttons.append(Button(ids.make("ch", "join", challenge.id), title[:20]))
    if buttons:
        ctx.send(Buttons("\n\n".join(lines)[:1024], tuple(buttons)))
    else:
        ctx.send(Text("\n\n".join(lines)))


async def _mine(ctx: Ctx, challenge: Challenge) -> int | None:
    """The client's training days in the challenge, None when they have not joined."""
    if await challenges.entry(ctx.session, challenge.id, ctx.client.id) is None:
        return None
    standing = await challenges.standings(ctx.session, challenge, ctx.client_tz)
    return next((s.days for s in standing if s.client_id == ctx.client.id), 0)


async def tapped(ctx: Ctx, action: str, parts: list[str]) -> None:
    """ch:join:<challenge> → joined, then asked about the leaderboard; ch:rank:<challenge>:<1|0> → answered."""
    challenge_id = int(parts[0])
    if action == "join":
        entry = await challenges.join(ctx.session, ctx.business.id, challenge_id, ctx.client.id, False, ctx.now)
        challenge = await challenges.get_challenge(ctx.session, ctx.business.id, entry.challenge_id)
        ctx.send(yes_no(ctx, ctx.t("ranking_question", name=challenge.name), ids.make("ch", "rank", challenge_id, 1),
                        ids.make("ch", "rank", challenge_id, 0), "ranking_yes_button", "ranking_no_button"))
    elif action == "rank":
        shown = parts[1] == "1"
        await challenges.join(ctx.session, ctx.business.id, challenge_id, ctx.client.id, shown, ctx.now)
        ctx.say("ranking_choice", shown=shown)
    else:
        raise ValueError(action)


async def ranking(ctx: Ctx) -> None:
    """The leaderboard of each open challenge the client is in: first names of those who opted in, and their place."""
    joined = [c for c in await challenges.open_challenges(ctx.session, ctx.business.id, ctx.client_today)
              if await challenges.entry(ctx.session, c.id, ctx.client.id) is not None]
    if not joined:
        ctx.say("ranking_not_joined")
        return
    for challenge in joined[:MAX_SHOWN]:
        standing = await challenges.standings(ctx.session, challenge, ctx.client_tz)
        public = [s for s in standing if s.on_leaderboard][:10]
        lines = [ctx.t("ranking_header", name=challenge.name, target=challenge.target)]
        lines += [ctx.t("ranking_line", pos=n, name=s.first_name, days=s.days) for n, s in enumerate(public, 1)] or [
            ctx.t("ranking_empty")]
        place = next((n for n, s in enumerate(standing, 1) if s.client_id == ctx.client.id), len(standing))
        mine = standing[place - 1].days if standing else 0
        lines.append(ctx.t("ranking_you", pos=place, days=mine, target=challenge.target))
        ctx.send(Text("\n".join(lines)))

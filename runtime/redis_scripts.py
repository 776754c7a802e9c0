"""Many calls of one Lua script in one round trip.

redis-py's pipeline asks Redis `SCRIPT EXISTS` before every execute that holds a Script call: a
second round trip each time, which on the send path (rate-limit reservations) and on every webhook
(waking the workers through Dramatiq's dispatch script) cost as much as the calls themselves. Here the
pipeline holds plain EVALSHAs, and only a NOSCRIPT answer (Redis restarted or flushed its scripts)
loads the script and runs the calls again; none of them ran, so that is safe.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

Call = tuple[Sequence[str], Sequence[Any]]  # keys, args


async def run_many(redis: Redis, script: AsyncScript, calls: Sequence[Call]) -> list[Any]:
    """Each call's result, in order, from one pipelined round trip."""
    if len(calls) == 1:  # a pipeline of one costs more than the call itself
        keys, args = calls[0]
        return [await script(keys=list(keys), args=list(args))]
    try:
        return await _evalshas(redis, script, calls)
    except NoScriptError:
        await redis.script_load(script.script)
        return await _evalshas(redis, script, calls)


async def _evalshas(redis: Redis, script: AsyncScript, calls: Sequence[Call]) -> list[Any]:
    pipe = redis.pipeline(transaction=False)
    for keys, args in calls:
        pipe.evalsha(script.sha, len(keys), *keys, *args)
    return await pipe.execute()  # type: ignore[no-any-return]

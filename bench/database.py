"""A fresh, migrated PostgreSQL database for a benchmark run (dropped and made again each time)."""
from __future__ import annotations

import asyncio
import os

import asyncpg

from migrations.runner import upgrade

ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


async def fresh_database(name: str) -> str:
    """Drop and create `name`, migrate it to head, and return its SQLAlchemy URL."""
    conn = await asyncpg.connect(ADMIN_URL)
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = database_url(name)
    await asyncio.to_thread(upgrade, url)
    return url


def database_url(name: str) -> str:
    """The SQLAlchemy URL of a benchmark's database on the same server."""
    return f"postgresql+asyncpg://{ADMIN_URL.split('://', 1)[1].rsplit('/', 1)[0]}/{name}"

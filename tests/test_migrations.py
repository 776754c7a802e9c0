"""The Alembic migrations build exactly the schema of domain.models on PostgreSQL and SQLite."""
from __future__ import annotations

import asyncio
import os
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, pool, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from domain.models import Base
from migrations import runner

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/")
MODEL_TABLES = set(Base.metadata.tables)
PARTIAL_INDEXES = {
    ("inbound_messages", "ix_inbound_pending"): "processed_at IS NULL",
    ("outbound_messages", "ix_outbound_unfinished"): "status IN ('queued', 'sending')",
    ("scheduled_messages", "ix_scheduled_messages_due"): "status = 'pending'",
    ("outbound_messages", "ix_outbound_failed_at"): "status = 'failed'",
    ("payment_events", "ix_payment_events_pending"): "processed_at IS NULL",
    ("measurements", "ix_measurements_photo_pending"): "kind = 'photo' AND media_path IS NULL",
    ("check_ins", "uq_check_ins_imported"): "method = 'import'",
    ("clients", "uq_clients_business_external"): "external_id IS NOT NULL",
}


def _asyncpg_dsn(database: str) -> str:
    """The admin URL as a plain asyncpg DSN pointing at ``database``."""
    url = make_url(PG_ADMIN_URL).set(drivername="postgresql", database=database)
    return url.render_as_string(hide_password=False)


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    name = f"fitzap_migr_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_asyncpg_dsn("postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        admin = await asyncpg.connect(_asyncpg_dsn("postgres"))
        try:
            # FORCE (PG >= 13): a leaked connection must not leave the database behind.
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database file in tmp_path."""
    return f"sqlite+aiosqlite:///{tmp_path / 'fitzap.db'}"


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each supported dialect in turn."""
    return request.getfixturevalue("pg_url" if request.param == "postgresql" else "sqlite_url")


async def _run_sync(url: str, fn: Any) -> Any:
    """Run ``fn(sync_connection)`` on a short-lived async engine for ``url``."""
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(fn)
    finally:
        await engine.dispose()


async def _table_names(url: str) -> set[str]:
    """Names of the tables in the database, minus Alembic's bookkeeping table."""
    names = await _run_sync(url, lambda conn: set(inspect(conn).get_table_names()))
    return names - {"alembic_version"}


def _schema_diff(conn: Connection) -> list[Any]:
    """What autogenerate would change to turn the database into Base.metadata."""
    context = MigrationContext.configure(
        conn,
        opts={
            "target_metadata": Base.metadata,
            # Both default to lenient settings elsewhere; here types and server defaults count too.
            "compare_type": True,
            "compare_server_default": True,
        },
    )
    return compare_metadata(context, Base.metadata)


def _partial_index_where(conn: Connection) -> dict[tuple[str, str], str | None]:
    """The reflected WHERE clause of each partial index (compare_metadata does not look at it)."""
    inspector = inspect(conn)
    key = f"{conn.dialect.name}_where"
    found: dict[tuple[str, str], str | None] = {}
    for table, index_name in PARTIAL_INDEXES:
        for index in inspector.get_indexes(table):
            if index["name"] == index_name:
                where = index.get("dialect_options", {}).get(key)
                found[(table, index_name)] = None if where is None else str(where)
    return found


def _normalize_where(clause: str) -> str:
    """Undo PostgreSQL's rewriting of a predicate (casts, parentheses, IN as = ANY (ARRAY[...]))."""
    clause = re.sub(r"::(character varying|[a-z]+)(\[\])?", "", clause)
    clause = clause.replace("(", "").replace(")", "")
    clause = re.sub(r"= ANY ARRAY\[(.*?)\]", r"IN \1", clause)
    return " ".join(clause.split())


async def _upgrade_downgrade_roundtrip(url: str) -> None:
    """Upgrade to head, downgrade to base and upgrade again, checking the tables each time."""
    assert await _table_names(url) == set()

    await asyncio.to_thread(runner.upgrade, url)
    assert await _table_names(url) == MODEL_TABLES
    version = await _run_sync(url, lambda c: c.execute(text("SELECT version_num FROM alembic_version")).scalar())
    assert version == runner.current_head()

    await asyncio.to_thread(runner.downgrade, url)
    assert await _table_names(url) == set()

    await asyncio.to_thread(runner.upgrade, url)
    assert await _table_names(url) == MODEL_TABLES


async def test_migrations_upgrade_and_downgrade_on_postgresql(pg_url: str) -> None:
    await _upgrade_downgrade_roundtrip(pg_url)


async def test_migrations_upgrade_and_downgrade_on_sqlite(sqlite_url: str) -> None:
    await _upgrade_downgrade_roundtrip(sqlite_url)


async def test_migrated_schema_matches_models(database_url: str) -> None:
    await asyncio.to_thread(runner.upgrade, database_url)

    # Nothing is filtered out: the version table is skipped by autogenerate itself.
    assert await _run_sync(database_url, _schema_diff) == []

    wheres = await _run_sync(database_url, _partial_index_where)
    assert {k: _normalize_where(v or "") for k, v in wheres.items()} == {
        k: _normalize_where(v) for k, v in PARTIAL_INDEXES.items()
    }


async def test_ids_autoincrement_and_server_defaults_apply(database_url: str) -> None:
    """Rows inserted without id or defaulted columns get them from the database on both dialects."""
    await asyncio.to_thread(runner.upgrade, database_url)

    def insert(conn: Connection) -> tuple[list[int], bool, int]:
        ids = []
        for number in ("111", "222"):
            ids.append(
                conn.execute(
                    text(
                        "INSERT INTO businesses (name, phone_number_id, timezone, locale, currency, created_at)"
                        " VALUES ('Gym', :n, 'UTC', 'pt-BR', 'BRL', CURRENT_TIMESTAMP) RETURNING id"
                    ),
                    {"n": number},
                ).scalar_one()
            )
        conn.execute(
            text(
                "INSERT INTO clients (business_id, contact_key, created_at) VALUES (:b, '+5511999990000', CURRENT_TIMESTAMP)"
            ),
            {"b": ids[0]},
        )
        row = conn.execute(text("SELECT opted_out FROM clients")).one()
        conn.execute(
            text(
                "INSERT INTO outbound_messages (business_id, client_id, kind, payload, status,"
                " next_attempt_at, created_at, updated_at)"
                " VALUES (:b, (SELECT id FROM clients), 'text', '{}', 'queued', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            ),
            {"b": ids[0]},
        )
        attempts = conn.execute(text("SELECT attempts FROM outbound_messages")).scalar_one()
        return ids, bool(row.opted_out), attempts

    ids, opted_out, attempts = await _run_sync(database_url, insert)
    assert ids[1] == ids[0] + 1
    assert opted_out is False
    assert attempts == 0

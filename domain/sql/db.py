"""Engine and session factory for PostgreSQL (asyncpg) or SQLite (aiosqlite)."""
from __future__ import annotations

import unicodedata
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """Create an async engine; call it inside the event loop that will use it."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        _serialise_sqlite_writers(engine)
        return engine
    # orjson for the JSON columns (conversation states, payloads): the stdlib's encoder and decoder
    # cost a turn more CPU (docs/performance.md).
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=False,
                               json_serializer=_json_text, json_deserializer=orjson.loads)


FOLD_FUNCTION = "fz_fold"  # on PostgreSQL a SQL function made by migration 0020


def fold(text: str | None) -> str | None:
    """Lower case without accents ("João" → "joao"), for searches that ignore both."""
    if text is None:
        return None
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def _json_text(value: Any) -> str:
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except orjson.JSONEncodeError:  # an integer past 64 bits, say, from a webhook's unknown field
        return orjson.dumps(_storable(value), option=orjson.OPT_NON_STR_KEYS).decode()


def _storable(value: Any) -> Any:
    """`value` with the integers orjson cannot write (nor read back) as their digits."""
    if isinstance(value, dict):
        return {key: _storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(item) for item in value]
    if isinstance(value, int) and not -(2**63) <= value < 2**64:
        return str(value)
    return value


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def single_statement_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for work that is one statement (or one executemany): on PostgreSQL each commits on its own.

    Such a statement is atomic by itself, and without BEGIN and COMMIT it is one round trip where
    it was three. SQLite keeps its transactions: there every one begins by taking the write lock.
    """
    if engine.dialect.name != "postgresql":
        return create_sessionmaker(engine)
    return create_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))


def _serialise_sqlite_writers(engine: AsyncEngine) -> None:
    # SQLite has no row locks: every transaction starts with BEGIN IMMEDIATE, taking the write
    # lock up front, so the embedded demo's web and worker threads never interleave a
    # read-modify-write (SQLAlchemy's documented recipe for pysqlite/aiosqlite).
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        dbapi_connection.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

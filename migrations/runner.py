"""Programmatic Alembic entry points: upgrade/downgrade a database given only its URL."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).parent


def alembic_config(database_url: str) -> Config:
    """Build an Alembic config for this package's migrations and ``database_url`` (no alembic.ini)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Config values go through configparser interpolation, so a literal '%' (e.g. in an
    # URL-encoded password) must be doubled.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Upgrade the database to ``revision``; sync, call it via asyncio.to_thread from async code."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    """Downgrade the database to ``revision``; sync, call it via asyncio.to_thread from async code."""
    command.downgrade(alembic_config(database_url), revision)


def current_head() -> str:
    """Return the single head revision of the migration scripts."""
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_current_head()  # raises if the history has several heads
    if head is None:
        raise RuntimeError(f"no migration scripts in {MIGRATIONS_DIR / 'versions'}")
    return head

"""fz_fold(text): lower case without accents, so the panel's client search finds "João" from "joao".

On SQLite the application registers the same function on every connection (domain.sql.db).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACCENTED = "áàâãäåéèêëíìîïóòôõöúùûüçñýÿÁÀÂÃÄÅÉÈÊËÍÌÎÏÓÒÔÕÖÚÙÛÜÇÑÝ"
PLAIN = "aaaaaaeeeeiiiiooooouuuucnyyaaaaaaeeeeiiiiooooouuuucny"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE OR REPLACE FUNCTION fz_fold(t text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
                   f"AS $$ SELECT translate(lower(t), '{ACCENTED}', '{PLAIN}') $$")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS fz_fold(text)")

"""Rows handed to PostgreSQL as one array per column and read back as a table through `unnest`.

One statement text serves any number of rows (a multi-row VALUES has one text, and one server-side
prepare, per row count), and the arrays can feed a data-modifying CTE.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy.dialects.postgresql import ARRAY


def unnest(columns: dict[str, Any], prefix: str, ordinality: str | None = None) -> Any:
    """A derived table of `columns` (name → type), each read from the array parameter `prefix + name`;
    `ordinality` names an extra column holding each row's position, from 1."""
    arrays = func.unnest(*(bindparam(prefix + name, type_=ARRAY(type_)) for name, type_ in columns.items()))
    return arrays.table_valued(*columns, with_ordinality=ordinality).render_derived()

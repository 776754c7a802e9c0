"""Message texts: Jinja2 macros, one template file per locale."""
from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

LOCALES = ("pt-BR", "en")
DEFAULT_LOCALE = "pt-BR"

_env = Environment(loader=PackageLoader("conversations", "templates"), undefined=StrictUndefined, autoescape=False)


@cache
def _module(locale: str) -> Any:
    return _env.get_template(f"{locale}.j2").module


def say(locale: str, message: str, **params: Any) -> str:
    """Render `message` in `locale` (falling back to pt-BR)."""
    module = _module(locale if locale in LOCALES else DEFAULT_LOCALE)
    return str(getattr(module, message)(**params)).strip()

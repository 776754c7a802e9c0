"""The business's approved WhatsApp templates: which exist, in which language, for what, with which variables."""
from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.models import MessageTemplate
from domain.scheduling.catalog import get_scoped

PURPOSES = ("reminder", "reengagement", "waitlist", "generic")
# Meta allows lower-case letters, digits and underscores in template names (up to 512 characters).
NAME_PATTERN = re.compile(r"^[a-z0-9_]{1,512}$")
# Meta's language codes: "en", "pt_BR", "en_US", "zh_CN" …
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
VARIABLE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MAX_VARIABLES = 10


class TemplateExists(DomainError):
    """The business already has a template with that name and language."""

    code = "template_exists"


async def templates_of(session: AsyncSession, business_id: int) -> list[MessageTemplate]:
    """Every template of the business, active first, by name and language."""
    stmt = (select(MessageTemplate).where(MessageTemplate.business_id == business_id)
            .order_by(MessageTemplate.active.desc(), MessageTemplate.name, MessageTemplate.language))
    return list((await session.execute(stmt)).scalars().all())


async def active_names(session: AsyncSession, business_id: int) -> list[str]:
    """The names of the business's active templates (what a trainer may send outside the 24-hour window)."""
    stmt = (select(MessageTemplate.name).distinct()
            .where(MessageTemplate.business_id == business_id, MessageTemplate.active.is_(True)).order_by(MessageTemplate.name))
    return list((await session.execute(stmt)).scalars().all())


async def is_listed(session: AsyncSession, business_id: int, name: str, language: str) -> bool:
    """Whether the business uses a template of that name in that language (what Meta needs to send it)."""
    found = await session.scalar(select(MessageTemplate.id).where(
        MessageTemplate.business_id == business_id, MessageTemplate.name == name, MessageTemplate.language == language,
        MessageTemplate.active.is_(True)).limit(1))
    return found is not None


async def save_template(session: AsyncSession, business_id: int, now: datetime, *, name: str, language: str,
                        purpose: str, variables: Sequence[str], template_id: int | None = None) -> MessageTemplate:
    """Add a template, or change the one with `template_id`; TemplateExists on a name+language clash."""
    if not NAME_PATTERN.match(name) or not LANGUAGE_PATTERN.match(language) or purpose not in PURPOSES \
            or len(variables) > MAX_VARIABLES or not all(VARIABLE_PATTERN.match(v) for v in variables):
        raise ValueError("template name, language, purpose or variables are not valid")
    clash = await session.scalar(select(MessageTemplate.id).where(
        MessageTemplate.business_id == business_id, MessageTemplate.name == name, MessageTemplate.language == language,
        MessageTemplate.id != (template_id or 0)))
    if clash is not None:
        raise TemplateExists(f"there is already a template {name} in {language}")
    if template_id is None:
        template = MessageTemplate(business_id=business_id, active=True, created_at=now)
        session.add(template)
    else:
        template = await get_scoped(session, MessageTemplate, business_id, template_id)
    template.name, template.language, template.purpose, template.variables = name, language, purpose, list(variables)
    await session.flush()
    return template


"""Managing panel logins of a business: list, change role, deactivate — never leaving it without an owner."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound
from domain.models import AdminUser, Staff
from domain.people.admin_users import ROLES, AdminUserError
from domain.scheduling.catalog import get_scoped


class LastOwner(AdminUserError):
    """The change would leave the business with no active owner."""

    code = "last_owner"


async def users_of(session: AsyncSession, business_id: int) -> list[AdminUser]:
    """The business's panel users, active first, owners first, by name."""
    stmt = (select(AdminUser).where(AdminUser.business_id == business_id)
            .order_by(AdminUser.active.desc(), AdminUser.role, AdminUser.name, AdminUser.id))
    return list((await session.execute(stmt)).scalars().all())


async def _user(session: AsyncSession, business_id: int, user_id: int) -> AdminUser:
    user = await session.get(AdminUser, user_id)
    if user is None or user.business_id != business_id:
        raise NotFound(f"user {user_id} not found")
    return user


async def _keep_an_owner(session: AsyncSession, user: AdminUser) -> None:
    """LastOwner unless another active owner remains; the owners' rows are locked so two owners
    demoting each other at once cannot both pass (PostgreSQL; SQLite writes one at a time anyway)."""
    if user.role != "owner" or not user.active:
        return
    owners = (await session.execute(select(AdminUser.id).where(
        AdminUser.business_id == user.business_id, AdminUser.role == "owner", AdminUser.active.is_(True),
    ).with_for_update())).scalars().all()
    if not set(owners) - {user.id}:
        raise LastOwner(f"{user.name} is the only owner: make someone else an owner first.")


async def set_role(session: AsyncSession, business_id: int, user_id: int, role: str, staff_id: int | None) -> AdminUser:
    """Make the user an owner, or a trainer tied to one of the business's staff rows (NotFound for another's)."""
    if role not in ROLES:
        raise AdminUserError("The role must be owner or trainer.")
    user = await _user(session, business_id, user_id)
    if staff_id is not None:  # an owner may have a trainer row too; either way it is one of this business's
        await get_scoped(session, Staff, business_id, staff_id)
    if role == "trainer":
        if staff_id is None:
            raise AdminUserError("Choose which trainer this login belongs to.")
        await _keep_an_owner(session, user)
    if (user.role, user.staff_id) != (role, staff_id):
        user.role, user.staff_id = role, staff_id
        user.session_version += 1  # their open sessions were granted under the old role
    await session.flush()
    return user


async def set_user_active(session: AsyncSession, business_id: int, user_id: int, active: bool) -> AdminUser:
    """Let the user log in again, or stop them (every session of theirs ends)."""
    user = await _user(session, business_id, user_id)
    if not active:
        await _keep_an_owner(session, user)
    if user.active != active:
        user.active = active
        user.session_version += 1  # a deactivated user's cookie must not come back with a reactivation
    await session.flush()
    return user


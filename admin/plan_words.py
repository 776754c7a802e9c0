"""The platform's plans and their limits in the panel's words."""
from __future__ import annotations

from admin.i18n import _, ngettext, number
from domain.platform.plans import Plan, PlanLimitReached


def plan_name(name: str) -> str:
    return {"free": _("Free"), "starter": _("Starter"), "pro": _("Pro"), "enterprise": _("Enterprise")}.get(name, name)


def limit_name(limit: str) -> str:
    return {"active_clients": _("Active clients"), "trainers": _("Trainers"),
            "automated_messages": _("Automatic messages this month"), "campaigns": _("Campaigns started this month"),
            "api_access": _("API access")}.get(limit, limit)


def refusal(error: PlanLimitReached) -> str:
    """Why the plan stops this, and what the owner can do about it."""
    plan, n = plan_name(error.plan.name), error.allowed or 0
    if error.limit == "active_clients":
        return ngettext("Your %(plan)s plan allows %(num)s active client, and this booking would add one more. Upgrade on "
                        "the Plan page, or wait until a client's last session is 30 days old.",
                        "Your %(plan)s plan allows %(num)s active clients, and this booking would add one more. Upgrade "
                        "on the Plan page, or wait until a client's last session is 30 days old.", n, plan=plan)
    if error.limit == "trainers":
        return ngettext("Your %(plan)s plan allows %(num)s active trainer. Deactivate one, or upgrade on the Plan page.",
                        "Your %(plan)s plan allows %(num)s active trainers. Deactivate one, or upgrade on the Plan page.",
                        n, plan=plan)
    if error.limit == "campaigns":
        if n == 0:
            return _("Your %(plan)s plan has no campaigns. Upgrade on the Plan page to send one.", plan=plan)
        return ngettext("Your %(plan)s plan allows %(num)s campaign a month, and this month's is used. Upgrade on the Plan "
                        "page, or start it next month.",
                        "Your %(plan)s plan allows %(num)s campaigns a month, and this month's are used. Upgrade on the "
                        "Plan page, or start it next month.", n, plan=plan)
    return _("Your %(plan)s plan has no API access. Upgrade on the Plan page to use the API.", plan=plan)


def allowance(plan: Plan, limit: str) -> str:
    """A plan's limit as a table cell."""
    if limit == "api_access":
        return _("yes") if plan.api_access else _("no")
    value = getattr(plan, limit)
    return _("unlimited") if value is None else number(value, 0)

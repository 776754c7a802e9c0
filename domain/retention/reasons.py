"""Why a member is at risk, in words: each group of features is set back to what members who stayed
usually show, and the groups whose change lowers the risk most are said, with the member's own figures."""
from __future__ import annotations

import numpy as np

from domain.retention.features import NAMES, MemberFeatures
from domain.retention.model import ChurnPredictor

GROUPS = {
    "visits": ("visits_per_week_4w", "visits_per_week_8w", "visit_trend", "visits_last_week"),
    "gap": ("days_since_visit", "gap_ratio", "never_visited"),
    "payments": ("failed_payments_90d", "days_since_paid"),
    "renewal": ("days_to_renewal",),
    "tenure": ("tenure_days",),
    "bookings": ("late_cancels_90d", "no_shows_90d"),
    "credits": ("credits_left",),
}
MIN_EFFECT = 0.01
MAX_REASONS = 3
_PT = {
    "visits_fell": "visitas caíram de {before} para {now} por semana",
    "visits_low": "vem {now} vez(es) por semana",
    "gap": "{days} dias sem vir (costuma vir a cada {usual})",
    "never": "nenhuma visita registrada",
    "payments": "pagamento falhou {failed}x",
    "unpaid": "nenhum pagamento há {days} dias",
    "renewal": "plano renova em {days} dias",
    "tenure": "entrou há {days} dias",
    "bookings": "{n} falta(s) ou cancelamento(s) em cima da hora",
    "credits": "sem créditos",
}
_EN = {
    "visits_fell": "visits fell from {before} to {now} a week",
    "visits_low": "comes {now} time(s) a week",
    "gap": "{days} days without coming (usually every {usual})",
    "never": "no visit recorded",
    "payments": "payment failed {failed}x",
    "unpaid": "no payment for {days} days",
    "renewal": "plan renews in {days} days",
    "tenure": "joined {days} days ago",
    "bookings": "{n} no-show(s) or late cancel(s)",
    "credits": "no credits left",
}


def explain(predictor: ChurnPredictor, members: list[MemberFeatures], locale: str) -> list[list[str]]:
    """Up to three reasons per member, the strongest first."""
    if not members:
        return []
    x = np.array([m.values for m in members], dtype=float)
    base = predictor.classifier.predict_proba(x)[:, 1]
    effects = {}
    for group, names in GROUPS.items():
        changed = x.copy()
        for name in names:
            changed[:, NAMES.index(name)] = predictor.typical[NAMES.index(name)]
        effects[group] = base - predictor.classifier.predict_proba(changed)[:, 1]
    words = _EN if locale.startswith("en") else _PT
    out = []
    for i, member in enumerate(members):
        ranked = sorted((g for g in GROUPS if effects[g][i] >= MIN_EFFECT), key=lambda g: -effects[g][i])
        out.append([text for g in ranked[:MAX_REASONS] if (text := _say(g, member, words))])
    return out


def _say(group: str, m: MemberFeatures, words: dict[str, str]) -> str | None:
    now, eight = m.get("visits_per_week_4w"), m.get("visits_per_week_8w")
    before = max(0.0, 2 * eight - now)  # the 4 weeks before the last 4
    if group == "visits":
        if before - now >= 1:  # at least a visit a week fewer: a fall worth saying
            return words["visits_fell"].format(before=_n(before), now=_n(now))
        return words["visits_low"].format(now=_n(now))
    if group == "gap":
        if m.get("never_visited"):
            return words["never"]
        return words["gap"].format(days=round(m.get("days_since_visit")), usual=round(m.get("usual_gap_days")))
    if group == "payments":
        if m.get("failed_payments_90d"):
            return words["payments"].format(failed=round(m.get("failed_payments_90d")))
        return words["unpaid"].format(days=round(m.get("days_since_paid"))) if m.get("days_since_paid") < 999 else None
    if group == "renewal":
        return words["renewal"].format(days=round(m.get("days_to_renewal")))
    if group == "tenure":
        return words["tenure"].format(days=round(m.get("tenure_days")))
    if group == "bookings":
        n = round(m.get("late_cancels_90d") + m.get("no_shows_90d"))
        return words["bookings"].format(n=n) if n else None
    return words["credits"] if not m.get("credits_left") else None


def _n(value: float) -> str:
    return str(round(value)) if value >= 1 or value == 0 else f"{value:.1f}".replace(".", ",")

"""The churn model: gradient boosting on members' features at past cutoffs, calibrated on the latest of them,
so nothing later than a cutoff ever teaches the model about it (time-based, never random splits).

Label: the member's plan ended within HORIZON_DAYS after the cutoff.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Client
from domain.retention.features import MemberFeatures, features_on

HORIZON_DAYS = 60
CUTOFF_STEP_DAYS = 28
MAX_CUTOFFS = 13  # about a year of monthly snapshots
MIN_ROWS = 200  # fewer training rows than this: the business uses the global model


@dataclass
class Snapshot:
    """Members' features at cutoffs, with whether each left within the horizon."""

    features: list[MemberFeatures] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    cutoffs: list[date] = field(default_factory=list)

    def extend(self, other: Snapshot) -> None:
        self.features += other.features
        self.labels += other.labels
        self.cutoffs += other.cutoffs

    def matrix(self) -> np.ndarray:
        return np.array([f.values for f in self.features], dtype=float)


@dataclass
class ChurnPredictor:
    """The fitted, calibrated classifier and the typical values its reasons compare against."""

    classifier: Any
    typical: list[float]  # per feature: the median among members who stayed
    trained_on: date
    rows: int

    def risk(self, features: list[MemberFeatures]) -> np.ndarray:
        if not features:
            return np.zeros(0)
        return self.classifier.predict_proba(np.array([f.values for f in features], dtype=float))[:, 1]

    def dump(self) -> bytes:
        from skops import io as skops_io  # scikit-learn and skops take a second to load: only where a model is used

        buffer = io.BytesIO()
        skops_io.dump({"classifier": self.classifier, "typical": self.typical, "trained_on": self.trained_on.isoformat(),
                       "rows": self.rows}, buffer)
        return buffer.getvalue()

    @classmethod
    def load(cls, blob: bytes) -> ChurnPredictor:
        """Read a saved model; only the types this module saves are trusted (skops, never pickle)."""
        from skops import io as skops_io

        untrusted = skops_io.get_untrusted_types(data=blob)
        allowed = [t for t in untrusted if t.startswith(("sklearn.", "numpy."))]
        state = skops_io.loads(blob, trusted=allowed)
        return cls(state["classifier"], list(state["typical"]), date.fromisoformat(state["trained_on"]), int(state["rows"]))


async def left_within(session: AsyncSession, business_id: int, cutoff: date) -> dict[int, int]:
    """1 for each of the business's members whose plan ended within the horizon after the cutoff (read whole: a
    list of ids would pass the drivers' limit of 32,767 parameters)."""
    end = cutoff + timedelta(days=HORIZON_DAYS)
    rows = await session.execute(select(Client.id, Client.left_on).where(Client.business_id == business_id))
    return {cid: int(left is not None and cutoff < left <= end) for cid, left in rows}


async def snapshots(session: AsyncSession, business_id: int, as_of: date, tz: ZoneInfo) -> Snapshot:
    """Training rows at monthly cutoffs whose horizon ended by `as_of`: only history before it is used."""
    out = Snapshot()
    for k in range(MAX_CUTOFFS):
        cutoff = as_of - timedelta(days=HORIZON_DAYS + k * CUTOFF_STEP_DAYS)
        members = await features_on(session, business_id, cutoff, tz)
        if not members:
            break
        labels = await left_within(session, business_id, cutoff)
        out.features += members
        out.labels += [labels[m.client_id] for m in members]
        out.cutoffs += [cutoff] * len(members)
    return out


def fit(snapshot: Snapshot, trained_on: date) -> ChurnPredictor:
    """Boosted trees on the earlier cutoffs, calibrated (Platt) on the latest one."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.frozen import FrozenEstimator

    x, y = snapshot.matrix(), np.array(snapshot.labels)
    cutoffs = np.array(snapshot.cutoffs)
    latest = cutoffs.max()
    fit_rows, calibrate_rows = cutoffs < latest, cutoffs == latest
    if fit_rows.sum() < MIN_ROWS or len(set(y[fit_rows])) < 2 or len(set(y[calibrate_rows])) < 2:
        fit_rows = calibrate_rows = np.ones(len(y), dtype=bool)  # too little history to hold a cutoff back
    base = HistGradientBoostingClassifier(learning_rate=0.05, max_iter=250, max_leaf_nodes=15, min_samples_leaf=40,
                                          l2_regularization=1.0, random_state=0)
    base.fit(x[fit_rows], y[fit_rows])
    calibrated = CalibratedClassifierCV(FrozenEstimator(base), method="sigmoid")  # monotone: keeps the ranking
    calibrated.fit(x[calibrate_rows], y[calibrate_rows])
    stayed = x[y == 0] if (y == 0).any() else x
    return ChurnPredictor(calibrated, [float(v) for v in np.median(stayed, axis=0)], trained_on, len(y))


def scores(y: list[int], risk: np.ndarray, baseline: np.ndarray) -> dict[str, float]:
    """ROC-AUC, PR-AUC, Brier score and the share of leavers in the riskiest 10%, with the rule's AUC beside."""
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    labels = np.array(y)
    if len(set(y)) < 2:
        raise ValueError("the labels hold only one class: nothing to compare")
    top = np.argsort(-risk)[: max(1, len(y) // 10)]
    return {"n": len(y), "leavers": int(labels.sum()), "auc": round(float(roc_auc_score(labels, risk)), 4),
            "pr_auc": round(float(average_precision_score(labels, risk)), 4),
            "brier": round(float(brier_score_loss(labels, risk)), 4),
            "top10_capture": round(float(labels[top].sum() / labels.sum()), 4),
            "baseline_auc": round(float(roc_auc_score(labels, baseline)), 4),
            "baseline_pr_auc": round(float(average_precision_score(labels, baseline)), 4)}


def days_since_visit(features: list[MemberFeatures]) -> np.ndarray:
    """The rule peers use: the longer since the last visit, the riskier."""
    return np.array([f.get("days_since_visit") for f in features], dtype=float)


def validate(snapshot: Snapshot) -> dict[str, float] | None:
    """The model fitted on all but the latest cutoff and judged on it, beside the rule: time-based, never a random
    split. None when either side lacks members who stayed or left."""
    if not snapshot.cutoffs:
        return None
    latest = max(snapshot.cutoffs)
    earlier, held = Snapshot(), Snapshot()
    for features, label, cutoff in zip(snapshot.features, snapshot.labels, snapshot.cutoffs, strict=True):
        part = held if cutoff == latest else earlier
        part.features.append(features)
        part.labels.append(label)
        part.cutoffs.append(cutoff)
    if len(set(earlier.labels)) < 2 or len(set(held.labels)) < 2:
        return None
    predictor = fit(earlier, latest)
    return scores(held.labels, predictor.risk(held.features), days_since_visit(held.features))

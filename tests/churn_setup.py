"""A small, seeded gym history for the churn tests: most leavers fade out or see their card fail first."""
from __future__ import annotations

import csv
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

START, END = date(2025, 1, 1), date(2026, 11, 30)


def write_history(folder: Path, members: int = 300, seed: int = 1) -> None:
    rng = random.Random(seed)
    rows: dict[str, list[tuple[object, ...]]] = {"members": [], "checkins": [], "payments": [], "memberships_ended": []}
    for n in range(members):
        member = f"M{n}"
        joined = START + timedelta(days=rng.randint(0, 420))
        left = joined + timedelta(days=int(rng.expovariate(1 / 320)) + 30)
        warning = rng.random() < 0.8  # most leavers fade for weeks first; the rest leave without a sign
        rate = rng.uniform(1.0, 4.0)
        day = joined
        while day < min(left, END):
            weeks_left = (left - day).days / 7
            fading = warning and weeks_left < 6
            if rng.random() < (rate * (weeks_left / 6 if fading else 1)) / 7:
                at = datetime.combine(day, time(rng.choice((7, 12, 18, 19)), 0))
                rows["checkins"].append((member, at.strftime("%Y-%m-%dT%H:%M"), rng.randint(30, 90)))
            if (day - joined).days % 30 == 0:
                failed = fading and rng.random() < 0.5
                rows["payments"].append((member, day.isoformat(), "129.90", "failed" if failed else "paid"))
            day += timedelta(days=1)
        rows["members"].append((member, f"Pessoa {n}", f"+55119{n:08d}", joined.isoformat(), "Mensal", "129.90"))
        if left <= END:
            rows["memberships_ended"].append((member, left.isoformat()))
    headers = {"members": ("member_id", "name", "phone", "joined_on", "plan", "price"),
               "checkins": ("member_id", "checked_in_at", "duration_min"),
               "payments": ("member_id", "paid_on", "amount", "status"), "memberships_ended": ("member_id", "ended_on")}
    for name, lines in rows.items():
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(headers[name])
            out.writerows(lines)


def write_labels(folder: Path, as_of: date) -> Path:
    """member_id,churned_within_60d for the members active on as_of."""
    with open(folder / "members.csv", encoding="utf-8") as handle:
        joined = {r["member_id"]: date.fromisoformat(r["joined_on"]) for r in csv.DictReader(handle)}
    with open(folder / "memberships_ended.csv", encoding="utf-8") as handle:
        left = {r["member_id"]: date.fromisoformat(r["ended_on"]) for r in csv.DictReader(handle)}
    path = folder / "labels.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(("member_id", "churned_within_60d"))
        for member, day in joined.items():
            end = left.get(member)
            if day <= as_of and (end is None or end > as_of):
                out.writerow((member, int(end is not None and end <= as_of + timedelta(days=60))))
    return path

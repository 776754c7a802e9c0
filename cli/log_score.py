"""`fitzap log-score FILE`: how many labelled workout-log lines the chat's parser reads exactly right."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from conversations.nlu.workout_log import parse_log

FIELDS = ("exercise", "sets", "reps", "load", "unit", "distance", "distance_unit", "duration_s")


def run_log_score(args: argparse.Namespace) -> None:
    try:
        print(json.dumps(score_logs(args.file, misses=sys.stderr if args.misses else None)))
    except (ValueError, OSError) as exc:
        print(f"fitzap log-score: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def score_logs(path: Path, misses: TextIO | None = None) -> dict[str, Any]:
    """Share of lines whose every exercise and quantity is right, overall and per locale."""
    totals: dict[str, list[int]] = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            want = [{f: e.get(f) for f in FIELDS} for e in item["entries"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: not a labelled log line ({exc})") from None
        got = [e.as_json() for e in parse_log(item["text"])]
        ok = _same(got, want)
        counts = totals.setdefault(item.get("locale", "pt-BR"), [0, 0])
        counts[0] += 1
        counts[1] += ok
        if misses is not None and not ok:
            print(f"miss: {item['text']!r}\n  want {want}\n  got  {got}", file=misses)
    if not totals:
        raise ValueError(f"{path}: no lines")
    lines, right = sum(c[0] for c in totals.values()), sum(c[1] for c in totals.values())
    return {"file": str(path), "lines": lines, "exact": right, "accuracy": round(right / lines, 4),
            "by_locale": {loc: round(c[1] / c[0], 4) for loc, c in sorted(totals.items())}}


def _same(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> bool:
    return len(got) == len(want) and all(
        all(_equal(g[f], w[f]) for f in FIELDS) for g, w in zip(got, want, strict=True))


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return abs(a - b) < 1e-6
    return a == b

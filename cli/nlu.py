"""`fitzap nlu` and `fitzap nlu-score`: what the bot understands from messages, as JSON."""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from conversations.nlu import understand


def run_nlu(args: argparse.Namespace) -> None:
    """One JSON object for TEXT, one per line for --jsonl FILE, or the scores for --score FILE."""
    defaults = {"locale": args.locale, "tz": args.tz, "now": args.now}
    try:
        if getattr(args, "score", None):
            scores = score_file(args.score, defaults, misses=sys.stderr)
            print(per_intent_table(scores))
            print(json.dumps({k: v for k, v in scores.items() if k != "per_intent"}))
        elif getattr(args, "jsonl", None):
            for number, line in enumerate(Path(args.jsonl).read_text(encoding="utf-8").splitlines(), 1):
                if line.strip():
                    print(json.dumps(_answer_line(line, number, defaults), ensure_ascii=False))
        elif args.text == "train":
            print(json.dumps(train_model()))
        elif args.text is not None:
            print(json.dumps(answer({"text": args.text}, defaults), ensure_ascii=False))
        else:
            raise ValueError('give a message, --jsonl FILE or --score FILE (e.g. fitzap nlu "amanhã às 7")')
    except (ValueError, OSError) as exc:
        print(f"fitzap nlu: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def train_model(out: Path | None = None, corpus: Path | None = None) -> dict[str, Any]:
    """Fit the intent model on the corpus and save it where the bot loads it from (`fitzap nlu train`)."""
    from conversations.nlu import classifier
    from conversations.nlu.understand import model_input

    started = time.perf_counter()
    rows = classifier.read_corpus(corpus or classifier.CORPUS)
    pipeline = classifier.fit([model_input(r["text"], r.get("locale", "pt-BR")) for r in rows], [r["intent"] for r in rows])
    path = out or classifier.MODEL
    classifier.save(pipeline, path)
    return {"model": str(path), "examples": len(rows), "intents": len(pipeline.classes_),
            "seconds": round(time.perf_counter() - started, 1)}


def run_nlu_score(args: argparse.Namespace) -> None:
    """`fitzap nlu-score FILE`: intent and datetime accuracy on a labelled JSONL file."""
    args.score, args.jsonl, args.text = args.file, None, None
    for name, value in (("locale", "pt-BR"), ("tz", "America/Sao_Paulo"), ("now", None)):
        setattr(args, name, getattr(args, name, value))
    run_nlu(args)


def answer(item: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """Understand one {"text", "locale"?, "now"?, "tz"?} item; missing keys come from defaults."""
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise ValueError(f"item has no text: {item!r}")
    locale = item.get("locale") or defaults.get("locale") or "pt-BR"
    now = _now(item.get("now") or defaults.get("now"), item.get("tz") or defaults.get("tz") or "America/Sao_Paulo")
    return understand(item["text"], locale, now).to_json()


def score_file(path: Path, defaults: dict[str, Any] | None = None, misses: Any = None) -> dict[str, Any]:
    """Accuracy of intents and of datetimes (equal local strings, both null counts) over a labelled file, and
    each intent's precision and recall."""
    total = intents_ok = datetimes_ok = 0
    wanted: Counter[str] = Counter()
    given: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for item in _lines(path):
        got = answer(item, defaults or {})
        total += 1
        intent_ok, datetime_ok = got["intent"] == item.get("intent"), got["datetime"] == item.get("datetime")
        intents_ok += intent_ok
        datetimes_ok += datetime_ok
        wanted[str(item.get("intent"))] += 1
        given[got["intent"]] += 1
        right[got["intent"]] += intent_ok
        if misses is not None and not (intent_ok and datetime_ok):
            print(f"miss: {item['text']!r} want {item.get('intent')} {item.get('datetime')} "
                  f"got {got['intent']} {got['datetime']}", file=misses)
    if not total:
        raise ValueError(f"{path}: no items")
    per_intent = {i: {"n": wanted[i], "precision": round(right[i] / given[i], 3) if given[i] else None,
                      "recall": round(right[i] / wanted[i], 3) if wanted[i] else None} for i in sorted(wanted | given)}
    return {"file": str(path), "items": total, "intent_accuracy": round(intents_ok / total, 4),
            "datetime_accuracy": round(datetimes_ok / total, 4), "per_intent": per_intent}


def per_intent_table(scores: dict[str, Any]) -> str:
    """The per-intent precision and recall as aligned lines."""
    lines = [f"{'intent':<16} {'n':>4} {'precision':>9} {'recall':>6}"]
    for intent, row in scores["per_intent"].items():
        p, r = row["precision"], row["recall"]
        lines.append(f"{intent:<16} {row['n']:>4} {'—' if p is None else f'{p:.3f}':>9} {'—' if r is None else f'{r:.3f}':>6}")
    return "\n".join(lines)


def _answer_line(line: str, number: int, defaults: dict[str, Any]) -> dict[str, Any]:
    """One answer per input line, in order: a bad line gets {"error": ...} instead of stopping the run."""
    try:
        return answer(json.loads(line), defaults)
    except (ValueError, TypeError) as exc:  # JSONDecodeError is a ValueError
        return {"error": f"line {number}: {exc}"}


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from None


def _now(value: str | None, tz: str) -> datetime:
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {tz!r}") from None
    if not value:
        return datetime.now(zone).replace(second=0, microsecond=0)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"--now must be ISO like 2026-11-23T10:00:00, not {value!r}") from None
    return parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed.astimezone(zone)

"""Logs are JSON lines; the scheduler's routine ticks stay out of them, its failures do not."""
from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from app.logs import JsonFormatter, configure_logging


@pytest.fixture
def configured() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("INFO")
    yield
    root.handlers[:], root.level = handlers, level  # give pytest's log capture back to the other tests


def test_a_log_line_is_one_json_object() -> None:
    record = logging.LogRecord("fitzap.test", logging.INFO, __file__, 1, "booked %s", ("Maria",), None)
    line = json.loads(JsonFormatter().format(record))
    assert (line["level"], line["logger"], line["message"]) == ("info", "fitzap.test", "booked Maria")


def test_scheduler_ticks_are_quiet_but_its_failures_are_logged(configured: None) -> None:
    scheduler = logging.getLogger("apscheduler.executors.default")
    assert not scheduler.isEnabledFor(logging.INFO)  # "Running job …", "… executed successfully"
    assert scheduler.isEnabledFor(logging.WARNING)  # "Run time of job … was missed", a job that raised
    assert logging.getLogger("fitzap.booking").isEnabledFor(logging.INFO)

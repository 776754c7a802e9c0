"""What counts as an outage worth riding out, and how outages are logged: once per interval, with a count."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError

from runtime.failures import log_failure, service_away


class _DriverError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(("sqlstate", "passing"), [("40P01", True), ("40001", True), ("57P01", True), ("57P03", True),
                                                   ("08006", True), ("23505", False), ("22P02", False)])
def test_a_deadlock_or_a_restart_passes_but_a_broken_row_does_not(sqlstate, passing):
    error = DBAPIError("UPDATE …", {}, _DriverError(sqlstate))
    assert service_away(error) is passing


def test_connection_errors_pass_and_a_constraint_violation_does_not():
    assert service_away(ConnectionRefusedError()) and service_away(TimeoutError())
    assert not service_away(IntegrityError("INSERT …", {}, _DriverError("23505")))
    assert not service_away(ValueError("a bug"))


def test_an_outage_is_logged_once_per_interval_with_the_count_of_the_rest(caplog):
    logger = logging.getLogger("tests.failures")
    with caplog.at_level(logging.WARNING, logger="tests.failures"):
        for _ in range(5):
            log_failure(logger, "could not store", ConnectionRefusedError("refused"), every_s=60)
        log_failure(logger, "could not store", ConnectionRefusedError("refused"), every_s=0)
    assert [r.getMessage() for r in caplog.records] == [
        "could not store: ConnectionRefusedError: refused",
        "could not store: ConnectionRefusedError: refused (4 more since the last report)",
    ]

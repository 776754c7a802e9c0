"""Every long-running `fitzap` process stops on SIGTERM, sent to it or to its whole process group (as
systemd does), within its grace period and saying so in its log."""
from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.conftest import REDIS_URL, make_settings

GRACE_S = 15.0
READY = {"serve": "listening on", "worker": "Worker process is ready", "scheduler": "scheduler started"}
STOPPING = {"serve": "stopping", "worker": "Stopping worker process", "scheduler": "scheduler stopping"}


def _environment() -> dict[str, str]:
    settings = make_settings()
    return {**os.environ, "DATABASE_URL": settings.database_url, "REDIS_URL": REDIS_URL, "WHATSAPP_TOKEN": "t",
            "WHATSAPP_APP_SECRET": "stopping-secret", "WHATSAPP_VERIFY_TOKEN": "v", "SECRET_KEY": "stopping-secret-key-0123",
            "METRICS_TOKEN": "stopping-metrics-token-0123", "LOG_LEVEL": "INFO"}


def _wait_for(log: Path, text: str, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("to_group", [True, False], ids=["group", "process"])
@pytest.mark.parametrize("command", ["serve", "worker", "scheduler"])
def test_a_fitzap_process_stops_on_sigterm_with_a_log_line(database, tmp_path, command, to_group):
    args = {"serve": ["serve", "--port", "0"], "worker": ["worker", "--processes", "2", "--threads", "2"],
            "scheduler": ["scheduler"]}[command]
    log = tmp_path / f"{command}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", "from cli.main import main; main()", *args], env=_environment(),
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert _wait_for(log, READY[command], 30), log.read_text()
        stopped_at = time.monotonic()
        if to_group:
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=GRACE_S)
        assert time.monotonic() - stopped_at < GRACE_S
        assert STOPPING[command] in log.read_text(errors="replace")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.mark.parametrize("to_group", [True, False], ids=["group", "parent"])
def test_serve_with_two_processes_answers_from_both_and_stops_on_sigterm(database, tmp_path, to_group):
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", "from cli.main import main; main()", "serve", "--host", "127.0.0.1",
                                 "--port", "0", "--processes", "2"], env=_environment(), stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while log.read_text(errors="replace").count(READY["serve"]) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        text = log.read_text(errors="replace")
        assert text.count(READY["serve"]) == 2, text
        port = int(re.findall(r"listening on 127\.0\.0\.1:(\d+)", text)[0])
        children = psutil.Process(proc.pid).children()
        assert len(children) == 2
        # Connections kept open: the kernel spreads them over both processes' sockets, and each answers on its own.
        connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=5) for _ in range(24)]
        try:
            for connection in connections:
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                assert response.status == 200
                response.read()
            assert all(_clients_of(child, port) for child in children)
        finally:
            for connection in connections:
                connection.close()
        stopped_at = time.monotonic()
        if to_group:
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=GRACE_S) == 0
        assert time.monotonic() - stopped_at < GRACE_S
        assert log.read_text(errors="replace").count(STOPPING["serve"]) == 2
        assert not any(c.is_running() and c.status() != psutil.STATUS_ZOMBIE for c in children)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _clients_of(process: psutil.Process, port: int) -> int:
    """Connections from clients the process has open on the port."""
    return sum(c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port for c in process.net_connections(kind="tcp"))

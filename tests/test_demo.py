"""`fitzap demo` on a temp dir answers a signed webhook, visible through /sandbox/messages."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support import inbound, signed

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(predicate, timeout_s: float = 30.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            result = predicate()
            if result:
                return result
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_demo_answers_a_signed_webhook_through_the_sandbox(tmp_path):
    port = free_port()
    env = {**os.environ, "WHATSAPP_APP_SECRET": "outside-secret", "DEMO_PHONE_NUMBER_ID": "555000111"}
    demo = subprocess.Popen(
        [sys.executable, "-c", "from cli.main import main; main()", "demo", "--port", str(port), "--data-dir", str(tmp_path)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: httpx.get(f"{base}/healthz").status_code == 200)
        raw, headers = signed(inbound("text", text="Hello", wa_id="5511912345678", phone_number_id="555000111"), "outside-secret")
        assert httpx.post(f"{base}/webhooks/whatsapp", content=raw, headers=headers).status_code == 200
        forged, _ = signed(inbound("text", phone_number_id="555000111"), "demo-app-secret")
        assert httpx.post(f"{base}/webhooks/whatsapp", content=forged, headers=_).status_code == 401

        def replies():  # type: ignore[no-untyped-def]
            got = httpx.get(f"{base}/sandbox/messages", params={"to": "5511912345678"}).json()["messages"]
            return got if len(got) >= 2 else None

        messages = wait_until(replies)
        assert messages[0]["kind"] == "buttons" and "This is *Studio Demo FitZap*" in messages[0]["body"]
        assert messages[1]["kind"] == "list"
        assert httpx.get(f"{base}/simulator").status_code == 200
        assert (tmp_path / "fitzap.sqlite3").exists()
    finally:
        os.killpg(demo.pid, signal.SIGINT)
        try:
            output, _ = demo.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            output, _ = demo.communicate()
    assert f"{base}/simulator" in output
    assert "outside-secret" not in output  # secrets never reach the logs

"""`fitzap demo` on a temp dir answers a signed webhook, visible through /sandbox/messages."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from admin.simulator_payloads import inbound_message
from channels.signature import sign
from gateways.sandbox import signed as sign_stripe
from runtime.settings import DEMO_APP_SECRET, ConfigError, demo_settings
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
        assert stat.S_IMODE((tmp_path / "fitzap.sqlite3").stat().st_mode) == 0o600  # password hashes, chats
    finally:
        os.killpg(demo.pid, signal.SIGINT)
        try:
            output, _ = demo.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            output, _ = demo.communicate()
    assert f"{base}/simulator" in output
    assert output.startswith("FitZap demo is running"), output[:300]  # the banner first, then the log lines
    assert "outside-secret" not in output  # secrets never reach the logs


def test_the_demo_makes_its_own_secret_key_once_and_keeps_it_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = demo_settings(tmp_path).secret_key.get_secret_value()
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert demo_settings(tmp_path).secret_key.get_secret_value() == first  # logins and stored tokens stay readable
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    assert demo_settings(other_dir).secret_key.get_secret_value() != first
    assert len(first) >= 32


def test_secret_key_from_the_environment_wins_in_the_demo(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "operator-chosen-key-0123456789")
    assert demo_settings(tmp_path).secret_key.get_secret_value() == "operator-chosen-key-0123456789"


def test_a_damaged_demo_key_file_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    (tmp_path / "secret_key").write_text("short\n")
    with pytest.raises(ConfigError, match="secret_key.*delete it"):
        demo_settings(tmp_path)


def test_a_client_pays_in_the_demo_through_its_sandbox_checkout(tmp_path):
    """Chat "pagar" → pick a pack → open the link → the demo's checkout page → Pay → the chat confirms the new balance."""
    port = free_port()
    demo = subprocess.Popen(
        [sys.executable, "-c", "from cli.main import main; main()", "demo", "--port", str(port), "--data-dir", str(tmp_path)],
        cwd=REPO, env={**os.environ, "DEMO_PHONE_NUMBER_ID": "555000222"}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    base, wa_id = f"http://127.0.0.1:{port}", "5511955554444"
    try:
        wait_until(lambda: httpx.get(f"{base}/healthz").status_code == 200)

        def say(**message: str) -> None:
            body = json.dumps(inbound_message(phone_number_id="555000222", wa_id=wa_id, name="Paula", **message)).encode()
            response = httpx.post(f"{base}/webhooks/whatsapp", content=body,
                                  headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, DEMO_APP_SECRET)})
            assert response.status_code == 200

        def last(kind: str, containing: str):  # type: ignore[no-untyped-def]
            got = httpx.get(f"{base}/sandbox/messages", params={"to": wa_id}).json()["messages"]
            return next((m for m in reversed(got) if m["kind"] == kind and containing in m["body"]), None)

        say(text="pagar")
        offer = wait_until(lambda: last("list", "O que você quer comprar?"))
        rows = {r["title"]: r["id"] for s in offer["payload"]["sections"] for r in s["rows"]}
        say(reply_id=rows["Pacote 4 aulas"], reply_title="Pacote 4 aulas", reply_kind="list_reply")
        link_message = wait_until(lambda: last("text", "Pague por aqui"))
        link = re.search(r"http://\S+/pay/\S+", link_message["body"]).group(0)

        checkout = httpx.get(link, follow_redirects=True)
        assert checkout.status_code == 200 and "/sandbox/checkout/cs_sandbox_" in str(checkout.url)
        assert "Pacote 4 aulas" in checkout.text and "R$" in checkout.text and 'value="pix"' in checkout.text
        back = httpx.post(str(checkout.url), data={"method": "card"}, follow_redirects=True)
        assert back.status_code == 200 and 'data-status="confirming"' in back.text or 'data-status="paid"' in back.text
        wait_until(lambda: 'data-status="paid"' in httpx.get(str(back.url)).text)  # the receipt, once the event is applied

        confirmed = wait_until(lambda: last("text", "Pagamento recebido"))
        assert "*Pacote 4 aulas* (R$ 220,00). Agora você tem *4* créditos" in confirmed["body"]

        forged, header = sign_stripe({"id": "evt_forged", "type": "checkout.session.completed", "data": {"object": {}}}, "whsec_guess")
        response = httpx.post(f"{base}/webhooks/stripe", content=forged, headers={"Stripe-Signature": header})
        assert response.status_code == 400
    finally:
        os.killpg(demo.pid, signal.SIGINT)
        try:
            demo.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.communicate()


def test_the_demo_client_maria_sees_her_workout_and_her_logged_lift_in_her_progress(tmp_path):
    """Maria's program has a workout every day: "treino de hoje" shows at least three exercises, and a logged
    bench press shows in "meu progresso"."""
    port = free_port()
    demo = subprocess.Popen(
        [sys.executable, "-c", "from cli.main import main; main()", "demo", "--port", str(port), "--data-dir", str(tmp_path)],
        cwd=REPO, env={**os.environ, "DEMO_PHONE_NUMBER_ID": "555000333"}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    base, wa_id = f"http://127.0.0.1:{port}", "5511987654321"
    try:
        wait_until(lambda: httpx.get(f"{base}/healthz").status_code == 200)

        def say(text: str) -> None:
            body = json.dumps(inbound_message(phone_number_id="555000333", wa_id=wa_id, name="Maria Souza", text=text)).encode()
            response = httpx.post(f"{base}/webhooks/whatsapp", content=body,
                                  headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, DEMO_APP_SECRET)})
            assert response.status_code == 200

        def last(containing: str):  # type: ignore[no-untyped-def]
            got = httpx.get(f"{base}/sandbox/messages", params={"to": wa_id}).json()["messages"]
            return next((m for m in reversed(got) if containing in (m["body"] or "")), None)

        say("treino de hoje")
        workout = wait_until(lambda: last("Treino de hoje"))["body"]
        assert all(f"\n{n}. " in workout for n in (1, 2, 3)), workout
        say("fiz supino 3x10 42,5kg")
        assert "*Supino reto* 3×10 · 42,5 kg" in wait_until(lambda: last("Anotado"))["body"]
        say("meu progresso")
        assert "Supino reto: 42,5 kg × 10" in wait_until(lambda: last("Seu progresso"))["body"]
    finally:
        os.killpg(demo.pid, signal.SIGINT)
        try:
            demo.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            demo.communicate()

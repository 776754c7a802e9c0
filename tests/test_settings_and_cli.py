"""Configuration fails at start with one line naming the variable; production refuses demo values."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from runtime.settings import DEMO_APP_SECRET, PUBLISHED_DEMO_SECRET_KEY, ConfigError, load_settings
from tests.conftest import make_settings

REPO = Path(__file__).resolve().parents[1]
FITZAP = [sys.executable, "-c", "from cli.main import main; main()"]


SETTING_PREFIXES = ("DATABASE_", "REDIS_", "WHATSAPP_", "SECRET_", "FITZAP_", "DELIVERY_", "SWEEP_", "DB_", "WAKE_", "ADMIN_",
                    "METRICS_", "LOG_LEVEL", "PORT", "PUBLIC_URL", "STRIPE_")
# A bad value for each setting (several for the URLs): each stops `fitzap serve` with one line naming it.
BAD_VALUES = [
    ("FITZAP_MODE", "staging"),
    ("DATABASE_URL", "mysql://root@localhost/fitzap"),
    ("DATABASE_URL", "postgresql+asyncpg://db:port/fitzap"),
    ("DATABASE_URL", "postgresql+asyncpg://db:99999/fitzap"),
    ("DATABASE_URL", "postgresql+asyncpg://db:5432/"),
    ("REDIS_URL", "http://cache:6379/0"),
    ("REDIS_URL", "redis://cache:port/0"),
    ("REDIS_URL", "redis://cache:6379/zero"),
    ("REDIS_URL", "redis://"),
    ("REDIS_URL", "unix://"),
    ("WHATSAPP_TOKEN", ""),
    ("WHATSAPP_APP_SECRET", ""),
    ("WHATSAPP_VERIFY_TOKEN", ""),
    ("WHATSAPP_API_VERSION", "latest"),
    ("WHATSAPP_API_BASE_URL", "not a url"),
    ("WHATSAPP_API_BASE_URL", "ftp://graph.example"),
    ("WHATSAPP_API_BASE_URL", "https://"),
    ("SECRET_KEY", "short"),
    ("SECRET_KEY", " " * 20),
    ("FITZAP_CHANNEL", "telegram"),
    ("WHATSAPP_HTTP_TRANSPORT", "curl"),
    ("WHATSAPP_SEND_RATE_PER_S", "fast"),
    ("DELIVERY_MAX_ATTEMPTS", "0"),
    ("DELIVERY_MAX_ATTEMPTS", "50"),
    ("DELIVERY_BACKOFF_BASE_MS", "9" * 20),
    ("SWEEP_AFTER_S", "9" * 30),
    ("DB_POOL_SIZE", "1.5"),
    ("WAKE_UP_EVERY_MS", "-1"),
    ("ADMIN_COOKIE_SECURE", "maybe"),
    ("METRICS_TOKEN", "short"),
    ("METRICS_PUBLIC", "maybe"),
    ("LOG_LEVEL", "LOUD"),
    ("PORT", "http"),
    ("PUBLIC_URL", "not a url"),
    ("STRIPE_SECRET_KEY", "pk_live_publishable"),
    ("STRIPE_SECRET_KEY", "sk_test_without_its_webhook_secret"),
    ("STRIPE_WEBHOOK_SECRET", "not-a-signing-secret"),
    ("STRIPE_PLATFORM_FEE_PERCENT", "90"),
]


def _clean_env() -> dict[str, str]:
    """The caller's environment without any FitZap setting."""
    return {k: v for k, v in os.environ.items() if not k.startswith(SETTING_PREFIXES)}


def _free_port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


def test_missing_variable_is_named():
    with pytest.raises(ConfigError, match="^WHATSAPP_APP_SECRET is not set$"):
        load_settings(
            DATABASE_URL="postgresql+asyncpg://x@h/db", REDIS_URL="redis://h", WHATSAPP_TOKEN="t",
            WHATSAPP_VERIFY_TOKEN="v", SECRET_KEY="k" * 20,
        )


def test_malformed_api_version_is_named():
    with pytest.raises(ConfigError, match="^WHATSAPP_API_VERSION: "):
        make_settings(WHATSAPP_API_VERSION="latest")


def test_unknown_database_scheme_is_named():
    with pytest.raises(ConfigError, match="^DATABASE_URL: must start with"):
        make_settings(DATABASE_URL="mysql://root@localhost/fitzap")


def test_production_refuses_the_demo_app_secret():
    with pytest.raises(ConfigError, match="WHATSAPP_APP_SECRET still has the demo default"):
        make_settings(WHATSAPP_APP_SECRET=DEMO_APP_SECRET)


def test_production_refuses_the_secret_key_the_demo_once_published():
    with pytest.raises(ConfigError, match="SECRET_KEY still has the demo default"):
        make_settings(SECRET_KEY=PUBLISHED_DEMO_SECRET_KEY)


def test_payments_need_the_public_url_their_links_start_with():
    with pytest.raises(ConfigError, match="^PUBLIC_URL is required with payments"):
        make_settings(PUBLIC_URL="")


def test_stripe_keys_go_together():
    with pytest.raises(ConfigError, match="^STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET go together"):
        make_settings(STRIPE_WEBHOOK_SECRET="")


def test_without_stripe_keys_the_chat_does_not_sell():
    assert make_settings(STRIPE_SECRET_KEY="", STRIPE_WEBHOOK_SECRET="").payments == "off"


def test_production_needs_redis():
    with pytest.raises(ConfigError, match="REDIS_URL is required in production"):
        make_settings(REDIS_URL="")


@pytest.mark.parametrize("command", ["serve", "worker", "scheduler", "migrate"])
def test_production_commands_stop_at_start_with_one_line(command):
    env = _clean_env()
    result = subprocess.run([*FITZAP, command], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["fitzap: configuration error: DATABASE_URL is not set"]


@pytest.mark.parametrize("command", ["serve", "worker", "scheduler"])
def test_production_commands_refuse_demo_mode(command, tmp_path):
    env = {**_clean_env(), "FITZAP_MODE": "demo", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}", "REDIS_URL": "",
           "WHATSAPP_TOKEN": "t", "WHATSAPP_APP_SECRET": "s", "WHATSAPP_VERIFY_TOKEN": "v", "SECRET_KEY": "k" * 20,
           "FITZAP_CHANNEL": "sandbox"}
    result = subprocess.run([*FITZAP, command], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "fitzap: configuration error: FITZAP_MODE: demo runs only under `fitzap demo`; serve, worker and scheduler need production"]


@pytest.mark.parametrize(("variable", "value"), BAD_VALUES)
def test_every_bad_setting_stops_serve_with_one_line_naming_it(variable, value):
    good = make_settings()
    env = {**_clean_env(), "DATABASE_URL": good.database_url, "REDIS_URL": str(good.redis_url), "WHATSAPP_TOKEN": "t",
           "WHATSAPP_APP_SECRET": "s", "WHATSAPP_VERIFY_TOKEN": "v", "SECRET_KEY": "k" * 20, "PORT": _free_port(), variable: value}
    try:
        result = subprocess.run([*FITZAP, "serve", "--host", "127.0.0.1"], cwd=REPO, env=env, capture_output=True, text=True,
                                timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{variable}={value!r} was accepted: serve started")
    lines = result.stderr.strip().splitlines()
    assert (result.returncode, len(lines)) == (2, 1), result.stderr
    assert lines[0].startswith(f"fitzap: configuration error: {variable}"), lines[0]


def test_the_demo_stops_on_a_bad_log_level_with_one_line(tmp_path):
    env = {**_clean_env(), "LOG_LEVEL": "LOUD"}
    result = subprocess.run([*FITZAP, "demo", "--data-dir", str(tmp_path), "--port", _free_port()], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "fitzap: configuration error: LOG_LEVEL: Input should be 'DEBUG', 'INFO', 'WARNING', 'ERROR' or 'CRITICAL'"]


@pytest.mark.parametrize("attempts", [1, 39])
def test_the_longest_backoff_the_settings_allow_is_capped_not_an_overflow(attempts):
    from types import SimpleNamespace

    from channels.base import TransientSendError
    from workers.delivery import MAX_BACKOFF, _backoff

    settings = make_settings(DELIVERY_MAX_ATTEMPTS=40, DELIVERY_BACKOFF_BASE_MS=60_000)
    assert _backoff(SimpleNamespace(settings=settings), attempts, TransientSendError("busy")) <= MAX_BACKOFF  # type: ignore[arg-type]


def test_log_level_is_read_in_any_case():
    assert make_settings(LOG_LEVEL="warning").log_level == "WARNING"


def test_docker_compose_describes_the_production_set():
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    services = compose["services"]
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    assert services["web"]["command"][:2] == ["fitzap", "serve"]
    assert services["worker"]["command"][:2] == ["fitzap", "worker"]
    assert services["scheduler"]["command"] == ["fitzap", "scheduler"]
    assert services["migrate"]["command"] == ["fitzap", "migrate"]
    for name in ("web", "worker", "scheduler"):
        env = services[name]["environment"]
        assert {"DATABASE_URL", "REDIS_URL", "WHATSAPP_APP_SECRET", "SECRET_KEY"} <= set(env)
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_a_port_already_taken_is_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = subprocess.run([*FITZAP, "demo", "--port", port, "--data-dir", str(tmp_path)], cwd=REPO, env=_clean_env(),
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("fitzap: ") and "address already in use" in last, result.stderr


def test_a_data_dir_that_cannot_be_made_is_one_line():
    result = subprocess.run([*FITZAP, "demo", "--data-dir", "/proc/fitzap-cannot-be-here"], cwd=REPO, env=_clean_env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("fitzap: ") and "/proc/fitzap-cannot-be-here" in result.stderr

"""Real-browser tests: Debian's chromium driven by Playwright, against `fitzap demo` in a subprocess."""
from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from tests.test_demo import REPO, free_port, wait_until

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# How long an expectation waits: a bot's reply comes from the demo's in-process worker, which on a busy 2-core machine
# (the other test worker, a slow host) took over 10 s in a CI run. A passing check waits only as long as it needs.
EXPECT_TIMEOUT_MS = 30_000
needs_chromium = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="Debian's chromium is not installed")
DEMO_DATABASE = "fitzap.sqlite3"
DEMO_ADMIN_PASSWORD = "browser-test-password"
DEMO_TRAINER_PASSWORD = "browser-trainer-password"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


# The first demo of a test run is seeded from nothing (about 5 s of its 7); the others start from a copy of its fresh
# database, as `fitzap demo` does on a restart, so the browser tests pay for the seeding once.
_SEEDED = Path(tempfile.mkdtemp(prefix="fitzap-seeded-demo-")) / DEMO_DATABASE


@contextmanager
def running_demo(data_dir: Path) -> Iterator[str]:
    """`fitzap demo` on a free port with a known admin password; yields its base URL."""
    import httpx

    data_dir.mkdir(parents=True, exist_ok=True)
    if _SEEDED.exists():
        shutil.copyfile(_SEEDED, data_dir / DEMO_DATABASE)
    port = free_port()
    demo = subprocess.Popen(
        [sys.executable, "-c", "from cli.main import main; main()", "demo", "--port", str(port), "--data-dir", str(data_dir)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        env={**os.environ, "DEMO_ADMIN_PASSWORD": DEMO_ADMIN_PASSWORD, "DEMO_TRAINER_PASSWORD": DEMO_TRAINER_PASSWORD},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        # A first start seeds the history and trains the churn model: on a busy 2-core machine running the other
        # test worker, that has taken more than 30 s.
        wait_until(lambda: httpx.get(f"{url}/healthz").status_code == 200, timeout_s=120)
        if not _SEEDED.exists():
            _snapshot(data_dir / DEMO_DATABASE, _SEEDED)
        yield url
    finally:
        os.killpg(demo.pid, signal.SIGINT)
        demo.wait(timeout=15)


def _snapshot(database: Path, copy: Path) -> None:
    # SQLite's backup API: a consistent copy while the demo's worker may be writing.
    with closing(sqlite3.connect(database)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)


def launch(playwright):  # type: ignore[no-untyped-def]
    """Debian's chromium, headless, with nothing that reaches for the network."""
    from playwright.sync_api import expect

    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def new_page(browser, size: dict[str, int] = PHONE):  # type: ignore[no-untyped-def]
    """A page in a Brazilian browser (pt-BR first in Accept-Language), at phone size unless told otherwise."""
    return browser.new_context(locale="pt-BR", viewport=size).new_page()


def log_in(page, base_url: str, email: str = "owner@fitzap.demo") -> None:  # type: ignore[no-untyped-def]
    """Log the page in to the demo's panel."""
    page.goto(f"{base_url}/admin/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_ADMIN_PASSWORD if email.startswith("owner@") else DEMO_TRAINER_PASSWORD)
    page.click("button[type=submit]")

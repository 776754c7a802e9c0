"""Real-browser tests: Debian's chromium driven by Playwright, against `fitzap demo` in a subprocess."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.test_demo import REPO, free_port, wait_until

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="Debian's chromium is not installed")
DEMO_ADMIN_PASSWORD = "browser-test-password"
DEMO_TRAINER_PASSWORD = "browser-trainer-password"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextmanager
def running_demo(data_dir: Path) -> Iterator[str]:
    """`fitzap demo` on a free port with a known admin password; yields its base URL."""
    import httpx

    port = free_port()
    demo = subprocess.Popen(
        [sys.executable, "-c", "from cli.main import main; main()", "demo", "--port", str(port), "--data-dir", str(data_dir)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        env={**os.environ, "DEMO_ADMIN_PASSWORD": DEMO_ADMIN_PASSWORD, "DEMO_TRAINER_PASSWORD": DEMO_TRAINER_PASSWORD},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: httpx.get(f"{url}/healthz").status_code == 200)
        yield url
    finally:
        os.killpg(demo.pid, signal.SIGINT)
        demo.wait(timeout=15)


def launch(playwright):  # type: ignore[no-untyped-def]
    """Debian's chromium, headless, with nothing that reaches for the network."""
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

"""Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by Playwright
(never a downloaded browser), with its screenshots in artifacts/screenshots/."""
import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium not installed at /usr/bin/chromium")


@contextmanager
def browser_page(capsys, **context_options):
    """``(page, blocked)``: a fresh page, and the Content-Security-Policy complaints it logs."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself are ordinary synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with capsys.disabled():
        print(f"\nscreenshots: {SHOTS}")
    try:
        with playwright_api.sync_playwright() as playwright:
            try:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True,
                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                          "--disable-component-update", "--disable-sync", "--no-first-run"])
                context = browser.new_context(
                    **{"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN", **context_options})
                page = context.new_page()
                blocked = []
                page.on("console", lambda message: blocked.append(message.text)
                        if "Content Security Policy" in message.text else None)
                yield page, blocked
                context.close()
                browser.close()
            finally:
                # ORM calls made while Playwright's loop runs get connections of that loop's
                # context: close them inside it, or PostgreSQL refuses to drop the test database.
                connections.close_all()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

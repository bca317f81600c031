"""Shared real-browser helpers: Debian's chromium driven by Playwright, pages served from
loopback or opened from file://. Never downloads a browser."""

from __future__ import annotations

import functools
import http.server
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's /usr/bin/chromium")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, as a real server would

    def log_message(self, *args):
        pass


@contextmanager
def serve(directory: Path):
    """Serve a directory on 127.0.0.1 (a free port) for the duration of the block."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def record_requests(page) -> list[str]:
    """Every URL the page asks for, to prove none leaves the site."""
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


def off_site(urls: list[str], base: str) -> list[str]:
    return [u for u in urls if not (u.startswith(base) or u.startswith("data:") or u.startswith("about:"))]

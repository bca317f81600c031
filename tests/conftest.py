"""Fixtures shared by the browser tests."""

import pytest


@pytest.fixture(scope="session")
def browser():
    """One Debian chromium for the whole run (launched on first use)."""
    from browser import chromium
    with chromium() as b:
        yield b

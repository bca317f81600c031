"""Running real `mkdocs build` in tests."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

DEMO_DATE = dt.datetime(2026, 11, 26, tzinfo=dt.timezone.utc)


def mkdocs_build(root: Path, site: Path, *, when: dt.datetime = DEMO_DATE, strict: bool = False,
                 config: str = "mkdocs.yml", env: dict | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(int(when.timestamp())), NO_MKDOCS_2_WARNING="1", **(env or {}))
    cmd = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / config), "-d", str(site)]
    if strict:
        cmd.append("--strict")
    return subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)


def tree_digest(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def build_in_process(root: Path, site: Path, monkeypatch, when: dt.datetime = DEMO_DATE) -> None:
    """`mkdocs build` in this process, dated `when`: the test's monkeypatches reach the plugin (and its forks)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(when.timestamp())))
    build(load_config(config_file=str(root / "mkdocs.yml"), site_dir=str(site)))


def clean_build_digest(root: Path, site: Path) -> dict[str, str]:
    """tree_digest of a clean build (caches off) of root into site."""
    run = mkdocs_build(root, site, env={"GONGKAI_CACHE": "0"})
    assert run.returncode == 0, run.stderr
    return tree_digest(site)

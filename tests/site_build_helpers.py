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

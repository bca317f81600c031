"""Progress of a long build: entries done and the phase, on a terminal only.

Shown when stderr is a terminal and no CI variable is set (CI logs stay quiet);
GONGKAI_PROGRESS=1 forces it on, =0 off. One line, rewritten in place, at most
a few times a second.
"""

from __future__ import annotations

import os
import sys
import time

CI_VARIABLES = ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "JENKINS_URL", "BUILDKITE", "TF_BUILD")


def wanted(stream=None) -> bool:
    forced = os.environ.get("GONGKAI_PROGRESS")
    if forced in ("0", "1"):
        return forced == "1"
    stream = stream or sys.stderr
    if any(os.environ.get(v) for v in CI_VARIABLES):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class Progress:
    def __init__(self, stream=None, enabled: bool | None = None, interval: float = 0.25):
        self.stream = stream or sys.stderr
        self.enabled = wanted(self.stream) if enabled is None else enabled
        self.interval, self.last, self.shown = interval, 0.0, False
        self.phase, self.total = "", 0

    def start(self, phase: str, total: int = 0) -> None:
        self.phase, self.total, self.last = phase, total, 0.0
        self.update(0, force=True)

    def update(self, done: int, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self.last < self.interval:
            return
        self.last = now
        count = f" {done}/{self.total}" if self.total else ""
        self.stream.write(f"\r\x1b[2Kgongkai: {self.phase}{count}")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        if self.enabled and self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.shown = False

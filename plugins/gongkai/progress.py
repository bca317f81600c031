"""Progress of a long build: entries done and the phase, on a terminal only.

Shown when stderr is a terminal and no CI variable is set (CI logs stay quiet);
GONGKAI_PROGRESS=1 forces it on, =0 off. Drawn by tqdm, a few times a second at most.
"""

from __future__ import annotations

import os
import sys

from tqdm import tqdm

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
    """A tqdm bar per phase (tqdm does the terminal work); silent when not wanted."""

    def __init__(self, stream=None, enabled: bool | None = None, interval: float = 0.25):
        self.stream = stream or sys.stderr
        self.enabled = wanted(self.stream) if enabled is None else enabled
        self.interval = interval
        self.bar = None

    def start(self, phase: str, total: int = 0) -> None:
        self.finish()
        if self.enabled:
            self.bar = tqdm(total=total or None, desc=f"gongkai: {phase}", file=self.stream, leave=False,
                            mininterval=self.interval, unit="页")

    def update(self, done: int, force: bool = False) -> None:
        if self.bar is not None:
            self.bar.update(done - self.bar.n)
            if force:
                self.bar.refresh()

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

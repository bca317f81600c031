"""A one-shot build leaves its objects to the system at exit, and exits as it would have."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
from gongkai.process_exit import leave_objects_to_the_system

class Noted:
    def __del__(self):
        print("freed", flush=True)

kept = [Noted()]
cycle = [Noted()]
cycle.append(cycle)
if sys.argv[1] == "keep":
    leave_objects_to_the_system()
sys.stdout.write("built")     # buffered: still flushed at exit
sys.exit(3)
"""


def run(mode: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "plugins"))
    return subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, env=env)


def test_objects_are_not_freed_at_exit_and_the_exit_is_unchanged():
    kept, freed = run("keep"), run("free")
    assert freed.returncode == kept.returncode == 3
    assert "freed" in freed.stdout            # without it the interpreter frees them one by one
    assert kept.stdout == "built" and kept.stderr == ""

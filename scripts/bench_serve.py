"""How long `mkdocs serve` takes to show an edit: edit one body several times, read MkDocs' own
'Documentation built in N seconds' for each rebuild, and the time from the edit to that line.

    scripts/bench_serve.py PORTAL_DIR [--edits 3] [--port 8130]

Used by bench_main.py (the 'mkdocs serve' rows of the incremental table). The body is restored after.
"""
from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from queue import Empty, Queue

BUILT = re.compile(r"(?:built|applied to the site) in ([\d.]+) seconds")   # a full rebuild, or a quick one


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_edits(portal: Path, edits: int = 3, port: int | None = None, timeout: float = 900) -> dict:
    """{'initial': s, 'built': [s per edit], 'edit_to_built': [s per edit]}."""
    mkdocs = str(Path(sys.executable).with_name("mkdocs"))
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", GONGKAI_PROGRESS="0")
    proc = subprocess.Popen([mkdocs, "serve", "-a", f"127.0.0.1:{port or free_port()}"],
                            cwd=portal, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: Queue = Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()

    def wait_for(pattern) -> tuple[re.Match, float]:
        end = time.time() + timeout
        while time.time() < end:
            try:
                line = lines.get(timeout=1)
            except Empty:
                if proc.poll() is not None:
                    break
                continue
            found = re.search(pattern, line)
            if found:
                return found, time.time()
        raise RuntimeError(f"mkdocs serve: no line matching {pattern!r}")

    body = sorted((portal / "content" / "texts").rglob("*.md"))[0]
    original = body.read_bytes()
    result = {"initial": 0.0, "built": [], "edit_to_built": []}
    try:
        found, _ = wait_for(BUILT)
        result["initial"] = float(found.group(1))
        wait_for(r"Serving on")
        for n in range(edits):
            time.sleep(2)
            edited = time.time()
            body.write_bytes(original + f"\n基准测试第{n + 1}次编辑。\n".encode("utf-8"))
            found, done = wait_for(BUILT)
            result["built"].append(float(found.group(1)))
            result["edit_to_built"].append(done - edited)
    finally:
        body.write_bytes(original)
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("portal", type=Path)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--port", type=int, default=None)
    args = parser.parse_args(argv)
    result = serve_edits(args.portal.resolve(), args.edits, args.port)
    print(f"initial build {result['initial']:.1f}s")
    for n, (built, seen) in enumerate(zip(result["built"], result["edit_to_built"]), 1):
        print(f"edit {n}: rebuilt in {built:.2f}s, {seen:.2f}s from the edit")
    print(f"median edit to rebuilt: {statistics.median(result['edit_to_built']):.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

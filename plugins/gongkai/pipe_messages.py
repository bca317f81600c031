"""The processes a build forks and talks to over pipes: values sent one pickled message at a time, whether a
pipe has something to read, and stopping a process that has nothing to finish."""
from __future__ import annotations

import os
import pickle
import select
import signal


def send(fd: int, value) -> None:
    """Write one message: its length, then its pickle."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(len(data).to_bytes(8, "little") + data)
    while view:
        view = view[os.write(fd, view):]


def receive(fd: int):
    """Read one message (EOFError when the writer closed the pipe first)."""
    size = int.from_bytes(_read_exactly(fd, 8), "little")
    return pickle.loads(_read_exactly(fd, size))


def _read_exactly(fd: int, size: int) -> bytes:
    parts = []
    while size:
        part = os.read(fd, size)
        if not part:
            raise EOFError
        parts.append(part)
        size -= len(part)
    return b"".join(parts)


def readable(fd: int, timeout: float = 0) -> bool:
    """Whether the other side has written to the pipe or closed it (waiting up to timeout seconds)."""
    return bool(select.select([fd], [], [], timeout)[0])


def stop(pid: int) -> None:
    """Kill a forked process that writes nothing worth finishing, and reap it (if not reaped already)."""
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass

"""The segmenter's dictionary, loaded in a process of its own while a rebuild loads its portal.

A rebuild after an edit segments a few texts (the edited entry's), in the child that makes the search index
beside the pages. Loading rjieba's dictionary there took 0.11 s, on the rebuild's longest path, and rjieba
holds the interpreter while it loads, so the warm-up thread overlapped nothing. Forked when the build
starts, this process loads it on the core the build's start leaves idle; the child sends it those few texts.

One client only: the child beside the pages (files_beside.py), which takes the process with take_over().
The build's own process closes its ends once that child is forked (or none will be), so the process
exits when its client does; and it exits when the build does in any case.
"""
from __future__ import annotations

import atexit
import os
import pickle
from pathlib import Path

from . import phases, search_segment
from .pipe_messages import readable, receive, send, stop
from .search_segment import DEFAULT_USER_DICT, segmenter_for

TEXTS_SENT = 200   # texts a client sends before it loads the dictionary itself (a full build segments 20,000)
PHASE = "  search: texts cut in the dictionary process"   # a count in the build's profile

_STARTED: list = []   # in the build's process: [pid, request write end, reply read end, user dict]
_CLIENT: dict = {}    # in the client: pid, fds, texts left, the dictionary's fingerprint


def start(user_dict: Path | None = DEFAULT_USER_DICT) -> bool:
    """Fork the dictionary process; True when started. Not where there is no fork, nor twice."""
    if _STARTED or not hasattr(os, "fork"):
        return False
    requests_read, requests_write = os.pipe()
    replies_read, replies_write = os.pipe()
    build = os.getpid()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(requests_write)
            os.close(replies_read)
            _serve(user_dict, requests_read, replies_write, build)
        finally:
            os._exit(0)
    os.close(requests_read)
    os.close(replies_write)
    _STARTED[:] = [pid, requests_write, replies_read, user_dict]
    atexit.register(stop, pid)   # at the build's exit: the process has nothing to finish
    return True


def take_over() -> None:
    """In the child beside the pages, just forked: this process is the dictionary process's one client."""
    if _STARTED:
        pid, requests, replies, user_dict = _STARTED
        _STARTED.clear()
        _CLIENT.update(pid=os.getpid(), requests=requests, replies=replies, left=TEXTS_SENT,
                       fingerprint=segmenter_for(user_dict).fingerprint)
        search_segment._REMOTE[:] = [cut_for_search]


def let_go() -> None:
    """In the build's process, once the child beside the pages is forked (or will not be): its ends of the
    pipes closed, so the dictionary process ends with its client."""
    if _STARTED:
        for fd in _STARTED[1:3]:
            os.close(fd)
        _STARTED.clear()


def serving() -> bool:
    """Whether this process may send texts (so need not load the dictionary meanwhile)."""
    return _CLIENT.get("pid") == os.getpid() and _CLIENT["left"] > 0


def cut_for_search(segmenter, text: str) -> list[str] | None:
    """The dictionary process's cut_for_search of text, for segmenter (whose dictionary it must have
    loaded); None when this process may not ask it (then the caller segments it itself)."""
    if not serving() or segmenter.fingerprint != _CLIENT["fingerprint"]:
        return None
    _CLIENT["left"] -= 1
    try:
        send(_CLIENT["requests"], text)
        cut = receive(_CLIENT["replies"])
    except (OSError, EOFError, pickle.UnpicklingError):
        _CLIENT["left"] = 0   # the process is gone: the dictionary is loaded here from now on
        return None
    phases.add(PHASE, 0.0, 0.0, count=1)
    return cut


def _serve(user_dict, requests: int, replies: int, build: int) -> None:
    tokenizer = segmenter_for(user_dict)._tokenizer()
    while True:
        if not readable(requests, 1.0):
            if os.getppid() != build:   # the build is gone without closing its end (killed)
                return
            continue
        try:
            text = receive(requests)
        except (EOFError, OSError, pickle.UnpicklingError):   # the client is done
            return
        send(replies, list(tokenizer.cut_for_search(text)))

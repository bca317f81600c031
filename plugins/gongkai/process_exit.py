"""Ending a one-shot build quickly.

When the interpreter ends it frees every object left, one by one: after a build of 10,000 entries that
took 0.6-0.8 s, a tenth of a rebuild, for memory the system takes back at once anyway. A `mkdocs build`
process therefore keeps its objects alive at exit: atexit handlers still run, the standard streams are
still flushed and the exit status is still MkDocs' own; only the freeing is left out.
"""

from __future__ import annotations

import atexit
import gc

_registered = False


def _keep_every_object() -> None:
    # A list that holds itself and every container the collector tracks, frozen out of the collector: the
    # teardown's clearing of modules never brings their counts to zero, and its last collection skips them.
    kept = gc.get_objects()
    kept.append(kept)
    gc.freeze()


def leave_objects_to_the_system() -> None:
    """At this process's exit, do not free the objects left (for one-shot processes only: a long-lived one,
    or a test run, would only grow). Registered once."""
    global _registered
    if not _registered:
        _registered = True
        atexit.register(_keep_every_object)

"""The output directory of a build, rewritten in place from the site before last.

Creating tens of thousands of files costs more than building most of them (0.5 ms a file on ext4 here:
10 s at 10,000 entries, and as much again to delete the old site). So the published site and a spare copy
take turns: a build writes into the spare, which holds the site of the build before last, and
- writes a file only when its bytes differ from what is there (reading and comparing is ten times cheaper
  than creating), so most of a rebuild after an edit writes nothing;
- at the end removes every file and directory it did not write.
The spare then holds exactly this build's files, whatever it held before: nothing is trusted but bytes.

A TreeMemo remembers, per file of a tree, the key of what it was built from, the key of its bytes and
its stat as written. A later build writing into the same tree skips rendering a page whose inputs have
the same key, and skips reading a file whose bytes have the same key, but only while the file's size,
mtime and inode are still those recorded: any other writer, a prune or a half-finished build shows there.
"""
from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from .deferred import Deferred
from .disk_cache import cache_enabled, key_of, load_pickle, save_pickle
from .tree_listing import TreeListing


def _holds(path, st, data: bytes) -> bool:
    """True when path, whose lstat is st, is a regular file (not a link to one) holding exactly data."""
    if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
        return False
    try:
        with open(path, "rb") as fh:
            return fh.read() == data
    except OSError:
        return False


def write_file(path: Path, data: bytes, made_dirs: set | None = None) -> tuple[bool, tuple | None]:
    """Write data to path unless it already holds exactly that: (whether written, the file's stat as the tree
    memo records it). One lstat decides; a new file's directory is made once per build (made_dirs): a page
    written into a new tree costs its directory and its file, not five more stats."""
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        st = None
    if st is not None:
        if _holds(path, st, data):
            return False, _recorded(st)
        if stat.S_ISDIR(st.st_mode):
            shutil.rmtree(path)
        elif stat.S_ISLNK(st.st_mode) or st.st_nlink > 1:
            path.unlink()   # a link, or a file shared with the other tree (clone_tree): never write through it
    else:
        parent = path.parent
        if made_dirs is None or parent not in made_dirs:
            _make_dir(parent)
            if made_dirs is not None:
                made_dirs.add(parent)
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()   # all of it in the file before its stat is taken
        written = os.fstat(fh.fileno())
    return True, _recorded(written)


def write_new_file(path: str, data: bytes, made_dirs: set) -> tuple[bool, tuple | None]:
    """write_file into a tree made empty for this build (OutputTree's fresh), where nothing is there to
    compare, remove or write through: no lstat of the file or of its directory (each failed, raising, in a
    new tree) and no Path. O_EXCL makes sure: a file there after all is left to write_file."""
    parent = os.path.dirname(path)
    if parent not in made_dirs:
        os.makedirs(parent, exist_ok=True)
        made_dirs.add(parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except FileExistsError:
        return write_file(Path(path), data)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        return True, _recorded(os.fstat(fd))
    finally:
        os.close(fd)


def write_under(root: str, rel: str, data: bytes, made_dirs: set, fresh: bool) -> tuple[bool, tuple | None]:
    """Write one file of a tree: write_new_file in a tree made empty for the build (fresh), else write_file.
    Both an OutputTree and the entry pages' workers, which write into its directory, write through this."""
    if fresh:
        return write_new_file(os.path.join(root, rel), data, made_dirs)
    return write_file(Path(root, rel), data, made_dirs)


def _make_dir(path: Path) -> None:
    """path as a real directory: a file or a link in its place is removed first (never written through)."""
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        return
    if st is not None:
        path.unlink()
    path.mkdir(parents=True, exist_ok=True)


def write_if_changed(path: Path, data: bytes, made_dirs: set | None = None) -> bool:
    """Write data to path unless it already holds exactly that; True when written."""
    return write_file(path, data, made_dirs)[0]


def ready_spare(site: Path, spare: Path, memo_dir: Path) -> bool:
    """When the spare is missing or has no memo (the first rebuild after a clean build, or after `mkdocs serve`
    built into its new directory) and the site has one, make the spare a hard-linked copy of the site; True
    when made."""
    try:
        if not site.is_dir() or not _memo_path(site, memo_dir).is_file():
            return False
        if spare.exists() and _memo_path(spare, memo_dir).is_file():
            return False
        shutil.rmtree(spare, ignore_errors=True)
        return clone_tree(site, spare, memo_dir)
    except OSError:   # the site went meanwhile (serve's directory at exit), or the disk refused: no spare made
        return False


def list_spare(spare: Path, memo_dir: Path) -> TreeListing | None:
    """Start listing the spare for the build's prune (tree_listing.py), as the build starts: when it has a
    memo, the spare is the tree the build writes into, as it is (ready_spare leaves it)."""
    try:
        if not spare.is_dir() or not _memo_path(spare, memo_dir).is_file():
            return None
        return TreeListing.start(spare, _memo_path(spare, memo_dir))
    except OSError:
        return None


def _link_tree(source: str, target: str) -> None:
    """Directories made, files hard-linked, links copied as links: shutil.copytree took 3.6 s of CPU at 10,000
    entries (a copystat per directory, Path objects), this a fraction of it."""
    os.mkdir(target)
    with os.scandir(source) as listing:
        found = list(listing)
    for entry in found:
        made = os.path.join(target, entry.name)
        if entry.is_symlink():
            os.symlink(os.readlink(entry.path), made)
        elif entry.is_dir(follow_symlinks=False):
            _link_tree(entry.path, made)
        else:
            os.link(entry.path, made, follow_symlinks=False)


def _memo_path(root: Path, memo_dir: Path) -> Path:
    st = os.stat(root)
    return Path(memo_dir) / f"tree-{st.st_dev}-{st.st_ino}.pickle"


def clone_tree(source: Path, target: Path, memo_dir: Path) -> bool:
    """Make target (absent) a copy of source whose files are hard links to source's, with source's memo, so
    a build into it rewrites only what changed (write_if_changed breaks a link before writing). Without it,
    the first rebuild after a clean build, and the first after `mkdocs serve` started, created every file
    again (20 s at 10,000 entries). False, and nothing made, where links cannot be made."""
    making = target.with_name(target.name + ".cloning")
    shutil.rmtree(making, ignore_errors=True)
    try:
        _link_tree(str(source), str(making))
    except OSError:
        shutil.rmtree(making, ignore_errors=True)
        return False
    making.rename(target)
    memo = TreeMemo(target, memo_dir)
    memo.new = dict(TreeMemo(source, memo_dir).old)   # the same files, the same stats: the same records
    memo.save()
    return True


def stat_of(path: str) -> tuple | None:
    """What a tree memo records of a file's stat (None: not a regular file, or none there)."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return _recorded(st) if stat.S_ISREG(st.st_mode) else None


def _recorded(st) -> tuple:
    """What the memo keeps of a file's stat: a file anyone rewrote since differs in one of these."""
    return st.st_size, st.st_mtime_ns, st.st_ino


_NOTE = "\x00note:"    # notes share the records' dict under names no file path has


def file_records(memo_path: Path) -> dict[str, tuple]:
    """The records of files a tree's memo file holds (its notes left out)."""
    return {name: record for name, record in load_pickle(memo_path).items() if not name.startswith(_NOTE)}


def as_recorded(path: str, record: tuple) -> bool:
    """Whether the file at path is as a tree memo's record of it says (its stat unchanged)."""
    return stat_of(path) == record[2]


def keeps_page_keys(memo: "TreeMemo | None") -> bool:
    """Whether anything keeps a key of a page's bytes: the tree's memo, kept for the next build, or the link
    check's caches, on with every cache. With all of them off (a CI build), pages need not be hashed."""
    return cache_enabled() or (memo is not None and memo.persistent)


class TreeMemo:
    """Per file of one output tree: (input key, bytes key, stat as written). Kept under the portal's
    cache directory, named by the tree's device and inode, which survive the renames of a publish."""

    def __init__(self, root: Path, cache_dir: Path | None):
        self.root = str(root)
        # a file's path is this and its name, joined as text: a rebuild looks at every unchanged page through it
        self._under = os.path.join(self.root, "")
        self.path = None
        self.old: dict[str, tuple] = {}
        self.new: dict[str, tuple] = {}
        # the recorded files found missing or not as recorded by a look at all of them before the build wrote
        # (tree_listing.py): the others are untouched without a look of their own. None: look at each.
        self.touched: set[str] | None = None
        if cache_dir is not None:
            self.path = _memo_path(Path(root), cache_dir)
            self.old = load_pickle(self.path)

    @property
    def persistent(self) -> bool:
        """Whether the memo is kept for the next build (else its records, and the keys in them, go unused)."""
        return self.path is not None

    def view(self) -> "TreeMemo":
        """The same records to look up, with records of its own (one per worker chunk)."""
        child = TreeMemo(self.root, None)
        child.old, child.touched = self.old, self.touched
        return child

    def fresh(self, rel: str, input_key: bytes) -> bytes | None:
        """The bytes key of rel when it was built from input_key and is untouched since; else None."""
        record = self.old.get(rel)
        if record is None or record[0] != input_key or not self._untouched(rel, record):
            return None
        self.new[rel] = record
        return record[1]

    def unchanged(self, rel: str) -> bytes | None:
        """The bytes key of rel when it is untouched since this memo's build, whatever it was built from
        (for a caller that knows its inputs are those of that build: see note); else None."""
        record = self.old.get(rel)
        if record is None or not self._untouched(rel, record):
            return None
        self.new[rel] = record
        return record[1]

    def _untouched(self, rel: str, record: tuple) -> bool:
        """Whether rel's file is as its record says: by the lister's looks when taken (see touched; a file this
        build wrote is looked at again), else by its stat."""
        if self.touched is not None and rel not in self.new:
            return rel not in self.touched
        return as_recorded(self._under + rel, record)

    def note(self, name: str, value) -> None:
        """Keep a value with this build's records (saved and loaded with them, so it describes exactly them)."""
        self.new[_NOTE + name] = value

    def noted(self, name: str):
        """What the build that made the loaded records noted under name (None: nothing)."""
        return self.old.get(_NOTE + name)

    def record(self, rel: str, input_key: bytes, bytes_key: bytes, now: tuple | None = None) -> None:
        """rel now holds bytes with bytes_key, built from input_key (now: its stat, when the writer has it)."""
        now = now or stat_of(self._under + rel)
        if now is not None:
            self.new[rel] = (input_key, bytes_key, now)

    def merge(self, records: dict) -> None:
        self.new.update(records)

    def save(self) -> None:
        if self.path is not None:
            save_pickle(self.path, self.new, fast=True)   # records and notes: tuples and dicts, no cycles


OTHER_TREES_KEPT = 4   # memos of other trees kept besides this build's two: a site built elsewhere, serve's


def forget_other_trees(cache_dir: Path, roots: list[Path]) -> None:
    """Remove the memos of trees other than roots (old `mkdocs serve` directories, deleted sites), but for
    the most recently written few: `mkdocs build` and `mkdocs serve` take turns on one portal."""
    keep = set()
    for root in roots:
        try:
            st = os.stat(root)
        except OSError:
            continue
        keep.add(f"tree-{st.st_dev}-{st.st_ino}.pickle")
    others = []
    for path in Path(cache_dir).glob("tree-*.pickle"):
        if path.name not in keep:
            try:
                others.append((path.stat().st_mtime_ns, path))
            except OSError:
                continue
    for _mtime, path in sorted(others, reverse=True)[OTHER_TREES_KEPT:]:
        path.unlink(missing_ok=True)


def _prefix(dirpath: str, root: str) -> str:
    """'' for root, else dirpath relative to root with '/' and a trailing '/' (os.walk gives dirpath as
    root joined with names, so slicing is exact; relpath cost a getcwd per directory)."""
    if dirpath == root:
        return ""
    return dirpath[len(os.path.join(root, "")):].replace(os.sep, "/") + "/"


class OutputTree:
    """A directory whose final content is exactly the files written to it during one build."""

    def __init__(self, root: Path, memo_dir: Path | None = None, fresh: bool = False):
        """fresh: root was made empty for this build, so every file in it is one this build writes and
        keeps: there is nothing to prune (a walk of 15,000 directories at 10,000 entries)."""
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.fresh = fresh
        self.root_text = str(self.root)
        self.memo = TreeMemo(self.root, memo_dir)
        self.keyed = keeps_page_keys(self.memo)   # whether a file's bytes are named by their key (see write)
        self.kept: set[str] = set()
        self.made_dirs: set = set()   # directories made: as text in a fresh tree (write_new_file), else Paths
        self.written = 0
        self.page_keys: dict[str, bytes] = {}   # key_of the bytes of each HTML page (for the link check)
        self.listing: TreeListing | None = None   # the tree listed as the build started (list_spare)
        self._listed: tuple | None = None
        self.pruned_from_listing = False

    def write(self, rel: str, data: bytes | Deferred) -> None:
        """Write bytes, or deferred bytes by their key (made only when the file is not already theirs)."""
        self.kept.add(rel)
        keyed = self.keyed
        input_key = data.key if isinstance(data, Deferred) else key_of(data) if keyed else None
        known = self.memo.fresh(rel, input_key)
        if known is None:
            if isinstance(data, Deferred):
                data = data.produce()
                known = key_of(data) if keyed else None
            else:
                known = input_key
            written, now = self._put(rel, data)
            if written:
                self.written += 1
            self.memo.record(rel, input_key, known, now)
        if rel.endswith(".html") and known is not None:
            self.page_keys[rel] = known

    def _put(self, rel: str, data: bytes) -> tuple[bool, tuple | None]:
        """Write one file under root (write_under): the one place a tree writes, which a writer that keeps what
        it replaced (quick_rebuild) extends."""
        return write_under(self.root_text, rel, data, self.made_dirs, self.fresh)

    def keep_noted(self, name: str, key: bytes, frame_key) -> bool:
        """When this tree's last build noted files under name with this key (see note_files), each with the
        frame_key(file) it has now, and each is untouched since: keep them all, as if written, and True."""
        noted = self.memo.noted(name)
        if not noted or noted[0] != key:
            return False
        known = {}
        for rel, frame in noted[1].items():
            if frame_key(rel) != frame:
                return False
            known[rel] = self.memo.unchanged(rel)
            if known[rel] is None:
                return False
        self.kept.update(known)
        self.page_keys.update((rel, bytes_key) for rel, bytes_key in known.items() if rel.endswith(".html"))
        self.memo.note(name, noted)
        return True

    def note_files(self, name: str, key: bytes, frames: dict[str, bytes]) -> None:
        """These files, just written with their frames' keys, are all that inputs named by key make."""
        self.memo.note(name, (key, {rel: frame for rel, frame in frames.items() if rel in self.memo.new}))

    def keep(self, rels, page_keys: dict[str, bytes] | None = None, memo: dict | None = None,
             unrecorded=None) -> None:
        """Files written by other processes (with write_if_changed) into this tree, with the keys of their
        pages' bytes when known and their memo records. With `unrecorded` (the files among them that have
        no record), `memo` holds only the records that are not the loaded ones: the others keep theirs."""
        self.kept.update(rels)
        if page_keys:
            self.page_keys.update(page_keys)
        if memo:
            self.memo.merge(memo)
        if unrecorded is not None:
            old, skip = self.memo.old, set(unrecorded)
            memo = memo or {}
            self.memo.merge({rel: old[rel] for rel in rels if rel not in memo and rel not in skip and rel in old})

    def adopt(self, other: Path, skip=lambda rel: False) -> None:
        """Take the files of another directory (MkDocs' own output) as if written here, but for those this
        build wrote already (ours replace MkDocs' sitemap.xml, for one) and those skip() names."""
        other = str(other)
        for dirpath, _dirs, files in os.walk(other):
            prefix = _prefix(dirpath, other)
            for name in files:
                if prefix + name not in self.kept and not skip(prefix + name):
                    with open(os.path.join(dirpath, name), "rb") as fh:
                        self.write(prefix + name, fh.read())

    def prune(self, leave: tuple[str, ...] = (), only: str | None = None) -> int:
        """Remove every file not written in this build, then every directory left empty; returns files removed.
        leave: top-level directories not to look into (files are still being written there); only: the
        top-level directory to prune alone (one left before, once its files are written)."""
        if self.fresh:
            return 0
        self.take_listing(listed=True)
        if self._listed is not None:
            self.pruned_from_listing = True
            return self._prune_listed(*self._listed, leave, only)
        if only is None:
            return self._prune(str(self.root), "", leave)[0]
        path = os.path.join(str(self.root), only)
        if not os.path.isdir(path) or os.path.islink(path):
            return 0
        removed, empty = self._prune(path, only + "/")
        if empty:
            os.rmdir(path)
        return removed

    def take_listing(self, listed: bool = False, wait: bool = False) -> None:
        """Take the lister's looks at the tree's recorded files (list_spare) when it has sent them (or wait
        for them), and with `listed` its listing too: before this build writes, the memo then takes the
        files untouched by those looks as untouched, with no look of its own (only this build writes into
        the tree, and it looks at a file before it writes it); the prune works from the listing. A listing
        not there yet when the prune comes is not waited for (the lister runs at a low priority, and may
        not have had a core): the prune walks the tree itself."""
        if self.listing is None or not (wait or self.listing.ready()):
            if listed and self.listing is not None:
                self.listing.discard()
                self.listing = None
            return
        if not self.kept and self.memo.persistent and self.memo.touched is None:   # nothing written yet
            self.memo.touched = self.listing.looks()   # (the lister's first message: its looks stand)
        if listed:
            self._listed = self.listing.result((name for name in self.memo.old if not name.startswith(_NOTE)), wait)
            self.listing = None

    def _prune_listed(self, names: set[str], empty_dirs: list[str], leave: tuple[str, ...], only: str | None) -> int:
        """prune, from the tree as listed when the build started (tree_listing.py) rather than walked: every
        file not written in this build was there then. A listed file the build replaced by a directory, or
        removed, is passed over."""
        if only is not None:
            def ours(rel: str) -> bool:
                return rel.startswith(only + "/")

            def ours_dir(rel: str) -> bool:
                return rel == only or rel.startswith(only + "/")
        else:
            def ours(rel: str) -> bool:
                return not leave or "/" not in rel or rel.partition("/")[0] not in leave

            def ours_dir(rel: str) -> bool:
                return rel.partition("/")[0] not in leave
        root = os.path.join(self.root_text, "")
        removed = 0
        emptied: dict[int, set[str]] = {}   # directories to remove when empty, by depth
        for rel in sorted(names - self.kept):
            if not ours(rel):
                continue
            try:
                os.unlink(root + rel)
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                continue
            except PermissionError:   # where unlinking a directory is refused so (not Linux)
                if os.path.isdir(root + rel) and not os.path.islink(root + rel):
                    continue
                raise
            removed += 1
            parent = rel.rpartition("/")[0]
            if parent:
                emptied.setdefault(parent.count("/"), set()).add(parent)
        for rel in empty_dirs:
            if ours_dir(rel):
                emptied.setdefault(rel.count("/"), set()).add(rel)
        for depth in range(max(emptied, default=-1), -1, -1):
            for rel in sorted(emptied.get(depth, ())):
                try:
                    os.rmdir(root + rel)
                except OSError:   # not empty: the build wrote into it, or other files are left
                    continue
                parent = rel.rpartition("/")[0]
                if parent and ours_dir(parent):
                    emptied.setdefault(depth - 1, set()).add(parent)
        return removed

    def _prune(self, path: str, prefix: str, leave: tuple[str, ...] = ()) -> tuple[int, bool]:
        """(files removed, whether the directory is empty now). Only directories seen empty are removed:
        trying rmdir on every one cost a failing system call per entry page."""
        removed = left = 0
        with os.scandir(path) as listing:
            found = list(listing)
        for entry in found:
            if entry.name in leave and entry.is_dir(follow_symlinks=False):
                left += 1
            elif entry.is_dir(follow_symlinks=False):
                count, empty = self._prune(entry.path, prefix + entry.name + "/")
                removed += count
                if empty:
                    os.rmdir(entry.path)
                else:
                    left += 1
            elif prefix + entry.name in self.kept and not (entry.is_symlink() and entry.is_dir()):
                left += 1
            else:
                os.unlink(entry.path)
                removed += 1
        return removed, left == 0

"""The output tree ends a build holding exactly the files written in it, whatever it held before, and does not
rewrite a file whose bytes are unchanged."""
import os

from gongkai.output_tree import OutputTree, ready_spare, write_if_changed


def files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_tree_holds_exactly_what_was_written(tmp_path):
    root = tmp_path / "tree"
    (root / "old" / "deep").mkdir(parents=True)
    (root / "old" / "deep" / "gone.html").write_text("stale")
    (root / "same.html").write_text("same")
    (root / "changed.html").write_text("before")
    (root / "a").write_text("a file where a directory must go")
    (root / "b" / "c").mkdir(parents=True)            # a directory where a file must go
    (root / "elsewhere.txt").write_text("same")
    os.symlink(root / "elsewhere.txt", root / "linked.html")
    same_inode = (root / "same.html").stat().st_ino

    tree = OutputTree(root)
    tree.write("same.html", b"same")
    tree.write("changed.html", b"after")
    tree.write("a/index.html", b"page")
    tree.write("b", b"file")
    tree.write("linked.html", b"same")
    tree.write("new/index.html", b"new")
    tree.prune()

    assert files(root) == {"same.html": b"same", "changed.html": b"after", "a/index.html": b"page", "b": b"file",
                           "linked.html": b"same", "new/index.html": b"new"}
    assert not (root / "linked.html").is_symlink()
    assert not (root / "old").exists()
    assert (root / "same.html").stat().st_ino == same_inode   # not rewritten
    assert tree.written == 5


def test_a_fresh_tree_is_not_walked_for_stale_files(tmp_path, monkeypatch):
    """A tree made empty for the build (caches off) holds only what the build wrote: pruning it would walk
    every directory for nothing. (A writer that did not register its file would show in the tests that
    compare cache-on builds, which do prune, with clean ones.)"""
    from gongkai import output_tree
    tree = OutputTree(tmp_path / "new", fresh=True)
    tree.write("a/index.html", b"page")
    walked, scandir = [], os.scandir
    monkeypatch.setattr(output_tree.os, "scandir", lambda path: walked.append(path) or scandir(path))
    assert tree.prune() == 0 and tree.prune(only="a") == 0
    assert walked == []
    monkeypatch.undo()
    assert files(tmp_path / "new") == {"a/index.html": b"page"}


def test_adopt_takes_another_directorys_files(tmp_path):
    other = tmp_path / "mkdocs"
    (other / "assets").mkdir(parents=True)
    (other / "assets" / "x.css").write_text("css")
    (other / "index.html").write_text("home")
    (other / "sitemap.xml").write_text("mkdocs' own")
    tree = OutputTree(tmp_path / "tree")
    (tmp_path / "tree" / "leftover.html").write_text("old")
    tree.write("sitemap.xml", b"ours")
    tree.adopt(other)
    tree.prune()
    assert files(tmp_path / "tree") == {"assets/x.css": b"css", "index.html": b"home", "sitemap.xml": b"ours"}


def test_write_if_changed_reports_writes(tmp_path):
    target = tmp_path / "x" / "y.html"
    assert write_if_changed(target, b"one") is True
    assert write_if_changed(target, b"one") is False
    assert write_if_changed(target, b"two") is True and target.read_bytes() == b"two"


def test_memo_trusts_a_file_only_while_it_is_as_written(tmp_path):
    from gongkai.output_tree import TreeMemo
    root, memo_dir = tmp_path / "tree", tmp_path / "cache"
    first = OutputTree(root, memo_dir)
    first.write("a.html", b"<p>a</p>")
    first.write("b.html", b"<p>b</p>")
    first.write("c.html", b"<p>c</p>")
    first.memo.save()

    memo = TreeMemo(root, memo_dir)
    key_a = first.memo.new["a.html"][1]
    assert memo.fresh("a.html", key_a) == key_a
    assert memo.fresh("a.html", b"other inputs") is None
    (root / "b.html").write_bytes(b"<p>B</p>")            # same size, another writer
    assert memo.fresh("b.html", first.memo.new["b.html"][0]) is None
    (root / "c.html").unlink()
    assert memo.fresh("c.html", first.memo.new["c.html"][0]) is None
    assert TreeMemo(tmp_path / "cache", memo_dir).fresh("a.html", key_a) is None   # another tree's memo

    second = OutputTree(root, memo_dir)
    second.write("b.html", b"<p>b</p>")                   # the memo does not hide the foreign edit
    assert (root / "b.html").read_bytes() == b"<p>b</p>"


def test_memos_of_other_trees_are_kept_but_for_the_oldest(tmp_path):
    import time
    from gongkai.output_tree import OTHER_TREES_KEPT, forget_other_trees
    memo_dir = tmp_path / "cache"
    trees = []
    for n in range(OTHER_TREES_KEPT + 3):
        tree = OutputTree(tmp_path / f"t{n}", memo_dir)
        tree.write("a.html", b"a")
        tree.memo.save()
        trees.append(tree)
        time.sleep(0.01)
    forget_other_trees(memo_dir, [tmp_path / "t0", tmp_path / "t1"])
    left = {p.name for p in memo_dir.glob("tree-*.pickle")}
    assert trees[0].memo.path.name in left and trees[1].memo.path.name in left      # this build's two
    assert {t.memo.path.name for t in trees[-OTHER_TREES_KEPT:]} <= left             # the newest others
    assert trees[2].memo.path.name not in left and len(left) == 2 + OTHER_TREES_KEPT


def test_write_if_changed_never_writes_through_a_hard_link(tmp_path):
    site, spare = tmp_path / "site.html", tmp_path / "spare.html"
    site.write_bytes(b"published")
    os.link(site, spare)
    assert write_if_changed(spare, b"rebuilt")
    assert site.read_bytes() == b"published" and spare.read_bytes() == b"rebuilt"
    assert os.stat(site).st_nlink == 1


def test_a_missing_spare_is_made_from_the_site_with_its_memo(tmp_path):
    memo_dir = tmp_path / "memo"
    site, spare = tmp_path / "site", tmp_path / "site.spare"
    tree = OutputTree(site, memo_dir)
    tree.write("a/index.html", b"<p>a</p>")
    tree.write("b.txt", b"b")
    tree.memo.save()
    assert ready_spare(site, spare, memo_dir)
    assert not ready_spare(site, spare, memo_dir)            # there now, with its memo: kept as it is
    rebuilt = OutputTree(spare, memo_dir)
    assert rebuilt.memo.fresh("a/index.html", tree.memo.new["a/index.html"][0]) is not None   # nothing to render
    rebuilt.write("a/index.html", b"<p>a, edited</p>")
    rebuilt.write("b.txt", b"b")
    rebuilt.prune()
    assert (site / "a" / "index.html").read_bytes() == b"<p>a</p>"    # the site is untouched
    assert (spare / "a" / "index.html").read_bytes() == b"<p>a, edited</p>"
    assert os.stat(spare / "b.txt").st_ino == os.stat(site / "b.txt").st_ino   # unchanged: still shared


def test_no_spare_is_made_from_a_site_without_a_memo(tmp_path):
    site = tmp_path / "site"
    OutputTree(site, None).write("x.txt", b"x")
    assert not ready_spare(site, tmp_path / "spare", tmp_path / "memo")
    assert not (tmp_path / "spare").exists()


def test_a_spare_that_cannot_be_made_is_left_to_the_build(tmp_path, monkeypatch):
    from gongkai import output_tree
    memo_dir = tmp_path / "memo"
    tree = OutputTree(tmp_path / "site", memo_dir)
    tree.write("a.txt", b"a")
    tree.memo.save()

    def refused(*args):
        raise PermissionError("no links here")
    monkeypatch.setattr(output_tree, "_link_tree", refused)
    assert not ready_spare(tmp_path / "site", tmp_path / "spare", memo_dir)
    assert not (tmp_path / "spare").exists() and not list(tmp_path.glob("*.cloning"))
    monkeypatch.setattr(output_tree, "clone_tree", refused)
    assert not ready_spare(tmp_path / "site", tmp_path / "spare", memo_dir)   # no traceback from a thread


def test_write_file_gives_the_stat_the_memo_checks_and_never_writes_through_links(tmp_path):
    from gongkai.output_tree import stat_of, write_file
    page = tmp_path / "site" / "a" / "index.html"
    for data in (b"first", b"first", b"second, longer"):   # new, unchanged, rewritten
        _written, now = write_file(page, data, set())
        assert now == stat_of(str(page)) and page.read_bytes() == data
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "site" / "b").symlink_to(elsewhere, target_is_directory=True)
    (tmp_path / "site" / "c").write_bytes(b"a file where a directory goes")
    for name in ("b", "c"):
        assert write_file(tmp_path / "site" / name / "index.html", b"page", set())[0]
        assert (tmp_path / "site" / name).is_dir() and not (tmp_path / "site" / name).is_symlink()
    assert list(elsewhere.iterdir()) == []


def test_a_tree_made_empty_for_the_build_writes_its_files_without_a_stat(tmp_path, monkeypatch):
    """Nothing is in a fresh tree to compare, remove or write through: its files are created (O_EXCL) in
    directories made once, with no lstat; the memo's record is the written file's stat."""
    import os
    from gongkai import output_tree
    tree = OutputTree(tmp_path / "new", fresh=True)

    def no_lstat(path, *args, **kwargs):
        raise AssertionError(f"lstat of {path}")
    monkeypatch.setattr(output_tree.os, "lstat", no_lstat)
    for rel in ("xxgk/a/index.html", "xxgk/b/index.html", "search/t/0/1.js"):
        tree.write(rel, rel.encode("utf-8"))
    monkeypatch.undo()
    assert sorted(p.relative_to(tree.root).as_posix() for p in tree.root.rglob("*") if p.is_file()) == \
        ["search/t/0/1.js", "xxgk/a/index.html", "xxgk/b/index.html"]
    assert (tree.root / "xxgk/b/index.html").read_bytes() == b"xxgk/b/index.html"
    written, now = output_tree.write_new_file(os.path.join(tree.root, "c.txt"), b"c", set())
    assert written and now == output_tree.stat_of(os.path.join(tree.root, "c.txt"))


def test_a_file_already_in_a_fresh_tree_is_written_as_any_tree_writes_it(tmp_path):
    """A link where a fresh tree's file goes is replaced by a file, never written through."""
    import os
    from gongkai import output_tree
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"keep")
    root = tmp_path / "new"
    root.mkdir()
    os.symlink(outside, root / "a.txt")
    written, _now = output_tree.write_new_file(str(root / "a.txt"), b"new", set())
    assert written and outside.read_bytes() == b"keep" and (root / "a.txt").read_bytes() == b"new"
    assert not (root / "a.txt").is_symlink()


def _strays_and_last_build(root, memo_dir):
    """A tree whose last build wrote kept/* and old/*, and into which someone else put strays since."""
    last = OutputTree(root, memo_dir)
    for rel in ("kept/a.html", "kept/b.html", "old/deep/gone.html", "search/x.js", "search/stale.js", "a"):
        last.write(rel, rel.encode("utf-8"))
    last.memo.save()
    (root / "stray" / "deeper").mkdir(parents=True)
    (root / "stray" / "deeper" / "s.html").write_text("stray")
    (root / "empty" / "too").mkdir(parents=True)
    (root / "b" / "c").mkdir(parents=True)            # a directory where a file must go
    (root / "kept" / "elsewhere.txt").write_text("same")
    os.symlink(root / "kept" / "elsewhere.txt", root / "kept" / "linked.html")
    os.symlink(root / "kept", root / "dirlink")
    (root / "search" / "stray.js").write_text("stray")


def _second_build(tree):
    tree.write("kept/a.html", b"kept/a.html")          # unchanged
    tree.write("kept/b.html", b"changed")
    tree.write("kept/linked.html", b"same")
    tree.write("a/index.html", b"page")                # a file where a directory must go
    tree.write("b", b"file")
    tree.write("new/index.html", b"new")


def test_a_listing_taken_as_the_build_starts_prunes_as_the_walk_does(tmp_path, monkeypatch):
    """The tree listed by a process forked before the build writes (tree_listing.py): stale files and strays
    go, and the directories they leave empty, with no walk of the tree at the end; what the build replaced
    meanwhile (a listed file now a directory, a listed directory now a file) is passed over."""
    from gongkai import output_tree
    from gongkai.output_tree import list_spare
    results = {}
    for listed in (False, True):
        root, memo_dir = tmp_path / f"tree-{listed}", tmp_path / "memo"
        _strays_and_last_build(root, memo_dir)
        tree = OutputTree(root, memo_dir)
        tree.listing = list_spare(root, memo_dir) if listed else None
        _second_build(tree)
        tree.write("search/x.js", b"search/x.js")
        if listed:
            assert tree.listing is not None
            tree.take_listing(listed=True, wait=True)   # a build's prune takes it when it is there
            monkeypatch.setattr(output_tree.os, "scandir", lambda path: (_ for _ in ()).throw(AssertionError("walked")))
        removed = tree.prune(leave=("search",))
        assert (root / "search" / "stale.js").exists() and (root / "search" / "stray.js").exists()
        removed += tree.prune(only="search")
        monkeypatch.undo()
        results[listed] = removed, files(root), sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))
        assert not (root / "kept" / "linked.html").is_symlink() and not (root / "dirlink").exists()
    assert results[True] == results[False]
    assert results[True][1] == {"kept/a.html": b"kept/a.html", "kept/b.html": b"changed", "kept/linked.html": b"same",
                                "a/index.html": b"page", "b": b"file", "new/index.html": b"new",
                                "search/x.js": b"search/x.js"}
    assert results[True][2] == ["a", "a/index.html", "b", "kept", "kept/a.html", "kept/b.html", "kept/linked.html",
                                "new", "new/index.html", "search", "search/x.js"]


def test_a_listing_that_failed_leaves_the_prune_to_walk(tmp_path, monkeypatch):
    from gongkai import tree_listing
    from gongkai.output_tree import list_spare
    root, memo_dir = tmp_path / "tree", tmp_path / "memo"
    _strays_and_last_build(root, memo_dir)
    monkeypatch.setattr(tree_listing, "list_tree", lambda root: 1 / 0)   # the lister fails, after its looks
    tree = OutputTree(root, memo_dir)
    tree.listing = list_spare(root, memo_dir)
    monkeypatch.undo()
    _second_build(tree)
    tree.write("search/x.js", b"search/x.js")
    tree.prune()
    assert sorted(files(root)) == ["a/index.html", "b", "kept/a.html", "kept/b.html", "kept/linked.html",
                                   "new/index.html", "search/x.js"]


def test_a_listing_not_taken_is_stopped(tmp_path):
    """A build that fails before its prune leaves no lister behind, waiting to write to its pipe."""
    from gongkai.tree_listing import TreeListing
    root = tmp_path / "tree"
    for n in range(3000):   # a listing larger than a pipe holds: the lister blocks until read
        (root / f"d{n}").mkdir(parents=True)
        (root / f"d{n}" / "file-with-a-long-name.html").write_text("x")
    listing = TreeListing.start(root, tmp_path / "no-memo.pickle")
    listing.discard()
    try:
        os.waitpid(listing.pid, os.WNOHANG)
        raise AssertionError("the lister was not reaped")
    except ChildProcessError:
        pass
    assert listing.result([]) is None


def test_no_listing_of_a_spare_without_a_memo(tmp_path):
    from gongkai.output_tree import list_spare
    root = tmp_path / "spare"
    OutputTree(root, None).write("x.txt", b"x")
    assert list_spare(root, tmp_path / "memo") is None
    assert list_spare(tmp_path / "missing", tmp_path / "memo") is None


def test_a_tree_memo_is_saved_without_pickles_memo_and_loads_the_same(tmp_path, monkeypatch):
    """27,000 records and notes of tuples and dicts, no cycles: pickled without the memo of objects written
    (six times quicker at the end of every build), they load as they were."""
    import pickle

    from gongkai import disk_cache
    from gongkai.output_tree import TreeMemo
    memo_dir = tmp_path / "cache"
    tree = OutputTree(tmp_path / "tree", memo_dir)
    frame = b"frame key shared by every page"
    for n in range(50):
        tree.write(f"p{n}/index.html", f"<p>{n}</p>".encode())
        tree.memo.note(f"page {n}", (frame, {"lookups": n}))
    fast = []
    pickler = pickle.Pickler

    class Watched(pickler):
        def dump(self, value):
            fast.append(self.fast)
            return super().dump(value)
    monkeypatch.setattr(disk_cache.pickle, "Pickler", Watched)
    tree.memo.save()
    monkeypatch.undo()
    assert fast == [True]
    assert TreeMemo(tmp_path / "tree", memo_dir).old == tree.memo.new


def test_a_listing_taken_before_the_build_writes_stands_for_its_looks_at_each_file(tmp_path, monkeypatch):
    """The lister looks at every recorded file as the build starts (tree_listing.py); taken before the build
    writes, its looks stand: a file as recorded is kept with no lstat of its own, one changed or gone since
    the last build is not, and a file the build wrote is looked at again."""
    from gongkai import output_tree
    from gongkai.output_tree import list_spare
    root, memo_dir = tmp_path / "tree", tmp_path / "memo"
    last = OutputTree(root, memo_dir)
    for name in ("a", "b", "c"):
        last.write(f"{name}.html", f"<p>{name}</p>".encode())
    last.memo.save()
    (root / "b.html").write_bytes(b"<p>B</p>")   # same size, another writer
    (root / "c.html").unlink()
    keys = {rel: record[0] for rel, record in last.memo.new.items()}

    tree = OutputTree(root, memo_dir)
    tree.listing = list_spare(root, memo_dir)
    tree.take_listing(wait=True)
    assert tree.memo.touched == {"b.html", "c.html"}
    looked = []
    lstat = os.lstat
    monkeypatch.setattr(output_tree.os, "lstat", lambda path: looked.append(path) or lstat(path))
    assert tree.memo.fresh("a.html", keys["a.html"]) is not None and looked == []
    assert tree.memo.fresh("b.html", keys["b.html"]) is None and tree.memo.fresh("c.html", keys["c.html"]) is None
    tree.write("b.html", b"<p>b</p>")
    looked.clear()
    assert tree.memo.unchanged("b.html") is None and looked   # written by this build: looked at again


def test_a_listing_taken_after_the_build_wrote_is_used_for_the_prune_alone(tmp_path):
    from gongkai.output_tree import list_spare
    root, memo_dir = tmp_path / "tree", tmp_path / "memo"
    last = OutputTree(root, memo_dir)
    last.write("a.html", b"a")
    last.memo.save()
    tree = OutputTree(root, memo_dir)
    tree.listing = list_spare(root, memo_dir)
    tree.write("new.html", b"new")
    tree.take_listing(wait=True)
    assert tree.memo.touched is None and tree.prune() == 1


def test_a_listing_not_there_at_the_prune_is_not_waited_for(tmp_path, monkeypatch):
    """The lister runs at a low priority: when its listing has not come by the prune, the prune walks the
    tree itself (as it did before there was a lister), and the lister is stopped."""
    import time

    from gongkai import tree_listing
    from gongkai.output_tree import list_spare
    root, memo_dir = tmp_path / "tree", tmp_path / "memo"
    _strays_and_last_build(root, memo_dir)
    list_tree = tree_listing.list_tree
    monkeypatch.setattr(tree_listing, "list_tree", lambda root: time.sleep(30) or list_tree(root))   # a slow lister
    tree = OutputTree(root, memo_dir)
    tree.listing = listing = list_spare(root, memo_dir)
    monkeypatch.undo()
    tree.take_listing(wait=True)   # its looks come first, and stand
    assert tree.memo.touched is not None
    _second_build(tree)
    tree.write("search/x.js", b"search/x.js")
    started = time.perf_counter()
    tree.prune()
    assert time.perf_counter() - started < 10 and not tree.pruned_from_listing
    assert sorted(files(root)) == ["a/index.html", "b", "kept/a.html", "kept/b.html", "kept/linked.html",
                                   "new/index.html", "search/x.js"]
    try:
        os.waitpid(listing.pid, os.WNOHANG)
        raise AssertionError("the lister was not stopped")
    except ChildProcessError:
        pass

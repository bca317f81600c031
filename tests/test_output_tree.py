"""The output tree ends a build holding exactly the files written in it, whatever it held before, and does not
rewrite a file whose bytes are unchanged."""
import os

from gongkai.output_tree import OutputTree, write_if_changed


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

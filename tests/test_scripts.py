"""The helper scripts at least start: they compile on this Python and answer --help."""

import py_compile
import subprocess
import sys

import pytest

from portal_factory import REPO

SCRIPTS = sorted((REPO / "scripts").glob("*.py"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_compiles(script, tmp_path):
    py_compile.compile(str(script), cfile=str(tmp_path / "out.pyc"), doraise=True)


@pytest.mark.parametrize("name", ["generate_corpus.py", "bench_main.py", "bench_listings.py", "bench_search.py", "bench_serve.py"])
def test_script_help(name):
    run = subprocess.run([sys.executable, str(REPO / "scripts" / name), "--help"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "usage" in run.stdout.lower()

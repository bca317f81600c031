#!/usr/bin/env python3
"""Scale benchmark of a full build: time, peak memory, page sizes, list-item renders.

    python scripts/bench_listings.py --sizes 1000 10000 100000 [--work /tmp/gk-bench] [--no-link-check]

For each size it generates a synthetic portal (scripts/generate_corpus.py, seed 1; reused
when already there), builds it with `mkdocs build` in a fresh process, and reports:
build seconds, peak RSS, entry and listing page sizes (median entry page; a column's
page 2; a catalogue facet's page 2), how many list items were rendered against the
number of public entries (must be equal: each rendered once), and ratios to the smallest size.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, {plugins!r})
from gongkai import listing
renders = {{"n": 0}}
original = listing.ItemRenderer._render
def counting(self, entry, policy):
    renders["n"] += 1
    return original(self, entry, policy)
listing.ItemRenderer._render = counting
import gongkai.mkdocs_plugin as plugin_module
seen = {{}}
original_config = plugin_module.GongkaiPlugin.on_config
def keep(self, config):
    out = original_config(self, config)
    seen["public"] = len(self.portal.public_entries)
    seen["policies"] = sum(1 for e in self.portal.public_entries if e.kind == "policy")
    return out
plugin_module.GongkaiPlugin.on_config = keep
from mkdocs.commands.build import build
from mkdocs.config import load_config
config = load_config(config_file={config!r}, site_dir={site!r})
if {no_link_check!r}:
    for name, plugin in config.plugins.items():
        if name == "gongkai":
            plugin.config.link_check = False
started = time.perf_counter()
build(config)
elapsed = time.perf_counter() - started
print(json.dumps({{"seconds": elapsed, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "renders": renders["n"], **seen}}))
"""


def generate(size: int, work: Path) -> Path:
    root = work / f"corpus{size}"
    if not (root / "mkdocs.yml").is_file():
        subprocess.run([sys.executable, str(REPO / "scripts" / "generate_corpus.py"), str(root),
                        "--entries", str(size), "--seed", "1"], check=True)
    return root


def page_sizes(site: Path) -> dict[str, int]:
    entries = sorted(p.stat().st_size for p in (site / "xxgk").glob("*/index.html"))
    column = next(iter(sorted((site / "zl").glob("*/page/2/index.html"))), None)
    facet = next(iter(sorted((site / "ml" / "kind").glob("*/page/2/index.html"))), None)
    return {"entry_page_median": int(statistics.median(entries)) if entries else 0,
            "column_page2": column.stat().st_size if column else 0,
            "facet_page2": facet.stat().st_size if facet else 0,
            "html_files": sum(1 for _ in site.rglob("*.html"))}


def run(size: int, work: Path, no_link_check: bool) -> dict:
    root = generate(size, work)
    site = work / f"site{size}"
    code = CHILD.format(plugins=str(REPO / "plugins"), config=str(root / "mkdocs.yml"), site=str(site),
                        no_link_check=no_link_check)
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH=str(int(time.mktime((2026, 11, 26, 12, 0, 0, 0, 0, 0)))))
    done = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"build of {size} failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(page_sizes(site))
    result["size"] = size
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--work", type=Path, default=Path("/tmp/gk-bench"))
    parser.add_argument("--no-link-check", action="store_true", help="skip the built-site link check")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    rows = [run(size, args.work, args.no_link_check) for size in args.sizes]
    base = rows[0]
    print(f"{'entries':>8} {'public':>7} {'seconds':>8} {'s ratio':>7} {'RSS MB':>7} {'RSS ratio':>9} "
          f"{'renders':>8} {'entry B':>8} {'column p2 B':>11} {'facet p2 B':>10} {'html files':>10}")
    for r in rows:
        print(f"{r['size']:>8} {r['public']:>7} {r['seconds']:>8.1f} {r['seconds'] / base['seconds']:>7.1f} "
              f"{r['peak_rss_mb']:>7.0f} {r['peak_rss_mb'] / base['peak_rss_mb']:>9.1f} {r['renders']:>8} "
              f"{r['entry_page_median']:>8} {r['column_page2']:>11} {r['facet_page2']:>10} {r['html_files']:>10}")
        # each public entry rendered once as a list item, policies once more as policy-library rows
        expected = r["public"] + r["policies"]
        if r["renders"] > expected:
            print(f"  !! {r['renders']} list-item renders for {expected} expected", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build one synthetic corpus four ways and compare: gongkai, plain Material, Hugo, and Hugo followed by
Pagefind's index of its site (a static site with search, as gongkai's is; needs the bench extra).

    scripts/bench --sizes 10000 --runs 3             # the main table
    scripts/bench --sizes 100000 --runs 1 --only gongkai   # peak memory at scale

For each size: wall time, CPU time (the process and its children) and peak memory
(the proportional set size of the whole process tree, sampled) of each build, its
inputs read just before (read_inputs), the median of --runs alternating runs; the
ratios gongkai/Hugo, gongkai/(Hugo + Pagefind) and gongkai/Material; the phase
profile of gongkai's build; and incremental rebuilds: after editing one entry, publishing two on one day
and withdrawing them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "plugins"))

from bench_corpus import prepare  # noqa: E402
from bench_measure import measure  # noqa: E402
from bench_serve import serve_edits  # noqa: E402

BUILD_DATE = dt.date(2026, 11, 26)
HUGO_PAGEFIND = "hugo+pagefind"   # the column of Hugo's build followed by Pagefind's index of its site
VENV_BIN = Path(sys.executable).parent


def hugo_binary() -> str | None:
    found = shutil.which("hugo")
    if found is None:
        print("bench: Hugo is not installed (Debian: apt-get install hugo); the Hugo column is skipped.", file=sys.stderr)
    return found


def pagefind_binary() -> str | None:
    """Pagefind's binary (the bench extra's pagefind_bin), for the Hugo + Pagefind column: a static site
    with a search index over its pages, which is what gongkai's build makes beside its checks."""
    try:
        import pagefind_bin
    except ImportError:
        print("bench: pagefind_bin is not installed (pip install -e '.[bench]'); the Hugo + Pagefind column is "
              "skipped.", file=sys.stderr)
        return None
    return str(pagefind_bin.get_executable())


def env_for_build(profile: Path | None = None, cache: bool = False) -> dict:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", GONGKAI_PROGRESS="0",
               SOURCE_DATE_EPOCH=str(int(dt.datetime(BUILD_DATE.year, BUILD_DATE.month, BUILD_DATE.day,
                                                     tzinfo=dt.timezone.utc).timestamp())))
    env["GONGKAI_CACHE"] = "1" if cache else "0"
    if profile:
        env["GONGKAI_PROFILE"] = str(profile)
    return env


def commands(base: Path, out: Path, hugo: str | None,
             pagefind: str | None = None) -> dict[str, tuple[list[str], Path]]:
    mkdocs = str(VENV_BIN / "mkdocs")
    tools = {
        "gongkai": ([mkdocs, "build", "-q", "-d", str(out / "gongkai")], base / "portal"),
        "material": ([mkdocs, "build", "-q", "-d", str(out / "material")], base / "material"),
    }
    if hugo:
        tools["hugo"] = ([hugo, "--quiet", "-s", str(base / "hugo"), "-d", str(out / "hugo")], base / "hugo")
        if pagefind:
            # Hugo's site, then Pagefind's index of it (Chinese, as our texts are), one timed run
            site = str(out / HUGO_PAGEFIND)
            tools[HUGO_PAGEFIND] = (["sh", "-c", '"$1" --quiet -s "$2" -d "$3" && "$4" --site "$3" --force-language zh '
                                     "--quiet >/dev/null", "sh", hugo, str(base / "hugo"), site, pagefind], base / "hugo")
    return tools


SET_ASIDE = "set-aside"
DELETED_AT = "set-aside-deleted-at"   # in --work: when the last run's outputs were deleted
QUIET_AFTER_DELETING = 300   # s: ext4 without a journal skips inodes freed this recently (60 s, or 300 s
                             # while their inode table block is unwritten) when it makes a file


def wait_after_last_deletion(work: Path) -> None:
    """A run started within minutes of the last one's deletion of its outputs (100,000 files at 10,000
    entries) measured that: Hugo's first build took 6.5 s instead of 2.1 s, ours 13.2 s instead of 11.2 s."""
    try:
        since = time.time() - float((work / DELETED_AT).read_text())
    except (OSError, ValueError):
        return
    if since < QUIET_AFTER_DELETING:
        wait = QUIET_AFTER_DELETING - since
        print(f"bench: the last run deleted its outputs {since:.0f}s ago; waiting {wait:.0f}s for the file "
              "system to settle", flush=True)
        time.sleep(wait)


def delete_set_aside(places: list[Path], work: Path) -> None:
    for place in places:
        shutil.rmtree(place, ignore_errors=True)
    (work / DELETED_AT).write_text(str(time.time()))


def set_aside(path: Path, place: Path) -> None:
    """Move a tool's last output out of the way; the outputs are deleted after all the runs. Deleting them
    between runs measured the file system, not the next tool: ext4 without a journal (as on our machines)
    skips every inode freed in the last half minute or so when it makes a file, and a run made right after
    deleting the last one's 27,000 files spent up to half its time in the kernel doing that."""
    if path.exists():
        shutil.rmtree(place, ignore_errors=True)   # left by a run that was cut short
        place.parent.mkdir(parents=True, exist_ok=True)
        path.rename(place)


NOT_INPUTS = {"out", ".cache", "site", "public", "resources"}   # outputs and caches beside a tool's sources


def read_inputs(source: Path) -> None:
    """Read every file of a tool's source directory, untimed, before its timed run: the build then finds its
    inputs in the page cache, as a build of a fresh CI checkout does (its files were just written). This
    machine's page cache drops /tmp's files within a minute or two, and in the alternation each tool's
    inputs went cold while the other two ran: a timed run read them from the disk (Hugo: 6.6 s, then 3.3 s)."""
    for root, dirs, files in os.walk(source):
        dirs[:] = [d for d in dirs if d not in NOT_INPUTS]
        for name in files:
            try:
                with open(os.path.join(root, name), "rb") as fh:
                    while fh.read(1 << 20):
                        pass
            except OSError:
                pass


def fmt_mem(kb: float) -> str:
    return f"{kb / 1024:.0f} MB" if kb < 1024 * 1024 else f"{kb / 1024 / 1024:.2f} GB"


def median_phases(profiles: list[dict]) -> list[tuple[str, float, float]]:
    names: list[str] = []
    for p in profiles:
        for ph in p["phases"]:
            if ph["name"] not in names:
                names.append(ph["name"])
    rows = []
    for name in names:
        walls = [ph["wall"] for p in profiles for ph in p["phases"] if ph["name"] == name]
        cpus = [ph["cpu"] for p in profiles for ph in p["phases"] if ph["name"] == name]
        rows.append((name, statistics.median(walls), statistics.median(cpus)))
    return rows


def loading_split(portal_dir: Path) -> dict:
    out = subprocess.run([sys.executable, str(HERE / "bench_phases.py"), str(portal_dir), BUILD_DATE.isoformat()],
                         capture_output=True, text=True, check=False)
    try:
        return json.loads(out.stdout)
    except ValueError:
        return {}


def incremental(base: Path, out: Path) -> list[tuple[str, float]]:
    """Warm the cache, then rebuild after editing one entry's body (and its title)."""
    portal = base / "portal"
    tools = commands(base, out, None)
    argv, cwd = tools["gongkai"]
    shutil.rmtree(portal / ".cache", ignore_errors=True)
    rows = [("cold build, cache on", measure(argv, cwd, env_for_build(cache=True))["wall"])]
    # The site and its spare take turns (output_tree.py): the first rebuild makes the spare from the site by
    # hard links; from then on every build rewrites a tree it built before, as an editor's builds do all day.
    rows.append(("first rebuild (makes the spare), nothing changed", measure(argv, cwd, env_for_build(cache=True))["wall"]))
    rows.append(("rebuild, nothing changed", measure(argv, cwd, env_for_build(cache=True))["wall"]))
    body = sorted((portal / "content" / "texts").rglob("policy-*.md"))[0]
    original = body.read_bytes()
    try:
        # An editor edits the same text again and again: three edits in a row, each rebuilt (one alone is noise).
        edits = []
        for n in range(1, 4):
            body.write_bytes(original + f"本条为基准测试追加的第{n}句话。\n".encode())
            edits.append(measure(argv, cwd, env_for_build(cache=True))["wall"])
        rows.append(("rebuild after editing one body (median of 3 edits)", statistics.median(edits)))
    finally:
        body.write_bytes(original)
    # Publishing a new document is the most common change of all, and a day mostly has several: each comes
    # last by date, and on its day before the ones of a lower number (search_index.IndexPlan). Then the
    # editor withdraws both. The bodies are a policy's, of a real size.
    added = []
    try:
        for number, label in ((99998, "publishing one entry"), (99999, "publishing a second one on the same day")):
            added += published_entry(portal, number, original)
            rows.append((f"rebuild after {label}", measure(argv, cwd, env_for_build(cache=True))["wall"]))
    finally:
        for path in added:
            path.unlink(missing_ok=True)
    rows.append(("rebuild after withdrawing both", measure(argv, cwd, env_for_build(cache=True))["wall"]))
    served = serve_edits(portal, edits=3)
    rows.append(("mkdocs serve: edit to rebuilt (median of 3)", statistics.median(served["edit_to_built"])))
    return rows


def published_entry(portal: Path, number: int, body: bytes) -> list[Path]:
    """Write a news entry published on the build date, with this body; its two files."""
    entry = portal / "catalog" / "news" / f"bench-added-{number}.yml"
    text = portal / "content" / "texts" / f"bench-added-{number}.md"
    for path in (entry, text):
        path.parent.mkdir(parents=True, exist_ok=True)
    text.write_bytes(body)
    entry.write_text(f"""id: "113799000000000001/{BUILD_DATE.year}-{number}"
title: "示例市召开政务公开工作推进会（基准测试新增{number}）"
kind: "news"
publisher: "示例市人民政府"
published: {BUILD_DATE.isoformat()}
body: "texts/{text.name}"
""", encoding="utf-8")
    return [entry, text]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000", help="comma-separated entry counts (default 10000)")
    parser.add_argument("--runs", type=int, default=3, help="alternating runs per tool; medians are reported")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/gongkai-bench"), help="corpora and outputs")
    parser.add_argument("--only", default=f"gongkai,material,hugo,{HUGO_PAGEFIND}",
                        help="tools to run (comma-separated)")
    parser.add_argument("--no-incremental", action="store_true")
    args = parser.parse_args(argv)
    wanted = args.only.split(",")
    hugo = hugo_binary() if "hugo" in wanted or HUGO_PAGEFIND in wanted else None
    pagefind = pagefind_binary() if hugo and HUGO_PAGEFIND in wanted else None
    args.work.mkdir(parents=True, exist_ok=True)
    wait_after_last_deletion(args.work)
    set_aside_places: list[Path] = []   # deleted after the last size, not between sizes (see set_aside)
    for size in (int(s) for s in args.sizes.split(",")):
        started = time.perf_counter()
        base = prepare(args.work, size, args.seed, BUILD_DATE)
        print(f"\n== {size} entries (corpus {base}, ready in {time.perf_counter() - started:.0f}s) ==", flush=True)
        out = base / "out"
        results: dict[str, list[dict]] = {}
        profiles: list[dict] = []
        for run in range(args.runs):
            tools = commands(base, out, hugo, pagefind)
            order = [t for t in tools if t in wanted]
            if run % 2:
                order.reverse()   # alternate so load on the shared machine hits every tool alike
            for tool in order:
                argv_, cwd = tools[tool]
                set_aside(out / tool, out / SET_ASIDE / f"{tool}-{run}")
                profile = out / f"profile-{run}.json" if tool == "gongkai" else None
                read_inputs(cwd)
                m = measure(argv_, cwd, env_for_build(profile))
                if m["returncode"] != 0:
                    print(f"  {tool} run {run + 1}: exit {m['returncode']}\n{m['stderr'][-2000:]}", flush=True)
                results.setdefault(tool, []).append(m)
                if profile and profile.is_file():
                    profiles.append(json.loads(profile.read_text(encoding="utf-8")))
                print(f"  run {run + 1} {tool:13s} wall {m['wall']:7.1f}s  cpu {m['cpu']:7.1f}s  peak {fmt_mem(m['peak_kb'])}",
                      flush=True)
        med = {t: {k: statistics.median(r[k] for r in runs) for k in ("wall", "cpu", "peak_kb")} for t, runs in results.items()}
        print(f"\n{'tool':14s} {'wall (s)':>9s} {'cpu (s)':>9s} {'peak mem':>10s}   (median of {args.runs})")
        for tool, m in med.items():
            print(f"{tool:14s} {m['wall']:9.1f} {m['cpu']:9.1f} {fmt_mem(m['peak_kb']):>10s}")
        if "gongkai" in med:
            for other in ("hugo", HUGO_PAGEFIND, "material"):
                if other in med:
                    print(f"gongkai/{other}: wall {med['gongkai']['wall'] / med[other]['wall']:.2f}x, "
                          f"cpu {med['gongkai']['cpu'] / med[other]['cpu']:.2f}x")
        if profiles:
            print(f"\nphase profile of gongkai's build (median of {len(profiles)}; 'summed over workers' rows add up time in all "
                  "worker processes, their wall counting the waits for a core; the CPU of the search index's and the "
                  "link check's rows counts the workers they fork)")
            for name, wall, cpu in median_phases(profiles):
                print(f"  {name:56s} wall {wall:7.2f}s  cpu {cpu:7.2f}s")
            split = loading_split(base / "portal")
            if split:
                print("  'loading and checks', measured alone:")
                for name, seconds in split.items():
                    print(f"    {name:54s} {seconds:7.2f}s")
        if "gongkai" in wanted and not args.no_incremental:
            print("\nincremental (caches on; from the third build on, each rewrites the site before last in place):")
            full = med.get("gongkai", {}).get("wall")
            for name, seconds in incremental(base, out):
                share = f"  {seconds / full:5.0%} of the full build" if full else ""
                print(f"  {name:56s} {seconds:7.1f}s{share}")
        set_aside_places.append(out / SET_ASIDE)
    delete_set_aside(set_aside_places, args.work)
    return 0


if __name__ == "__main__":
    sys.exit(main())

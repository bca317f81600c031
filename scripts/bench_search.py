#!/usr/bin/env python3
"""Benchmark gongkai search against Material's built-in search and Pagefind on one generated corpus.

    PYTHONPATH=plugins python scripts/bench_search.py --docs 2000 --scale 10000 --scale 100000

For each query: recall against the substring truth (title, 文号 or body contains every term), results found,
time to first result and bytes transferred in headless Chromium (fresh context, served from 127.0.0.1);
per engine: index size on disk and index build time. `--scale N` adds gongkai-only rows at N entries.
Bytes count every request after the page's HTML except the page's own script/style assets (assets/),
Pagefind's own pagefind.js/wasm included in "engine code" and left out, like Material's worker.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))

from gongkai.search_corpus import generate_docs  # noqa: E402
from gongkai.search_harness import write_site  # noqa: E402
from gongkai.search_index import normalize  # noqa: E402
from gongkai.search_query import IndexReader, parse_query  # noqa: E402

SEEDS = Path("/work/shared/seeds")
CHROMIUM = "/usr/bin/chromium"
QUERIES = ["政务公开", "一网通办", "放管服", "双随机一公开", "政策解读", "信息公开", "低保", "公开工作", "开工",
           "193号", "2018", "人民政府", "工作要点", "政务公开 政策解读", '"公开工作"', "依申请公开", "营商环境",
           "医疗救助", "数据开放", "新闻发布会"]
CHROME_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run"]


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def truth_sets(docs, queries):
    fields = [(d.url, normalize(d.title), normalize(d.doc_no), normalize(d.text)) for d in docs]
    out = {}
    for q in queries:
        terms = parse_query(q)
        out[q] = {u for u, *hay in fields if all(any(t in h for h in hay) for t in terms)}
    return out


class Quiet(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as any real web server

    def log_message(self, *args):
        pass


class Server:
    """A static file server in its own process, so it does not share a GIL with the browser driver."""

    def __init__(self, directory: Path):
        self.process = subprocess.Popen([sys.executable, __file__, "--serve", str(directory)],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.port = int(self.process.stdout.readline())

    def shutdown(self):
        self.process.terminate()
        self.process.wait()


def serve(directory: Path) -> tuple[str, Server]:
    server = Server(directory)
    return f"http://127.0.0.1:{server.port}/", server


def serve_forever(directory: str) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=directory))
    print(server.server_address[1], flush=True)
    server.serve_forever()


def local_bytes(site: Path, urls: list[str], skip) -> int:
    total = 0
    for url in urls:
        path = unquote(urlparse(url).path).lstrip("/")
        if skip(path):
            continue
        target = site / path
        if target.is_dir():
            target = target / "index.html"
        if target.is_file():
            total += target.stat().st_size
    return total


# ---- builds -----------------------------------------------------------------------------------

def build_ours(docs, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    stats = write_site(docs, out, entry_pages=False, cache_dir=None)
    return {"build_s": time.perf_counter() - started, "index_bytes": du(out / "search"), "stats": stats}


def build_material(docs, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    src = out / "src"
    (src / "docs").mkdir(parents=True)
    (src / "docs" / "index.md").write_text("# 首页\n", encoding="utf-8")
    for d in docs:
        page = src / "docs" / (d.url.rstrip("/") + ".md")
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"# {d.title}\n\n{d.doc_no}\n\n{d.publisher} {d.published}\n\n{d.text}\n", encoding="utf-8")
    (src / "mkdocs.yml").write_text(
        "site_name: bench\nuse_directory_urls: true\ntheme:\n  name: material\n  language: zh\n  font: false\n"
        "plugins:\n  - search:\n      lang: zh\n", encoding="utf-8")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(src / "mkdocs.yml"), "-d",
                    str(out / "site")], check=True)
    build_s = time.perf_counter() - started
    return {"build_s": build_s, "index_bytes": du(out / "site" / "search")}


def build_pagefind(material_site: Path) -> dict:
    import pagefind_bin
    shutil.rmtree(material_site / "pagefind", ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([str(pagefind_bin.get_executable()), "--site", str(material_site), "--force-language", "zh"],
                   check=True, stdout=subprocess.DEVNULL)
    build_s = time.perf_counter() - started
    (material_site / "pf.html").write_text(PAGEFIND_PAGE, encoding="utf-8")
    return {"build_s": build_s, "index_bytes": du(material_site / "pagefind")}


PAGEFIND_PAGE = """<!doctype html><meta charset="utf-8"><title>pf</title><script type="module">
const q = new URLSearchParams(location.search).get("q");
const t0 = performance.now();
const pf = await import("/pagefind/pagefind.js");
await pf.init();
const r = await pf.search(q);
let first = null;
if (r.results.length) { first = await r.results[0].data(); }
window.pfDone = {count: r.results.length, ms: performance.now() - t0, first: first && first.url};
window.pfAll = async () => Promise.all(r.results.map(x => x.data().then(d => d.url)));
</script>"""


# ---- browser measurements -----------------------------------------------------------------------

def measure(browser, url: str, wait, site: Path, skip) -> dict:
    context = browser.new_context()
    page = context.new_page()
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    started = time.perf_counter()
    page.goto(url)
    result = wait(page)
    elapsed = result.pop("t_first", time.perf_counter()) - started
    result.update(ms=round(elapsed * 1000), bytes=local_bytes(site, urls[1:], skip))
    result["page"] = page
    result["context"] = context
    return result


def ours_wait(page):
    page.wait_for_selector("a[data-gk-result], [data-gk-search][data-gk-state=done]", timeout=120_000)
    t_first = time.perf_counter()
    page.wait_for_selector("[data-gk-search][data-gk-state=done]", timeout=120_000)
    return {"count": page.evaluate("window.gkSearch.last.count"),
            "t_first": t_first}


def ours_typing_ms(browser, base: str, query: str) -> int:
    """Keystroke to first results on screen, as the page measures it (the driver's polling left out)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "search/")
    page.wait_for_selector("[data-gk-search][data-gk-state=done]")
    page.fill("input[name=q]", query)
    page.wait_for_function("q => window.gkSearch.first && window.gkSearch.first.query === q || "
                           "window.gkSearch.last && window.gkSearch.last.query === q", arg=query)
    page.wait_for_selector("[data-gk-search][data-gk-state=done]")
    ms = page.evaluate("q => (window.gkSearch.first && window.gkSearch.first.query === q ? "
                       "window.gkSearch.first : window.gkSearch.last).ms", query)
    context.close()
    return ms


def material_wait(page):
    page.wait_for_function("() => { const m = document.querySelector('.md-search-result__meta');"
                           " return m && /\\d|没有/.test(m.textContent); }", timeout=180_000)
    meta = page.inner_text(".md-search-result__meta")
    # Material rounds large counts ("2k 个符合条件的结果") and ORs the words of a query.
    match = re.search(r"(\d[\d,.]*)\s*(k?)", meta)
    if not match:
        return {"count": 0}
    return {"count": int(float(match.group(1).replace(",", "")) * (1000 if match.group(2) else 1))}


def pagefind_wait(page):
    page.wait_for_function("window.pfDone", timeout=120_000)
    done = dict(page.evaluate("window.pfDone"))
    done.pop("ms", None)
    return done


def run(args) -> dict:
    from playwright.sync_api import sync_playwright
    out = Path(args.out)
    docs = generate_docs(args.docs, SEEDS)
    truth = truth_sets(docs, QUERIES)
    report = {"docs": args.docs, "engines": {}, "queries": {}, "scale": []}
    print(f"corpus: {args.docs} entries, {sum(len(d.text) for d in docs) / 1e6:.1f} M characters", flush=True)
    ours = build_ours(docs, out / "ours")
    print("gongkai built", round(ours["build_s"], 1), "s", flush=True)
    engines = {"gongkai": ours}
    if not args.only_ours:
        engines["material"] = build_material(docs, out / "material")
        print("material built", round(engines["material"]["build_s"], 1), "s", flush=True)
        engines["pagefind"] = build_pagefind(out / "material" / "site")
        print("pagefind built", round(engines["pagefind"]["build_s"], 1), "s", flush=True)
    for name, e in engines.items():
        report["engines"][name] = {"index_MB": round(e["index_bytes"] / 1e6, 2), "build_s": round(e["build_s"], 1)}

    reader = IndexReader(out / "ours" / "search")
    ours_base, s1 = serve(out / "ours")
    mat_base, s2 = serve(out / "material" / "site") if not args.only_ours else (None, None)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROME_ARGS)
        for q in QUERIES:
            row = {"truth": len(truth[q])}
            found = {reader.meta(n)[0] for n in reader.search(q)}
            r = measure(browser, ours_base + "search/?q=" + quote(q), ours_wait, out / "ours",
                        lambda path: path.startswith("assets/") or path.endswith(".html") or path == "search/")
            r["context"].close()
            row["gongkai"] = {"count": r["count"], "recall": recall(found, truth[q]), "ms": r["ms"],
                              "typing_ms": ours_typing_ms(browser, ours_base, q), "kB": round(r["bytes"] / 1e3, 1)}
            if mat_base:
                site = out / "material" / "site"
                r = measure(browser, mat_base + "?q=" + quote(q), material_wait, site,
                            lambda path: path.startswith("assets/") or path.endswith(".html") or path == "")
                r["context"].close()
                row["material"] = {"count": r["count"], "recall": min(1.0, r["count"] / len(truth[q])) if truth[q] else 1.0,
                                   "ms": r["ms"], "kB": round(r["bytes"] / 1e3, 1), "recall_from": "count"}
                r = measure(browser, mat_base + "pf.html?q=" + quote(q), pagefind_wait, site,
                            lambda path: path.endswith((".html", "pagefind.js")) or ".pf_wasm" in path or "wasm" in path)
                urls = {u.strip("/") + "/" for u in r["page"].evaluate("window.pfAll()")}
                r["context"].close()
                row["pagefind"] = {"count": r["count"], "recall": recall(urls, truth[q]), "ms": r["ms"],
                                   "kB": round(r["bytes"] / 1e3, 1)}
            report["queries"][q] = row
            print(q, json.dumps(row, ensure_ascii=False), flush=True)
        if args.lunr:
            report["lunr"] = lunr_row(docs[:args.lunr])
            print("lunr", report["lunr"], flush=True)
        for n in args.scale:
            report["scale"].append(scale_row(browser, n, out / f"ours-{n}"))
            print("scale", report["scale"][-1], flush=True)
        browser.close()
    s1.shutdown()
    if s2:
        s2.shutdown()
    return report


def lunr_row(docs) -> dict:
    """What a plain lunr.py index of the same jieba words weighs: one file that every query downloads whole."""
    from lunr.builder import Builder

    from gongkai.search_segment import Segmenter
    seg = Segmenter()
    started = time.perf_counter()
    builder = Builder()
    builder.pipeline.reset()
    builder.search_pipeline.reset()
    builder.ref("id")
    builder.field("title", boost=10)
    builder.field("doc_no", boost=10)
    builder.field("body")
    for d in docs:
        builder.add({"id": d.url, "title": " ".join(seg.tokens(normalize(d.title))),
                     "doc_no": " ".join(seg.tokens(normalize(d.doc_no))), "body": " ".join(seg.tokens(normalize(d.text)))})
    data = json.dumps(builder.build().serialize(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return {"docs": len(docs), "index_MB": round(len(data) / 1e6, 1), "build_s": round(time.perf_counter() - started, 1)}


def recall(found: set, truth: set) -> float:
    return round(len(found & truth) / len(truth), 4) if truth else 1.0


def scale_row(browser, n: int, out: Path) -> dict:
    docs = generate_docs(n, SEEDS, seed=11)
    built = build_ours(docs, out)
    base, server = serve(out)
    kb, ms, typing = [], [], []
    for q in QUERIES:
        r = measure(browser, base + "search/?q=" + quote(q), ours_wait, out,
                    lambda path: path.startswith("assets/") or path.endswith(".html") or path == "search/")
        r["context"].close()
        kb.append(r["bytes"] / 1e3)
        ms.append(r["ms"])
        typing.append(ours_typing_ms(browser, base, q))
    server.shutdown()
    shutil.rmtree(out / "search" / "t", ignore_errors=True)
    return {"docs": n, "index_MB": round(built["index_bytes"] / 1e6, 1), "build_s": round(built["build_s"], 1),
            "max_kB": round(max(kb), 1), "mean_kB": round(sum(kb) / len(kb), 1), "max_ms": max(ms),
            "max_typing_ms": max(typing)}


def table(report: dict) -> str:
    lines = [f"## Search benchmark: {report['docs']} entries", "",
             "| engine | index on disk (MB) | index build (s) |", "|---|---:|---:|"]
    for name, e in report["engines"].items():
        lines.append(f"| {name} | {e['index_MB']} | {e['build_s']} |")
    engines = list(report["engines"])
    lines += ["", "| query | truth | " + " | ".join(f"{e} recall / found / ms / kB" for e in engines) + " |",
              "|---|---:|" + "---|" * len(engines)]
    for q, row in report["queries"].items():
        cells = [f"{row[e]['recall']:.3f} / {row[e]['count']} / {row[e]['ms']} / {row[e]['kB']}" for e in engines]
        lines.append(f"| {q} | {row['truth']} | " + " | ".join(cells) + " |")
    if report["queries"]:
        lines += ["", "| engine | mean recall | max ms | max kB |", "|---|---:|---:|---:|"]
        for e in engines:
            rows = [r[e] for r in report["queries"].values()]
            lines.append(f"| {e} | {sum(r['recall'] for r in rows) / len(rows):.3f} | {max(r['ms'] for r in rows)} | "
                         f"{max(r['kB'] for r in rows)} |")
        typing = [r["gongkai"]["typing_ms"] for r in report["queries"].values()]
        lines.append(f"\ngongkai time from typing to results (page already open): max {max(typing)} ms")
    if report.get("lunr"):
        lu = report["lunr"]
        lines.append(f"\nplain lunr.py index of {lu['docs']} entries (jieba words): {lu['index_MB']} MB in one file, "
                     f"built in {lu['build_s']} s; every query loads all of it")
    if report["scale"]:
        lines += ["", "| gongkai entries | index (MB) | build (s) | max kB/query | mean kB/query | max ms (cold) | "
                  "max ms (typing) |", "|---:|---:|---:|---:|---:|---:|---:|"]
        for s in report["scale"]:
            lines.append(f"| {s['docs']} | {s['index_MB']} | {s['build_s']} | {s['max_kB']} | {s['mean_kB']} | "
                         f"{s['max_ms']} | {s['max_typing_ms']} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--scale", type=int, action="append", default=[])
    parser.add_argument("--out", default="/tmp/gongkai-bench")
    parser.add_argument("--only-ours", action="store_true")
    parser.add_argument("--lunr", type=int, default=0, help="also build a plain lunr.py index of the first N entries")
    parser.add_argument("--json", help="also write the raw report here")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve_forever(args.serve)
        return 0
    report = run(args)
    print(table(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

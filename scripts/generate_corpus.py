#!/usr/bin/env python3
"""Write a synthetic gongkai portal: python scripts/generate_corpus.py OUT_DIR --entries N --seed S."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))

from gongkai.dates import parse_date  # noqa: E402
from gongkai.synthetic import AS_OF, CorpusSpec, generate  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Generate a synthetic gongkai portal (mkdocs.yml, catalog/, content/).")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--columns", type=int, default=12)
    parser.add_argument("--as-of", default=AS_OF.isoformat(), help="newest publication date (YYYY-MM-DD)")
    parser.add_argument("--seed-texts", type=Path, default=None, help="directory of *.txt to sample sentences from")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPU count; output is the same)")
    parser.add_argument("--theme-dir", type=Path, default=None, help="theme custom_dir (default: this repo's theme_overrides)")
    args = parser.parse_args(argv)
    as_of = parse_date(args.as_of)
    if as_of is None:
        parser.error(f"bad --as-of date: {args.as_of}")
    if args.out_dir.exists() and any(args.out_dir.iterdir()):
        parser.error(f"{args.out_dir} is not empty")
    started = time.perf_counter()
    summary = generate(args.out_dir, CorpusSpec(entries=args.entries, seed=args.seed, columns=args.columns,
                                                as_of=as_of, seed_texts=args.seed_texts, theme_dir=args.theme_dir),
                       jobs=args.jobs or (os.cpu_count() or 1 if args.entries >= 2000 else 1))
    print(f"wrote {summary.entries} entries, {summary.columns} columns to {args.out_dir} "
          f"in {time.perf_counter() - started:.1f}s; kinds {summary.kinds}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The parts of 'loading and checks', timed one by one in this process (JSON on stdout).

python scripts/bench_phases.py PORTAL_DIR BUILD_DATE
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins"))

from gongkai.column_check import check_columns  # noqa: E402
from gongkai.config import load_config  # noqa: E402
from gongkai.content_check import check_content  # noqa: E402
from gongkai.dates import parse_date  # noqa: E402
from gongkai.findings import Findings  # noqa: E402
from gongkai.interpretation_check import check_interpretations  # noqa: E402
from gongkai.loader import load_portal  # noqa: E402


def main() -> None:
    root, as_of = Path(sys.argv[1]), parse_date(sys.argv[2])
    findings, times = Findings(), {}
    start = time.perf_counter()
    portal = load_portal(load_config(root), as_of, findings)
    times["loading (YAML, schema, references)"] = time.perf_counter() - start
    for name, check in (("checks: interpretations", check_interpretations), ("checks: columns", check_columns),
                        ("checks: content, privacy, safety", check_content)):
        start = time.perf_counter()
        check(portal, findings)
        times[name] = time.perf_counter() - start
    print(json.dumps(times))


if __name__ == "__main__":
    main()

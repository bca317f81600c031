"""Builds a portal as `mkdocs serve` does (in one process, the plugin told it serves), then applies edits
with quick_rebuild, as serve's rebuild does on the paths its observer reported.

    python serve_driver.py SITE_DIR STEPS_JSON      (run in the portal's directory)

STEPS_JSON: [{"write": {path: text}, "delete": [path, ...], "changed": [path, ...]}, ...], paths relative to the portal. Prints one
JSON list: quick_rebuild.rebuild's answer per step. A separate process: serve's state is global.
"""
import json
import sys
from pathlib import Path

from mkdocs.commands.build import build
from mkdocs.config import load_config

from gongkai import quick_rebuild


def main(site: str, steps: str) -> None:
    config = load_config("mkdocs.yml", site_dir=site)
    config.plugins.on_startup(command="serve", dirty=False)
    build(config)
    answers = []
    for step in json.loads(steps):
        for path, text in step.get("write", {}).items():
            Path(path).write_text(text, encoding="utf-8")
        for path in step.get("delete", []):
            Path(path).unlink()
        answers.append(quick_rebuild.rebuild({str(Path(p).resolve()) for p in step["changed"]}))
    config.plugins.on_shutdown()
    print(json.dumps(answers))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

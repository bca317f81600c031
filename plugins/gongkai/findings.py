"""Findings: what a check reports to an editor.

Every problem has a stable code, a severity, the file and line, and a Chinese
message that says what to change. Checks never raise for bad content.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    file: str                 # repository-relative path, '/' separators
    line: int | None
    code: str
    severity: str = field(compare=False)
    message: str = field(compare=False)

    def to_dict(self) -> dict:
        d = asdict(self)
        return {k: d[k] for k in ("code", "severity", "file", "line", "message")}

    def format(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        label = "错误" if self.severity == ERROR else "警告"
        return f"{where}: {label} [{self.code}] {self.message}"


class Findings(list):
    """A list of findings with helpers; checks append, nothing raises."""

    def add(self, code: str, severity: str, file: str, line: int | None, message: str) -> None:
        self.append(Finding(file=file, line=line, code=code, severity=severity, message=message))

    def error(self, code: str, file: str, line: int | None, message: str) -> None:
        self.add(code, ERROR, file, line, message)

    def warning(self, code: str, file: str, line: int | None, message: str) -> None:
        self.add(code, WARNING, file, line, message)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self if f.severity == WARNING]

    def sorted(self) -> list[Finding]:
        return sorted(self, key=lambda f: (f.file, f.line or 0, f.code, f.message))

    def to_json(self) -> str:
        return json.dumps([f.to_dict() for f in self.sorted()], ensure_ascii=False, indent=2)

    def summary(self) -> str:
        return f"{len(self.errors)} 个错误，{len(self.warnings)} 个警告"

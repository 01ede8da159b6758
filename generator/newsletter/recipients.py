"""Newsletter, who to send to: the recipients CSV and a comments export's suppressions.

Inputs: the CSV (header ``email,name``) and, optionally, the JSON Lines export of
the comments store; outputs: frozen ``Recipient`` rows, the rows set aside with
their line numbers, and the suppressed addresses as a plain frozenset.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.errors import ContentError, Problem, UsageError

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)


@dataclass(frozen=True, slots=True)
class Recipient:
    """One valid row of the recipients CSV."""

    email: str
    name: str
    line: int

    @property
    def key(self) -> str:
        """Addresses compare without case: the ledger and suppressions are lowercased."""
        return self.email.lower()


@dataclass(frozen=True, slots=True)
class InvalidRow:
    """A skipped row of the recipients CSV, with its line number."""

    line: int
    value: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.value!r}: {self.reason}"


def is_valid_email(value: str) -> bool:
    """A deliverable-looking ``local@domain.tld`` address (no display name, no spaces)."""
    return len(value) <= 254 and bool(_EMAIL.match(value))


def parse_recipients(text: str, path: Path) -> tuple[tuple[Recipient, ...], tuple[InvalidRow, ...]]:
    """Rows of a CSV with the header ``email,name``; bad or repeated addresses are set aside."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise ContentError(
            [Problem(path, 1, "empty file (expected a header 'email,name')")]
        ) from None
    if "email" not in header:
        raise ContentError(
            [Problem(path, 1, f"expected a header 'email,name', got {','.join(header)!r}")]
        )
    col_email = header.index("email")
    col_name = header.index("name") if "name" in header else None
    good: list[Recipient] = []
    bad: list[InvalidRow] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not row or not any(cell.strip() for cell in row):
            continue
        value = row[col_email].strip() if col_email < len(row) else ""
        name = row[col_name].strip() if col_name is not None and col_name < len(row) else ""
        if not is_valid_email(value):
            bad.append(InvalidRow(line, value, "not a valid email address"))
        elif value.lower() in seen:
            bad.append(InvalidRow(line, value, f"repeats line {seen[value.lower()]}"))
        else:
            seen[value.lower()] = line
            good.append(Recipient(value, name, line))
    return tuple(good), tuple(bad)


def load_recipients(path: Path) -> tuple[tuple[Recipient, ...], tuple[InvalidRow, ...]]:
    """Read the recipients CSV (UTF-8, a BOM tolerated)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"--recipients: no such file {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError([Problem(path, None, f"cannot read: {exc}")]) from None
    return parse_recipients(text, path)


def parse_suppressions(lines: Iterable[str]) -> frozenset[str]:
    """The ``suppression`` lines of a comments export (JSON Lines), lowercased."""
    found = set()
    for raw in lines:
        raw = raw.strip()
        if not raw:
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError:
            continue  # the export's own reader reports these; here only suppressions matter
        if isinstance(record, dict) and record.get("type") == "suppression":
            email = record.get("email")
            if isinstance(email, str):
                found.add(email.strip().lower())
    return frozenset(found)


def load_suppression_export(path: Path) -> frozenset[str]:
    """The suppressed addresses of a comments export file (``veille comments export``)."""
    try:
        with path.open(encoding="utf-8") as handle:
            return parse_suppressions(handle)
    except OSError as exc:
        raise ContentError(
            [Problem(path, None, f"cannot read the suppression list: {exc}")]
        ) from None

"""The one CSV writer of every export (the cohort CSV, the learner's own data): lines as text,
ready to stream, pure (no Django).

- UTF-8 with a byte-order mark first, so Excel reads "García" as such (the response encodes the
  text as UTF-8; the mark is its first character).
- One formula guard for every text cell, header cells included: a cell starting with = + - @,
  a TAB or a CR would run as a formula in a spreadsheet (CSV injection), so it gets a leading
  apostrophe, which spreadsheets show as text.
- Lines come out in batches, so a large export is never held in memory whole and the first
  batch (the header) leaves before the rest is read."""

import csv
from collections.abc import Iterable, Iterator, Sequence

BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a spreadsheet should read it: text that would start a formula is guarded."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Line:
    """A file-like object for csv.writer that hands back each line instead of storing it."""

    def write(self, line: str) -> str:
        return line


def csv_lines(header: Sequence, rows: Iterable[Sequence], *, batch: int = 200) -> Iterator[str]:
    """The byte-order mark and the header line, then the rows' lines `batch` at a time."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow([safe_cell(cell) for cell in header])
    lines = []
    for row in rows:
        lines.append(writer.writerow([safe_cell(cell) for cell in row]))
        if len(lines) >= batch:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)

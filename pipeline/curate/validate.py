"""Checks of a candidates/below/staging table: schema, vocabularies, FLOP range, dates,
URLs, keys. Each problem is one line naming the file, row, key and field."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from urllib.parse import urlparse

from pipeline.collect.names import KEY_PATTERN, NameRules, normalise
from pipeline.schema import COLUMNS, KEY, VOCABULARIES, canonical, is_verified
from pipeline.storage.csvtable import CsvTable
from pipeline.values import (
    format_number,
    parse_date,
    parse_flop,
    parse_number,
    parse_timestamp,
    urls_in,
)


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    key: str
    field: str
    message: str
    level: str = "error"

    def __str__(self) -> str:
        return f"{self.level}: {self.located()}"

    def located(self) -> str:
        """The message after its file, row (key) and field."""
        where = [self.file]
        if self.row:
            where.append(f"row {self.row}" + (f" ({self.key})" if self.key else ""))
        if self.field:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.message}"


def denoised(text: str) -> str | None:
    """``7.329999999999999e+25`` -> ``7.33e+25``: the float noise of an earlier tool, or None."""
    try:
        number = parse_number(text)
    except ValueError:
        return None
    if number is None or number == 0:
        return None
    clean = float(f"{number:.12g}")
    if abs(clean - number) / abs(number) > 1e-12:
        return None
    short = format_number(clean)
    return short if short != text.strip() else None


CHECKED = (*VOCABULARIES, "training_flop", "parameters", "release_date", "last_updated", "sources")


def findings(rows: list[dict[str, str]]) -> dict[int, list[tuple[str, str, str]]]:
    """(field, message, level) of each of ``rows`` (by index) that has any. Each check reads
    one cell, and cells repeat (vocabularies, rounded numbers, dates, one time stamp per
    run): each distinct value of a field is checked once, and only a field with a value
    that fails is looked for row by row."""
    found: dict[int, list[tuple[str, str, str]]] = {}
    for field in CHECKED:
        try:
            values = list(map(itemgetter(field), rows))
        except KeyError:  # a column the file lacks reads as empty
            values = [cells.get(field, "") for cells in rows]
        failed = {
            value: problems for value in set(values) if (problems := check_value(field, value))
        }
        if failed:
            for index, value in enumerate(values):
                if value in failed:
                    found.setdefault(index, []).extend(failed[value])
    return found


@lru_cache(maxsize=1 << 16)
def check_value(field: str, value: str) -> tuple[tuple[str, str, str], ...]:
    """(field, message, level) for one cell of a checked field."""
    if field in VOCABULARIES:
        try:
            meaning = canonical(field, value)
        except ValueError as exc:
            return ((field, str(exc), "error"),)
        if meaning != value.strip():
            return ((field, f"legacy value {value!r} means {meaning!r}", "warning"),)
        return ()
    if field in ("training_flop", "parameters"):
        try:
            number = (parse_flop if field == "training_flop" else parse_number)(value)
        except ValueError as exc:
            return ((field, str(exc), "error"),)
        if field == "parameters" and number is not None and number <= 0:
            return ((field, f"{value!r} is not positive", "error"),)
        if (clean := denoised(value)) is not None:
            kind = "non-canonical number" if float(clean) == number else "float noise"
            return ((field, f"{kind}: {value} is {clean}", "warning"),)
        return ()
    if field == "release_date":
        try:
            date = parse_date(value)
        except ValueError as exc:
            return ((field, str(exc), "error"),)
        if date and date.isoformat() != value.strip():
            return ((field, f"{value!r} is not YYYY-MM-DD", "warning"),)
        return ()
    if field == "last_updated":
        try:
            parse_timestamp(value)
        except ValueError as exc:
            return ((field, str(exc), "warning"),)
        return ()
    return tuple(
        (field, f"{url!r} is not a valid URL", "error")
        for url in urls_in(value)
        if "." not in urlparse(url).netloc
    )


# The rules read from each aliases file, with the text they were read from.
_RULES: dict[Path, tuple[bytes | None, NameRules]] = {}


def name_rules(path: Path) -> NameRules:
    """The rules of an aliases file: the same object while the file holds the same text, so
    that the keys it has normalised (its cache) are not worked out again by the next refresh
    of a long-running worker."""
    try:
        text: bytes | None = path.read_bytes()
    except FileNotFoundError:
        text = None
    kept = _RULES.get(path)
    if kept is None or kept[0] != text:
        kept = _RULES[path] = (text, NameRules.load(path))
    return kept[1]


def validate_table(table: CsvTable, rules: NameRules | None = None) -> list[Problem]:
    path = str(table.path)
    problems = [
        Problem(path, 1, "", column, "missing column (added on the next write)", "warning")
        for column in COLUMNS
        if column not in table.columns or column in table.missing
    ]
    problems += [
        Problem(path, 1, "", column, "column not in the schema; kept as is", "warning")
        for column in table.columns
        if column not in COLUMNS
    ]
    by_norm: dict[str, tuple[str, int]] = {}
    found = findings([record.cells for record in table.rows.values()])
    for index, (key, record) in enumerate(table.rows.items()):
        if not KEY_PATTERN.match(key):
            problems.append(
                Problem(path, record.number, key, KEY, "key is not snake_case", "warning")
            )
        for field, message, level in found.get(index, ()):
            problems.append(Problem(path, record.number, key, field, message, level))
        if rules is not None:
            norm = normalise(key, rules) or key
            if norm in by_norm:
                other, row = by_norm[norm]
                problems.append(
                    Problem(
                        path,
                        record.number,
                        key,
                        KEY,
                        f"same model as {other!r} on row {row} (both are {norm!r})",
                        "warning",
                    )
                )
            else:
                by_norm[norm] = (key, record.number)
    return problems


def cross_check(first: CsvTable, second: CsvTable) -> list[Problem]:
    """Keys present in both files (e.g. candidates and below)."""
    problems = []
    for key in first.rows.keys() & second.rows.keys():
        both = is_verified(first.rows[key].cells) and is_verified(second.rows[key].cells)
        problems.append(Problem(
            str(second.path), second.rows[key].number, key, KEY,
            f"also in {first.path} row {first.rows[key].number}"
            + (" (verified in both: resolve by hand)" if both else ""),
            "error" if both else "warning",
        ))  # fmt: skip
    return problems


def grouped(problems: list[Problem], show_rows: int = 8) -> list[str]:
    """Errors one per line; warnings of one kind (file, field, message before any ':')
    on one line with their count and rows, so a legacy import reads at a glance."""
    lines = [str(p) for p in problems if p.level == "error"]
    groups: dict[tuple[str, str, str], list[Problem]] = {}
    for problem in problems:
        if problem.level != "error":
            kind = problem.message.split(":")[0]
            groups.setdefault((problem.file, problem.field, kind), []).append(problem)
    for (file, field, kind), members in groups.items():
        if len(members) == 1:
            lines.append(str(members[0]))
            continue
        messages = {m.message for m in members}
        text = members[0].message if len(messages) == 1 else kind
        rows = ", ".join(str(m.row) for m in members[:show_rows])
        more = ", ..." if len(members) > show_rows else ""
        where = f"{file}, field {field}" if field else file
        lines.append(f"warning: {where}: {text} ({len(members)} rows: {rows}{more})")
    return lines

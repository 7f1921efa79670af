"""The name mapping, ``configs/model_name_mapping.yaml``: staging key -> published name,
plus the entries added at run time in the data directory (:func:`load_mapping`).

Seed format: one ``key: "Published Name"`` per line, grouped by developer under comment
headers such as ``# OpenAI Models``. Reading reports every duplicate key and every name
claimed by two keys with line numbers; writing goes through ruamel.yaml's round trip, so
comments and order survive and a new entry lands at the end of its developer's section.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import CommentMark, MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

from pipeline.collect.names import KEY_PATTERN
from pipeline.errors import ConfigError
from pipeline.storage.atomic import atomic_write_text
from pipeline.yamlfile import parse_yaml

STR_TAG = "tag:yaml.org,2002:str"
NEW_FILE = (
    "# Model name mapping: staging key -> published name (Epoch's published schema).\n"
    "# Grouped by developer; `tracker sync-datasets --suggest-mappings` adds entries.\n\n"
)
_SECTION = re.compile(r"^#\s*(.+?)\s+models?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    key: str
    name: str
    line: int


@dataclass
class MappingFile:
    path: Path
    entries: list[Entry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> MappingFile:
        """Every entry with its line; problems instead of exceptions for bad entries."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except UnicodeDecodeError as exc:
            raise ConfigError(f"not UTF-8 text (byte {exc.start})", file=path) from None
        try:
            root = YAML().compose(text)
        except MarkedYAMLError:
            parse_yaml(text, path)  # raises the one-line ConfigError
            raise
        result = cls(path)
        if root is None:
            return result
        if not isinstance(root, MappingNode):
            raise ConfigError('expected key: "Published Name" lines', file=path)
        first_line: dict[str, int] = {}
        claimed: dict[str, Entry] = {}
        for key_node, value_node in root.value:
            key, line = str(key_node.value), key_node.start_mark.line + 1
            if not isinstance(value_node, ScalarNode) or value_node.tag != STR_TAG:
                result.problems.append(f"line {line}: {key!r} must map to a published name (text)")
                continue
            if not KEY_PATTERN.match(key):
                result.problems.append(f"line {line}: {key!r} is not a staging key")
            if key in first_line:
                result.problems.append(
                    f"line {line}: duplicate key {key!r} (first on line {first_line[key]})"
                )
                continue
            first_line[key] = line
            entry = Entry(key, str(value_node.value), line)
            other = claimed.get(entry.name)
            if other is not None:
                result.problems.append(
                    f"line {line}: {key!r} and {other.key!r} (line {other.line}) both map to "
                    f"{entry.name!r}"
                )
            claimed.setdefault(entry.name, entry)
            result.entries.append(entry)
        return result

    @property
    def mapping(self) -> dict[str, str]:
        return {e.key: e.name for e in self.entries}

    @property
    def reverse(self) -> dict[str, str]:
        return {e.name: e.key for e in reversed(self.entries)}

    def with_entry(self, key: str, name: str) -> MappingFile:
        """This mapping plus one entry, in memory (what adding it would give)."""
        return MappingFile(self.path, [*self.entries, Entry(key, name, 0)], list(self.problems))

    def described_problems(self) -> list[str]:
        return [f"{self.path}: {problem}" for problem in self.problems]


def load_mapping(config: Path, overlay: Path) -> MappingFile:
    """The configured mapping followed by the run-time overlay (``data/state/``: mappings
    reviewers add from the sheet). A key or name in both is a problem of the overlay."""
    base, extra = MappingFile.load(config), MappingFile.load(overlay)
    if not extra.entries and not extra.problems:
        return base
    merged = MappingFile(base.path, list(base.entries), list(base.problems))
    mapping, reverse = base.mapping, base.reverse
    merged.problems += [f"({overlay}) {problem}" for problem in extra.problems]
    for entry in extra.entries:
        if entry.key in mapping or entry.name in reverse:
            clash = entry.key if entry.key in mapping else entry.name
            merged.problems.append(
                f"({overlay}) line {entry.line}: {clash!r} is also in {config.name}"
            )
            continue
        merged.entries.append(entry)
    return merged


# -- writing -------------------------------------------------------------------------------


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml


def _comment(text: str) -> CommentToken:
    return CommentToken(text, CommentMark(0), None)


def _headers(data: CommentedMap) -> list[tuple[str, int]]:
    """(section name, index of its first key) for every ``# X Models`` comment header."""
    found: list[tuple[str, int]] = []
    top = data.ca.comment[1] if data.ca.comment and len(data.ca.comment) > 1 else None
    tokens: list[tuple[object, int]] = [(token, 0) for token in top or []]
    for index, key in enumerate(data):
        item = data.ca.items.get(key)
        if item and len(item) > 2 and item[2] is not None:
            tokens.append((item[2], index + 1))
    for token, start in tokens:
        for line in str(getattr(token, "value", "")).splitlines():
            match = _SECTION.match(line.strip())
            if match:
                found.append((match[1], start))
    return found


def _same_developer(section: str, developer: str) -> bool:
    a, b = (re.sub(r"[^a-z0-9]", "", s.lower()) for s in (section, developer))
    return bool(a and b) and (a == b or a.startswith(b) or b.startswith(a))


def _insert_at(data: CommentedMap, position: int, key: str, name: str) -> None:
    """Insert at ``position``; the comment after the previous key (the next section's
    header) moves to the new key, so the new key stays in the previous key's section."""
    keys = list(data)
    data.insert(position, key, DoubleQuotedScalarString(name))
    if position == 0:
        return
    previous = data.ca.items.get(keys[position - 1])
    token = previous[2] if previous and len(previous) > 2 else None
    if token is None:
        return
    value = token.value
    if value.startswith("#"):  # an inline comment stays with its own line
        inline, _, rest = value.partition("\n")
        previous[2] = CommentToken(inline + "\n", token.start_mark, None)
        if rest:
            data.ca.items[key] = [None, None, _comment("\n" + rest), None]
    else:
        previous[2] = None
        data.ca.items[key] = [None, None, token, None]


def add_mappings(path: Path, additions: list[tuple[str, str, str]]) -> None:
    """Add (key, published name, developer) entries into their developer's section,
    creating a ``# <Developer> Models`` section when there is none."""
    current = MappingFile.load(path)
    if current.problems:
        raise ConfigError(f"fix the mapping file first ({current.problems[0]})", file=path)
    yaml = _yaml()
    text = path.read_bytes().decode("utf-8") if path.exists() else ""
    if not current.entries:
        key, name, developer = additions[0]
        text = f"{text.rstrip()}\n\n" if text.strip() else NEW_FILE
        text += f"# {developer or 'Other'} Models\n{key}: {json.dumps(name, ensure_ascii=False)}\n"
        additions = additions[1:]
    data = yaml.load(text)
    for key, name, developer in additions:
        if key in data:
            raise ConfigError(f"{key!r} is already mapped", file=path)
        section_name = developer or "Other"
        sections = _headers(data)
        starts = [start for _, start in sections]
        ours = [i for i, (title, _) in enumerate(sections) if _same_developer(title, section_name)]
        if ours:
            i = ours[0]
            end = starts[i + 1] if i + 1 < len(starts) else len(data)
            _insert_at(data, end, key, name)
        else:
            _new_section(data, key, name, section_name)
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    output = buffer.getvalue()
    if "\r\n" in text:  # keep the file's line endings, so a diff shows only the new lines
        output = output.replace("\r\n", "\n").replace("\n", "\r\n")
    atomic_write_text(path, output)


def _new_section(data: CommentedMap, key: str, name: str, developer: str) -> None:
    header = f"\n\n# {developer} Models\n"
    last = list(data)[-1]
    data.insert(len(data), key, DoubleQuotedScalarString(name))
    item = data.ca.items.setdefault(last, [None, None, None, None])
    trailing = item[2]
    if trailing is not None and trailing.value.startswith("#"):
        inline, _, rest = trailing.value.partition("\n")
        item[2] = CommentToken(inline + header[1:], trailing.start_mark, None)
        if rest:
            data.ca.items[key] = [None, None, _comment("\n" + rest), None]
        return
    item[2] = _comment(header)
    if trailing is not None:
        data.ca.items[key] = [None, None, trailing, None]

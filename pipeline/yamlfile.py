"""Reading YAML configuration with one-line errors that name the file and line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import yamlfast
from pipeline.errors import ConfigError

if TYPE_CHECKING:
    from pydantic import ValidationError


def load_yaml(path: str | Path, *, required: bool = True) -> Any:
    """Parse a YAML file; duplicate keys, tabs and syntax errors raise ConfigError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise ConfigError("file not found", file=path) from None
        return None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", file=path) from None
    return parse_yaml(text, path)


def parse_yaml(text: str, path: str | Path) -> Any:
    """The document, read as YAML 1.2 (ruamel.yaml); plain documents are read by libyaml
    with the same result (:mod:`pipeline.yamlfast`), the rest and every error by ruamel."""
    try:
        return yamlfast.parse(text)
    except yamlfast.Unsure:
        pass
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import DuplicateKeyError
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.scanner import ScannerError

    yaml = YAML(typ="safe", pure=True)
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        scanning = isinstance(exc, ScannerError)  # where the token began says most
        mark = (exc.context_mark if scanning else None) or exc.problem_mark or exc.context_mark
        line = f"line {mark.line + 1}: " if mark is not None else ""
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if isinstance(exc, DuplicateKeyError):
            first = exc.context_mark
            problem = problem.split(" with value")[0]
            if first is not None:
                problem += f" (the mapping starts on line {first.line + 1})"
        raise ConfigError(f"{line}{problem}", file=path) from None
    except YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", file=path) from None


def expect_mapping(value: Any, path: str | Path, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{what} must be a mapping, not {type(value).__name__}", file=path)
    return value


def expect_str_list(value: Any, path: str | Path, what: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{what} must be a list of strings", file=path)
    return value


def first_problem(exc: ValidationError) -> tuple[str, list[str]]:
    """The first validation error of a pydantic model: its message and field path."""
    error = exc.errors()[0]
    return error["msg"], [str(part) for part in error["loc"]]

"""The one pipeline home of the test suites: a project folder with the shipped configs and
sample data, ``tracker`` commands run on it in this process, and :class:`Home`, the base
of each suite's project helper (``tests/conftest.py``'s ``project`` fixture and each
suite's session templates build on these)."""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result
from project_paths import ProjectPaths, exports_and_epoch_only, remove_online_sources

from pipeline.cli import with_plugins
from pipeline.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
PIPELINE: tuple[str, ...] = ("collect-all", "estimate-flops", "refresh-dataset")
FILES = {
    "candidates": "clean/above_1e25_flop.csv",
    "below": "clean/below_1e25_flop.csv",
    "staging": "staging/above_1e25_flop_staging.csv",
    "published": "published/published_data.csv",
}
KEYS = {"published": "Model"}


def invoke(
    data: Path, configs: Path, *args: str, input: str | None = None, catch: bool = False
) -> Result:
    """``tracker --data-dir DATA --config-dir CONFIGS ARGS...`` in this process (``catch``:
    an exception becomes the result's, instead of failing the test where it is raised)."""
    options = ["--data-dir", str(data), "--config-dir", str(configs)]
    return CliRunner().invoke(
        with_plugins(), [*options, *args], input=input, catch_exceptions=catch
    )


def csv_text(header: Sequence[str], rows: Iterable[Mapping[str, str]]) -> str:
    """A CSV file as the project writes one (``\\n`` line endings, minimal quoting); a
    column a row lacks is empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return buffer.getvalue()


def read_csv(path: Path, key: str = "model") -> dict[str, dict[str, str]]:
    """A CSV file's rows by key, in file order (missing file: no rows)."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row[key]: row for row in csv.DictReader(handle)}


@dataclass(frozen=True)
class Home(ProjectPaths):
    """A project folder with ``configs/`` and ``data/``: its commands, tables and settings."""

    root: Path

    def cli(self, *args: str) -> Result:
        """``tracker --data-dir DATA --config-dir CONFIGS ARGS...`` in this process."""
        return invoke(self.data, self.configs, *args)

    def file(self, table: str) -> Path:
        return self.data / FILES[table]

    def rows(self, table: str) -> dict[str, dict[str, str]]:
        return read_csv(self.file(table), KEYS.get(table, "model"))

    def settings(self) -> Settings:
        return load_settings(self.configs, data_dir=self.data)


def make_home(root: Path, *, offline: bool = True, samples: bool = False) -> Path:
    """``root`` as a fresh project: ``configs/`` (the shipped ones; ``offline``: without the
    sources that fetch from the network, so no test can reach it; without ``samples``, the
    sample's model cards and saved benchmark pages, as the suites' scenarios are written on
    the LMArena exports and Epoch's data) and ``data/raw`` (the shipped samples)."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "configs", root / "configs")
    if offline:
        remove_online_sources(root / "configs")
    if not samples:
        exports_and_epoch_only(root / "configs")
    shutil.copytree(ROOT / "data" / "raw", root / "data" / "raw")
    return root


def collected_as_run(root: Path) -> Settings:
    """``root`` as the shipped project after ``make run``'s collect on a machine offline:
    every shipped source but OpenLM.ai's live page (the other live ones fail in one line
    each; Epoch's reads its saved copy); the project's settings."""
    home = make_home(root, offline=False, samples=True)
    (home / "configs" / "scrapers" / "openlm_arena.yaml").unlink()
    run_steps(home, ["collect-all"])
    return load_settings(home / "configs", data_dir=home / "data")


def run_steps(
    home: Path,
    steps: Iterable[str | Sequence[str]] = PIPELINE,
    *,
    unset: Iterable[str] = (),
) -> None:
    """Run each ``tracker`` command of ``steps`` (a name, or a name and its arguments) on
    ``home``, each of which must succeed, without the developer's TRACKER_* variables and
    the ``unset`` ones."""
    names = [n for n in os.environ if n.startswith("TRACKER_") or n in set(unset)]
    saved = {name: os.environ.pop(name) for name in names}
    try:
        for step in steps:
            args = [step] if isinstance(step, str) else list(step)
            result = invoke(home / "data", home / "configs", *args)
            assert result.exit_code == 0, result.output
    finally:
        os.environ.update(saved)


def copy_home(template: Path, root: Path) -> Path:
    """A private copy of a built project (its ``configs/`` and ``data/``) at ``root``."""
    shutil.copytree(template / "configs", root / "configs", dirs_exist_ok=True)
    shutil.copytree(template / "data", root / "data", dirs_exist_ok=True)
    return root

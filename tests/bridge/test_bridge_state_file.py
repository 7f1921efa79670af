"""The sync state file: any text comes back as itself, a state saved again unchanged is not
written, one written by the standard library's encoder still loads; a first push to a new
workbook and an idle sync never load openpyxl."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bridge_support import Project

from bridge.state import BridgeState
from pipeline.errors import InputError

TEXTS = ("plain", "naïve 🚀 中文", "line\nend", "lone \ud800 surrogate", '"quoted" \\ back')


def state(path: Path, texts: tuple[str, ...] = TEXTS) -> BridgeState:
    rows = {f"m{i}": {"model": f"m{i}", "notes": text} for i, text in enumerate(texts)}
    return BridgeState(path, bases={"candidates": rows}, cache={"local": {"refs": {"a": 1}}})


@pytest.mark.parametrize("texts", [TEXTS, TEXTS[:3]], ids=["refused by orjson", "orjson"])
def test_any_text_comes_back_as_itself(tmp_path: Path, texts: tuple[str, ...]) -> None:
    saved = state(tmp_path / "bridge_local.json", texts)
    saved.save()
    loaded = BridgeState.load(tmp_path, "local")
    assert loaded.bases == saved.bases and loaded.cache == saved.cache
    assert loaded.journal is None


def test_a_state_saved_again_unchanged_is_not_written(tmp_path: Path) -> None:
    state(tmp_path / "bridge_local.json").save()
    before = os.stat(tmp_path / "bridge_local.json")
    loaded = BridgeState.load(tmp_path, "local")
    loaded.save()
    assert os.stat(tmp_path / "bridge_local.json").st_ino == before.st_ino


def test_a_state_written_by_the_standard_library_loads(tmp_path: Path) -> None:
    earlier = state(tmp_path / "bridge_local.json")
    data = {"bases": earlier.bases, "journal": None, "cache": earlier.cache}
    (tmp_path / "bridge_local.json").write_text(json.dumps(data, sort_keys=True) + "\n")
    assert BridgeState.load(tmp_path, "local").bases == earlier.bases


def test_a_damaged_state_is_one_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bridge_local.json").write_bytes(b'{"bases": {"candidates": [1,')
    with pytest.raises(InputError, match="damaged sync state"):
        BridgeState.load(tmp_path, "local")


def imported_openpyxl(project: Project, *args: str) -> bool:
    """Whether ``tracker ARGS`` on ``project``, run in a new process, imported openpyxl."""
    code = (
        "import sys\n"
        "from pipeline.cli.main import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "print('openpyxl' in sys.modules)\n"
    )
    options = ["--data-dir", str(project.data), "--config-dir", str(project.configs)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRTABLE", "GSHEETS"))}
    output = subprocess.run(
        [sys.executable, "-c", code, *options, *args],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    return output.stdout.strip().splitlines()[-1] == "True"


def test_a_new_workbook_and_an_idle_sync_never_load_openpyxl(fresh: Project) -> None:
    assert not imported_openpyxl(fresh, "bridge", "push")
    assert fresh.workbook.exists()
    fresh.mirror()  # settles what the first push left to say
    assert not imported_openpyxl(fresh, "bridge", "sync")

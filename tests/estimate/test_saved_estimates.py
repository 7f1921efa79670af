"""The saved estimates are read without checking each record again while the file is exactly
as estimate-flops wrote it (its fingerprint, data/state/estimated_fingerprint.json); a file
changed since, by hand or by another tool, is checked record by record."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from test_record_checks import record

from pipeline.errors import InputError
from pipeline.estimate.runner import checks, load_previous, save_estimates
from pipeline.paths import DataPaths
from pipeline.storage.jsondoc import encode_lines

# A record the check refuses: estimate-flops never writes one, so a reader that accepts
# it has not checked it.
UNCHECKED = record("model_b", confidence="sure")
REFUSED = ", record models[1] (model_b), field confidence: 'sure' is not one of"


@pytest.fixture
def paths(tmp_path: Path) -> DataPaths:
    paths = DataPaths(tmp_path / "data")
    save_estimates(paths, {}, encode_lines([record(), UNCHECKED]))
    return paths


def refusal(paths: DataPaths) -> str:
    with pytest.raises(InputError) as caught:
        load_previous(paths)
    return str(caught.value)


def test_the_file_as_written_is_read_without_the_check(paths: DataPaths) -> None:
    assert load_previous(paths) == {"model_a": record(), "model_b": UNCHECKED}


def test_the_same_bytes_saved_by_another_tool_are_checked(paths: DataPaths) -> None:
    other = paths.estimated.with_name("edited.json")
    other.write_bytes(paths.estimated.read_bytes())
    os.replace(other, paths.estimated)
    assert REFUSED in refusal(paths)


def test_a_file_edited_in_place_and_touched_back_to_its_time_is_checked(
    paths: DataPaths,
) -> None:
    status = paths.estimated.stat()
    time.sleep(0.05)  # past a coarse clock's tick: the change time is the edit's own
    paths.estimated.write_bytes(paths.estimated.read_bytes())
    os.utime(paths.estimated, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert REFUSED in refusal(paths)


def test_an_edited_record_is_named(paths: DataPaths) -> None:
    save_estimates(paths, {}, encode_lines([record(), record("model_b")]))
    text = paths.estimated.read_text(encoding="utf-8")
    paths.estimated.write_text(text.replace('"status":"confirmed_above_1e25"', '"status":"?"', 1))
    message = refusal(paths)
    assert message.startswith(f"{paths.estimated}, record models[0] (model_a), field status: '?'")
    assert "\n" not in message


@pytest.mark.parametrize(
    "fingerprint",
    [None, "", "{not json", '{"file": "estimated_models.json"}', "[]"],
    ids=["missing", "empty", "damaged", "incomplete", "not_an_object"],
)
def test_without_a_usable_fingerprint_the_file_is_checked(
    paths: DataPaths, fingerprint: str | None
) -> None:
    paths.estimated_fingerprint.unlink()
    if fingerprint is not None:
        paths.estimated_fingerprint.write_text(fingerprint, encoding="utf-8")
    assert REFUSED in refusal(paths)


def test_the_fingerprint_of_the_file_before_is_not_this_files(paths: DataPaths) -> None:
    """A write interrupted between the rename and the fingerprint leaves the old one."""
    before = paths.estimated_fingerprint.read_bytes()
    save_estimates(paths, {"n": 2}, encode_lines([record(), UNCHECKED]))
    paths.estimated_fingerprint.write_bytes(before)
    assert REFUSED in refusal(paths)


def test_a_copied_data_folder_is_checked(paths: DataPaths, tmp_path: Path) -> None:
    copy = DataPaths(tmp_path / "copy")
    for path in (paths.estimated, paths.estimated_fingerprint):
        target = copy.root / path.relative_to(paths.root)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    assert REFUSED in refusal(copy)


def test_estimate_flops_records_the_fingerprint(run: Callable[..., Result], project: Path) -> None:
    assert run("collect-all").exit_code == 0
    assert run("estimate-flops").exit_code == 0
    paths = DataPaths(project / "data")
    saved: dict[str, Any] = json.loads(paths.estimated_fingerprint.read_text(encoding="utf-8"))
    status = paths.estimated.stat()
    assert saved == {
        "file": "estimated_models.json",
        "checks": checks(),
        "inode": status.st_ino,
        "size": status.st_size,
        "mtime_ns": status.st_mtime_ns,
        "ctime_ns": status.st_ctime_ns,
    }


def test_a_file_written_under_other_checks_is_checked(paths: DataPaths) -> None:
    """A release whose record checks differ does not trust the file an earlier one wrote."""
    saved = json.loads(paths.estimated_fingerprint.read_text(encoding="utf-8"))
    saved["checks"] = "an earlier release"
    paths.estimated_fingerprint.write_text(json.dumps(saved), encoding="utf-8")
    assert REFUSED in refusal(paths)

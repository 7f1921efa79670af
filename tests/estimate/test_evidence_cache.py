"""The merged evidence kept between runs: read back only while no scraped document has
changed, and always the evidence a fresh merge gives."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from pipeline.estimate import evidence_cache
from pipeline.estimate.evidence import Evidence, load_evidence
from pipeline.estimate.evidence_cache import load_merged
from pipeline.paths import DataPaths
from pipeline.settings import Settings


@pytest.fixture
def paths(run: Callable[..., Result], settings: Settings) -> DataPaths:
    assert run("collect-all").exit_code == 0
    return DataPaths(settings.data_dir)


def merged(
    paths: DataPaths, held: dict[Path, dict[str, Any]] | None = None, keep: bool = True
) -> dict[str, Evidence]:
    """The evidence of a run, kept for the next as a run that succeeded keeps it."""
    found = load_merged(paths.scraped, paths.evidence_cache, held)
    if keep:
        found.keep()
    return found.evidence


@pytest.fixture
def merges(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many merges of the documents were made."""
    made: list[int] = []

    def counted(*args: Any) -> Any:
        made.append(1)
        return load_evidence(*args)

    monkeypatch.setattr(evidence_cache, "load_evidence", counted)
    return made


def test_unchanged_documents_are_read_from_the_cache(paths: DataPaths, merges: list[int]) -> None:
    first = merged(paths)
    assert paths.evidence_cache.exists() and len(merges) == 1
    again = merged(paths)
    assert len(merges) == 1
    assert again == first == load_evidence(paths.scraped)
    assert [type(item.developers).__name__ for item in again.values()][:1] == ["Counter"]
    assert list(again) == list(first)


def rewrite(path: Path) -> None:
    """The same content written again: a write all the same."""
    path.write_bytes(path.read_bytes())


@pytest.mark.parametrize("change", ["rewritten", "added", "removed"])
def test_a_changed_document_is_merged_again(
    paths: DataPaths, merges: list[int], change: str
) -> None:
    merged(paths)
    documents = sorted(paths.scraped.glob("*_models.json"))
    if change == "rewritten":
        rewrite(documents[0])
    elif change == "added":
        (paths.scraped / "extra_models.json").write_bytes(documents[0].read_bytes())
    else:
        documents[0].unlink()
    found = merged(paths)
    assert len(merges) == 2
    assert found == load_evidence(paths.scraped)
    merged(paths)  # kept anew
    assert len(merges) == 2


@pytest.mark.parametrize("damage", [b"", b"{", b'{"key": 1}', b"[1, 2]"])
def test_a_damaged_cache_is_never_used(paths: DataPaths, merges: list[int], damage: bytes) -> None:
    merged(paths)
    paths.evidence_cache.write_bytes(damage)
    assert merged(paths) == load_evidence(paths.scraped)
    assert len(merges) == 2


def test_a_cache_made_by_other_code_is_never_used(
    paths: DataPaths, merges: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    merged(paths)
    other = tmp_path / "changed.py"
    other.write_text("# another release\n")
    monkeypatch.setattr(evidence_cache, "CODE", (*evidence_cache.CODE, other))
    merged(paths)
    assert len(merges) == 2


def test_a_document_changed_while_merging_is_not_kept(
    paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = sorted(paths.scraped.glob("*_models.json"))[0]

    def changing(*args: Any) -> Any:
        found = load_evidence(*args)
        rewrite(document)
        return found

    monkeypatch.setattr(evidence_cache, "load_evidence", changing)
    merged(paths)
    assert not paths.evidence_cache.exists()


def test_a_failed_or_dry_run_keeps_nothing_and_documents_in_memory_are_merged(
    paths: DataPaths, merges: list[int]
) -> None:
    merged(paths, keep=False)
    assert not paths.evidence_cache.exists()
    merged(paths)
    document = sorted(paths.scraped.glob("*_models.json"))[0]
    held = {document: {"metadata": {}, "models": [{"key": "only_here", "raw_names": ["X"]}]}}
    found = merged(paths, held)
    assert "only_here" in found
    assert len(merges) == 3
    assert "only_here" not in merged(paths)


def test_estimate_flops_keeps_the_merge_and_estimates_the_same(
    run: Callable[..., Result], paths: DataPaths, merges: list[int], settings: Settings
) -> None:
    assert run("estimate-flops", "--dry-run").exit_code == 0
    assert not paths.evidence_cache.exists()
    known = settings.config_dir / "known_models.yaml"
    text = known.read_text()
    known.write_text(text + "\n\tbad: [\n")
    assert run("estimate-flops").exit_code != 0  # a failed command writes nothing
    assert not paths.evidence_cache.exists()
    known.write_text(text)
    assert run("estimate-flops").exit_code == 0
    first = paths.estimated.read_bytes()
    assert run("estimate-flops", "--update").exit_code == 0
    assert len(merges) == 3  # the dry run's, the failed run's and the first run's
    assert paths.estimated.read_bytes() == first
    os.utime(sorted(paths.scraped.glob("*_models.json"))[0])
    assert run("estimate-flops", "--update").exit_code == 0
    assert len(merges) == 4

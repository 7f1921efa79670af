"""Estimating on two cores gives what one process gives, to the byte and in the same order,
whatever becomes of the child; and it is not tried where forking is unsafe."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from pipeline import twocores
from pipeline.estimate import estimator as estimating
from pipeline.estimate import parallel
from pipeline.estimate.estimator import Estimator
from pipeline.estimate.evidence import load_evidence
from pipeline.estimate.hardware import load_checked
from pipeline.paths import ConfigPaths, DataPaths
from pipeline.settings import Settings
from pipeline.storage.jsondoc import read_document, write_document

CHUNK = 32  # small chunks, so that the sample's models are split


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks and a threshold small enough for the sample; forking allowed."""
    monkeypatch.setattr(estimating, "CHUNK", CHUNK)
    monkeypatch.setattr(parallel, "SPLIT_FROM", 2 * CHUNK)
    monkeypatch.setattr(twocores, "may_fork", lambda: True)


@pytest.fixture
def estimator(run: Callable[..., Result], settings: Settings) -> Estimator:
    assert run("collect-all").exit_code == 0
    evidence = load_evidence(DataPaths(settings.data_dir).scraped)
    known = load_checked(ConfigPaths(settings.config_dir).known_models, settings.estimation)
    return Estimator(evidence, known, settings)


def in_one_process(estimator: Estimator, keys: list[str]) -> tuple[Any, list[bytes]]:
    one = parallel._made(estimator, keys, {})
    made, lines = one.made, one.lines
    return made, [bytes(line) for line in lines]


def split(estimator: Estimator, keys: list[str]) -> tuple[Any, list[memoryview]]:
    estimated = parallel.estimate_encoded(estimator, keys, {})
    return estimated.records(), estimated.lines


def no_child_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.mark.usefixtures("small_chunks")
def test_two_processes_make_the_records_and_lines_of_one(
    estimator: Estimator, child_answers: list[bool]
) -> None:
    keys = list(estimator.evidence)
    assert len(keys) > 4 * CHUNK
    made, lines = split(estimator, keys)
    expected, expected_lines = in_one_process(estimator, keys)
    assert made == expected
    assert [key for key, _ in made] == [key for key, _ in expected]
    assert [bytes(line) for line in lines] == expected_lines
    assert split(estimator, keys)[0] == expected
    assert child_answers == [True, True]
    assert no_child_left()


@pytest.mark.usefixtures("small_chunks")
def test_the_childs_records_are_decoded_only_when_wanted(
    estimator: Estimator, child_answers: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    decoded: list[int] = []
    decode = parallel._decoded
    monkeypatch.setattr(parallel, "_decoded", lambda lines: decoded.append(1) or decode(lines))
    keys = list(estimator.evidence)
    estimated = parallel.estimate_encoded(estimator, keys, {}, decode=False)
    assert child_answers == [True] and not decoded
    expected, expected_lines = in_one_process(estimator, keys)
    assert [bytes(line) for line in estimated.lines] == expected_lines
    assert estimated.summaries == [
        (r["key"], r["training_flop"], r["estimation_method"], r["threshold_classification"])
        for _, r in expected
    ]
    assert estimated.records() == expected and decoded
    assert estimated.records() == expected  # decoded once


@pytest.mark.usefixtures("small_chunks")
def test_a_subset_is_split_as_it_is_estimated_alone(
    estimator: Estimator, child_answers: list[bool]
) -> None:
    """A model's benchmarks are in the order of the keys estimated together, in both
    processes: their order among all the keys is found before the fork."""
    keys = list(estimator.evidence)[::-2]
    assert len(keys) > 2 * CHUNK
    assert split(estimator, keys)[0] == in_one_process(estimator, keys)[0]
    assert child_answers == [True]


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize("failure", ["exit", "short answer", "killed"])
def test_what_the_child_fails_to_make_is_made_here(
    estimator: Estimator, monkeypatch: pytest.MonkeyPatch, failure: str, child_answers: list[bool]
) -> None:
    def failing_child(*args: Any) -> None:
        answer = args[2]
        if failure == "short answer":
            os.write(answer.fileno(), (7).to_bytes(8, "little") + b"\0" * 12)
            os._exit(0)
        if failure == "killed":
            os.kill(os.getpid(), 9)
        os._exit(3)

    monkeypatch.setattr(twocores, "_child", failing_child)
    keys = list(estimator.evidence)
    made, lines = split(estimator, keys)
    expected, expected_lines = in_one_process(estimator, keys)
    assert made == expected
    assert [bytes(line) for line in lines] == expected_lines
    assert child_answers == ([False] if failure == "short answer" else [])
    assert no_child_left()


@pytest.mark.usefixtures("small_chunks")
def test_an_error_here_stops_the_child_and_is_raised(
    estimator: Estimator, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    made = parallel._made

    def failing_here(*args: Any, **kwargs: Any) -> Any:
        if os.getpid() == parent:
            raise RuntimeError("disk full")
        return made(*args, **kwargs)

    monkeypatch.setattr(parallel, "_made", failing_here)
    with pytest.raises(RuntimeError, match="disk full"):
        parallel.estimate_encoded(estimator, list(estimator.evidence), {})
    assert no_child_left()


def test_no_fork_with_another_thread(estimator: Estimator, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker's scheduler runs threads: its cycles estimate in one process."""
    monkeypatch.setattr(estimating, "CHUNK", CHUNK)
    monkeypatch.setattr(parallel, "SPLIT_FROM", 2 * CHUNK)

    def no_fork() -> int:
        raise AssertionError("forked")

    monkeypatch.setattr(os, "fork", no_fork)
    stop = threading.Event()
    waiting = threading.Thread(target=stop.wait)
    waiting.start()
    try:
        assert not twocores.may_fork()
        keys = list(estimator.evidence)
        made, _ = split(estimator, keys)
        assert made == in_one_process(estimator, keys)[0]
    finally:
        stop.set()
        waiting.join()


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The forks made, counted (they still happen)."""
    made: list[int] = []
    fork = os.fork

    def counted() -> int:
        pid = fork()
        if pid:
            made.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted)
    yield made


@pytest.mark.usefixtures("small_chunks")
def test_estimate_flops_on_two_cores_writes_what_one_writes(
    run: Callable[..., Result],
    settings: Settings,
    forks: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run("collect-all").exit_code == 0
    target = DataPaths(settings.data_dir).estimated
    assert run("estimate-flops").exit_code == 0  # the first run, by default
    assert len(forks) == 1
    first = target.read_bytes()
    target.unlink()
    monkeypatch.setattr(twocores, "may_fork", lambda: False)
    assert run("estimate-flops").exit_code == 0
    assert _masked(target) == _masked_bytes(first)
    monkeypatch.setattr(twocores, "may_fork", lambda: True)
    decoded: list[int] = []
    decode = parallel._decoded
    monkeypatch.setattr(parallel, "_decoded", lambda lines: decoded.append(1) or decode(lines))
    done = run("estimate-flops", "--update")
    assert done.exit_code == 0, done.output
    assert len(forks) == 2
    assert "Unchanged" in done.output
    assert not decoded  # the command prints counts: the child's records are never decoded
    assert f"{len(read_document(target)['models'])} models: 0 new" in done.output


@pytest.mark.usefixtures("small_chunks")
def test_changed_and_kept_estimates_on_two_cores_are_saved_as_in_one(
    run: Callable[..., Result],
    settings: Settings,
    forks: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The default run: models whose evidence changed estimated on two cores, the others
    kept; the file holds what one process writes."""
    assert run("collect-all").exit_code == 0
    assert run("estimate-flops").exit_code == 0
    paths = DataPaths(settings.data_dir)
    for document in sorted(paths.scraped.glob("*_models.json")):
        doc = read_document(document)
        assert doc is not None
        for model in doc["models"][::2]:
            model["raw_names"] = [*model.get("raw_names", []), model["key"] + " (again)"]
        write_document(document, doc)
    saved = {path: path.read_bytes() for path in (paths.estimated, paths.estimated_fingerprint)}
    done = run("estimate-flops")
    assert done.exit_code == 0, done.output
    assert len(forks) == 2
    assert " re-estimated" in done.output and "kept" in done.output
    two = _masked(paths.estimated)
    for path, text in saved.items():
        path.write_bytes(text)
    monkeypatch.setattr(twocores, "may_fork", lambda: False)
    assert run("estimate-flops").exit_code == 0
    assert _masked(paths.estimated) == two


def _masked(path: Path) -> bytes:
    return _masked_bytes(path.read_bytes())


def _masked_bytes(text: bytes) -> bytes:
    """The document without its time of making."""
    return b"\n".join(line for line in text.split(b"\n") if b'"generated_at"' not in line)

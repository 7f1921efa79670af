"""The data lock is held only while a decision is written, never while a prompt waits;
Ctrl-C at a prompt stops the review with "stopped" and exit status 130."""

from __future__ import annotations

import threading
from pathlib import Path

import click
import pytest
from review_support import Data, Review, summary

import pipeline.cli.prompts as prompts
from pipeline.storage.lock import data_lock


def lock_is_free(state: Path) -> bool:
    """Whether another writer (another thread: the lock is re-entrant per thread) could
    take the data lock now."""
    free: list[bool] = []

    def attempt() -> None:
        try:
            with data_lock(state, "probe", wait=0):
                free.append(True)
        except Exception:
            free.append(False)

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join()
    return free == [True]


def test_no_lock_is_held_while_waiting_at_a_prompt(
    data: Data, review: Review, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    real = click.prompt

    def prompt(*args: object, **kwargs: object) -> object:
        seen.append(lock_is_free(data.root / "state"))
        return real(*args, **kwargs)

    monkeypatch.setattr(prompts.click, "prompt", prompt)
    result = review(input="y\nreported\nq\n")
    assert result.exit_code == 0, result.output
    assert len(seen) == 3 and all(seen)
    assert len(data.rows("staging")) == 1


def test_ctrl_c_at_a_prompt_says_stopped(
    data: Data, review: Review, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["skip"])

    def prompt(*args: object, **kwargs: object) -> str:
        try:
            return next(answers)
        except StopIteration:
            raise click.Abort from None  # what click.prompt raises on Ctrl-C

    monkeypatch.setattr(prompts.click, "prompt", prompt)
    monkeypatch.setattr(prompts, "input_closed", lambda: False)  # a terminal, still open
    monkeypatch.setattr("pipeline.cli.review.input_closed", lambda: False)
    result = review(input="")
    assert result.exit_code == 130
    assert result.output.splitlines()[-2:] == [summary(skipped=1), "stopped"]
    assert "standard input is closed" not in result.output

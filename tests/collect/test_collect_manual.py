"""Models added by hand in data/raw/manual/models.yaml."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Run = Callable[..., Result]
ENTRY = """\
- name: Example-Titan-2
  developer: Meta AI
  date: 2026-11-30
  parameters: 1.2e+12
  tokens: 3.0e+13
  compute: 2.0e+26
  confidence: medium
  sources: [https://example.com/titan-2, https://example.com/paper]
  notes: Compute from the model card.
- name: Example-Small
"""


def manual(project: Path) -> Path:
    return project / "data" / "raw" / "manual" / "models.yaml"


def scraped(project: Path) -> list[dict]:
    path = project / "data" / "scraped" / "manual_models_models.json"
    return json.loads(path.read_text(encoding="utf-8"))["models"]


def test_the_shipped_file_is_an_empty_list(run: Run, project: Path) -> None:
    result = run("collect-all", "--source", "manual_models")
    assert result.exit_code == 0
    assert result.output.startswith("ok    manual_models: 0 models (saved: ")
    assert scraped(project) == []


def test_an_entry_becomes_a_record_with_its_figures_as_specs(run: Run, project: Path) -> None:
    manual(project).write_text(ENTRY, encoding="utf-8")
    result = run("collect-all", "--source", "manual_models")
    assert result.output.splitlines()[:2] == [
        f"ok    manual_models: 2 models, 2 new (saved: "
        f"{project / 'data' / 'scraped' / 'manual_models_models.json'})",
        "      new models: example_small, example_titan_2",
    ]
    titan, small = scraped(project)
    assert (titan["key"], titan["name"], titan["developer"]) == (
        "example_titan_2",
        "Example-Titan-2",
        "Meta",
    )
    assert titan["specs"] == {
        "release_date": "2026-11-30",
        "parameters": 1200000000000,
        "training_flop": 2e26,
        "training_tokens": 30000000000000,
        "confidence": "medium",
        "source_url": "https://example.com/titan-2",
        "notes": "Compute from the model card.",
    }
    assert titan["sources"] == [
        "data/raw/manual/models.yaml (added by hand)",
        "https://example.com/titan-2",
    ]
    assert (small["key"], small["specs"]) == ("example_small", {})


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("- developer: Example Lab\n", "record 1, field name: every model needs a name"),
        ("- name: X\n  colour: red\n", "record 1, field colour: not a known field"),
        ("- just a name\n", "record 1: each model must be a mapping of fields"),
        ("name: X\n", "expected a list of models, not dict"),
        ("- name: X\n\t- bad\n", "line 2: "),
    ],
)
def test_a_bad_file_fails_the_source_in_one_line(
    run: Run, project: Path, text: str, problem: str
) -> None:
    manual(project).write_text(text, encoding="utf-8")
    result = run("collect-all")
    assert result.exit_code == 0  # the other sources go on
    (line,) = [x for x in result.output.splitlines() if x.startswith("fail")]
    assert line.startswith(f"fail  manual_models: {manual(project)}")
    assert problem in line


def test_a_bad_value_is_named_and_the_entry_kept(run: Run, project: Path) -> None:
    manual(project).write_text("- name: X-1\n  compute: lots\n", encoding="utf-8")
    result = run("collect-all", "--source", "manual_models")
    assert (
        f"warning: {manual(project)}, record 1, field training_flop: 'lots' is not a number;"
        " ignored"
    ) in result.output
    assert scraped(project)[0]["specs"] == {}

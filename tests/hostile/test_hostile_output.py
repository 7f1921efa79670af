"""``query --output`` never writes into the data directory's datasets, sheets or state, nor
into the configs: it refuses in one line and every file stays as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_support import STAGING, Case, Home, cases, verify

REFUSED = (
    "Error: {target}: query output may not go into {folder} (datasets, sheets, state and"
    " configs are written only by their commands); choose another file or use --save"
)


def refused(target: str, folder: str) -> Case:
    return Case(
        f"refused_{target.split('/')[-1]}",
        lambda home: {"target": target.format(**home.fields())},
        ("query", "--output", target),
        1,
        REFUSED.replace("{folder}", folder),
    )


OUTPUT = [
    refused("{data}/staging/above_1e25_flop_staging.csv", "{data}/staging"),
    refused("{data}/clean/above_1e25_flop.csv", "{data}/clean"),
    refused("{data}/state/worker.json", "{data}/state"),
    refused("{data}/published/published_data.csv", "{data}/published"),
    refused("{data}/sheets/tracker.xlsx", "{data}/sheets"),
    refused("{data}/query_results/../clean/below_1e25_flop.csv", "{data}/clean"),
    refused("{configs}/aliases.yaml", "{configs}"),
]


@pytest.mark.parametrize("case", cases(OUTPUT))
def test_query_output_into_the_data_is_refused(home: Home, case: Case) -> None:
    verify(home, case)


def test_query_output_through_a_link_is_refused(home: Home) -> None:
    link = home.root / "export"
    link.symlink_to(home.path(STAGING).parent)
    before = home.path(STAGING).read_bytes()
    result = home.cli("query", "--output", str(link / "above_1e25_flop_staging.csv"))
    assert result.exit_code == 1 and "may not go into" in result.output
    assert home.path(STAGING).read_bytes() == before


@pytest.mark.parametrize("target", ["{root}/top.csv", "{data}/query_results/top.csv"])
def test_query_output_elsewhere_is_written(home: Home, target: str) -> None:
    path = target.format(**home.fields())
    result = home.cli("query", "--top", "3", "--format", "csv", "--output", path)
    assert result.exit_code == 0, result.output
    assert len(Path(path).read_text(encoding="utf-8").splitlines()) == 4

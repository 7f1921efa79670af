"""Source configurations in configs/scrapers: one YAML file per source."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.collect.sources import SourceConfig, load_sources
from pipeline.errors import ConfigError

COLUMNS = "columns:\n  model: [Model]\nbenchmarks:\n  arena_score: [Score]\n"
CSV_SOURCE = "type: csv_file\npath: raw/x.csv\n" + COLUMNS


def test_shipped_sources_load_sorted_and_named_after_their_file(
    shipped_sources: dict[str, SourceConfig],
) -> None:
    assert list(shipped_sources) == [
        "epoch_models",
        "huggingface",
        "lmarena_live",
        "lmarena_text",
        "manual_models",
        "model_cards",
        "olympicarena",
        "openlm_arena",
        "superclue",
    ]
    openlm = shipped_sources["openlm_arena"]
    assert (openlm.type, openlm.url) == ("html_table", "https://openlm.ai/chatbot-arena/")
    lmarena = shipped_sources["lmarena_text"]
    assert lmarena.reference == (
        "https://lmarena.ai/leaderboard/text (LMArena text leaderboard export)"
    )
    assert lmarena.patterns == ["raw/lmarena/*.csv", "raw/lmarena/text/*.csv"]


def test_input_path_is_relative_to_the_data_directory(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text(CSV_SOURCE, encoding="utf-8")
    (source,) = load_sources(tmp_path)
    assert source.input_path(tmp_path) == tmp_path / "raw/x.csv"
    assert source.patterns == ["raw/x.csv"]


@pytest.mark.parametrize(
    ("stem", "text", "message"),
    [
        (
            "no_model",
            "type: csv_file\npath: x.csv\ncolumns:\n  developer: [Organization]\n"
            "benchmarks:\n  arena_score: [Score]\n",
            ": Value error, columns must name the model column",
        ),
        (
            "no_url",
            "type: html_table\n" + COLUMNS,
            ": Value error, an html_table source needs a url",
        ),
        (
            "no_path",
            "type: csv_file\n" + COLUMNS,
            ": Value error, a csv_file source needs a path or a glob",
        ),
        (
            "no_page",
            "type: html_file\n" + COLUMNS,
            ": Value error, a html_file source needs a path or a glob",
        ),
        (
            "both",
            "glob: raw/*.csv\n" + CSV_SOURCE,
            ": Value error, give a path (one file) or a glob (a folder), not both",
        ),
        (
            "no_bench",
            "type: csv_file\npath: x.csv\ncolumns:\n  model: [Model]\n",
            ": Value error, benchmarks: name one or more benchmark columns",
        ),
        (
            "save_as",
            "save_as: raw/x.csv\n" + CSV_SOURCE,
            ": Value error, save_as needs a url and a {date} in the file name",
        ),
        ("Bad-Name", CSV_SOURCE, ", field name: Value error, use lower-case letters, digits and _"),
        (
            "renamed",
            "name: lmarena text\n" + CSV_SOURCE,
            ", field name: Value error, use lower-case",
        ),
        ("pdf", CSV_SOURCE.replace("csv_file", "pdf_file"), ", field type: Input should be"),
        ("extra", CSV_SOURCE + "colour: red\n", ", field colour: Extra inputs are not permitted"),
        (
            "dup_key",
            "type: csv_file\npath: x.csv\ntype: html_file\n" + COLUMNS,
            ': line 3: found duplicate key "type" (the mapping starts on line 1)',
        ),
        ("a_list", "- type: csv_file\n", ": a source must be a mapping, not list"),
        ("tabs", "type: csv_file\n\tpath: x.csv\n", ": line 2: "),
    ],
)
def test_bad_source_names_its_file(tmp_path: Path, stem: str, text: str, message: str) -> None:
    path = tmp_path / f"{stem}.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_sources(tmp_path)
    assert str(caught.value).startswith(f"{path}{message}")
    assert "\n" not in str(caught.value)


def test_duplicate_source_names_name_the_second_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: arena\n" + CSV_SOURCE, encoding="utf-8")
    (tmp_path / "b.yaml").write_text("name: arena\n" + CSV_SOURCE, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_sources(tmp_path)
    assert str(caught.value) == f"{tmp_path / 'b.yaml'}: source name 'arena' is used twice"


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="folder not found"):
        load_sources(tmp_path / "scrapers")

"""Rows out of CSV exports and HTML pages, with columns found by header name."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from pipeline.collect.records import clean_name
from pipeline.collect.sources import SourceConfig
from pipeline.collect.tables import SourceRow, rows_from_csv, rows_from_html
from pipeline.errors import SourceError

JANUARY = Path(__file__).resolve().parents[1] / "fixtures/lmarena/lmarena_text_2025-01-23.csv"


@pytest.fixture
def lmarena(shipped_sources: dict[str, SourceConfig]) -> SourceConfig:
    return shipped_sources["lmarena_text"]


@pytest.fixture
def openlm(shipped_sources: dict[str, SourceConfig]) -> SourceConfig:
    return shipped_sources["openlm_arena"]


def csv_rows() -> list[dict[str, str]]:
    with JANUARY.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def cells(rows: list[SourceRow]) -> list[tuple[dict[str, str], dict[str, str]]]:
    return [(row.fields, row.benchmarks) for row in rows]


def test_rows_from_the_january_export(lmarena: SourceConfig) -> None:
    rows = rows_from_csv(JANUARY, lmarena)
    assert len(rows) == 163
    assert rows[0] == SourceRow(
        f"{JANUARY} row 2",
        {
            "model": "Gemini-2.0-Flash-Thinking-Exp-01-21",
            "developer": "Google",
            "votes": "6437",
            "rank": "1",
            "license": "",
        },
        {"arena_score": "1382"},
    )
    assert rows[-1].where == f"{JANUARY} row 164"


def test_columns_are_found_by_header_name(lmarena: SourceConfig, tmp_path: Path) -> None:
    order = ["Votes", "Notes", "License", "Organization", "Score", "95% CI", "Model", "Rank (UB)"]
    shuffled = tmp_path / "shuffled.csv"
    with shuffled.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=order)
        writer.writeheader()
        writer.writerows({**row, "Notes": "extra column"} for row in csv_rows())
    assert cells(rows_from_csv(shuffled, lmarena)) == cells(rows_from_csv(JANUARY, lmarena))


def test_csv_without_a_benchmark_column(lmarena: SourceConfig, tmp_path: Path) -> None:
    path = tmp_path / "no_score.csv"
    path.write_text("Rank (UB),Model,Votes\n1,GPT-4o-2024-05-13,117745\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        rows_from_csv(path, lmarena)
    assert str(caught.value) == (
        f"source lmarena_text: {path}, row 1: no benchmark column"
        " (looked for Arena Elo, Arena Score, Score)"
    )


def test_csv_without_a_model_column(lmarena: SourceConfig, tmp_path: Path) -> None:
    path = tmp_path / "no_model.csv"
    path.write_text("Rank (UB),Name,Score\n1,GPT-4o-2024-05-13,1285\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        rows_from_csv(path, lmarena)
    assert str(caught.value) == (
        f"source lmarena_text: {path}, row 1: no model column"
        " (looked for Model; found Rank (UB), Name, Score)"
    )


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("Model,Score\nGPT-4o,1285,extra\n", "row 2: 3 cells but the header has 2 columns"),
        ("", "empty file: no header row"),
    ],
)
def test_unreadable_csv_is_a_source_error(
    lmarena: SourceConfig, tmp_path: Path, text: str, detail: str
) -> None:
    path = tmp_path / "broken.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        rows_from_csv(path, lmarena)
    assert str(caught.value).startswith(f"source lmarena_text: {path}")
    assert detail in str(caught.value)


def test_html_picks_the_full_leaderboard(openlm: SourceConfig, page: str) -> None:
    rows = rows_from_html(page, openlm, "openlm_arena.html")
    expected = csv_rows()[:30]
    assert len(rows) == 30
    assert [clean_name(row.fields["model"]) for row in rows] == [r["Model"] for r in expected]
    assert [row.benchmarks["arena_elo"] for row in rows] == [r["Score"] for r in expected]
    assert [row.fields["votes"].replace(",", "") for row in rows] == [r["Votes"] for r in expected]
    assert [row.fields["developer"] for row in rows] == [r["Organization"] for r in expected]
    assert rows[2].where == "openlm_arena.html table row 3"
    assert rows[2].fields["votes"] == "35,328"
    assert set(rows[0].benchmarks) == {"arena_elo", "coding_elo", "arena_hard", "mmlu"}


@pytest.mark.parametrize(
    ("cell", "name"),
    [
        ("🥇🏆Gemini-2.0-Flash-Thinking-Exp-01-21", "Gemini-2.0-Flash-Thinking-Exp-01-21"),
        ("🥇🏆 Gemini-2.0-Flash-Thinking-Exp-01-21", "Gemini-2.0-Flash-Thinking-Exp-01-21"),
        ("🥈 Gemini-Exp-1206", "Gemini-Exp-1206"),
        ("🥉 ChatGPT-4o-latest (2024-11-20)", "ChatGPT-4o-latest (2024-11-20)"),
        ("Claude 3.5 Sonnet (20241022)", "Claude 3.5 Sonnet (20241022)"),
        ("  o1-mini ", "o1-mini"),
    ],
)
def test_clean_name_strips_medals(cell: str, name: str) -> None:
    assert clean_name(cell) == name


def test_html_medals_are_in_the_cells(openlm: SourceConfig, page: str) -> None:
    models = [row.fields["model"] for row in rows_from_html(page, openlm, "page")[:4]]
    assert models == [
        "🥇🏆 Gemini-2.0-Flash-Thinking-Exp-01-21",
        "🥈 Gemini-Exp-1206",
        "🥉 ChatGPT-4o-latest (2024-11-20)",
        "DeepSeek-R1",
    ]


def test_html_layout_change(openlm: SourceConfig, page: str) -> None:
    changed = page.replace("Model</th>", "LLM</th>")
    with pytest.raises(SourceError) as caught:
        rows_from_html(changed, openlm, "https://openlm.ai/chatbot-arena/")
    message = str(caught.value)
    assert message.startswith(
        "source openlm_arena: no leaderboard table in https://openlm.ai/chatbot-arena/"
        " (tables: LLM | Arena Elo | MMLU | License; 🤖 LLM | ⭐ Arena Elo | 📈 Coding |"
    )
    assert "\n" not in message


@pytest.mark.parametrize(
    ("html", "tables"),
    [
        ("<html><body><p>Down for maintenance</p></body></html>", "no tables"),
        ("<html><body><table></table></body></html>", "(no header)"),
        (
            "<table><tr><th>Rank</th><th>Name</th></tr><tr><td>1</td><td>x</td></tr></table>",
            "Rank | Name",
        ),
    ],
)
def test_html_without_a_leaderboard_table(openlm: SourceConfig, html: str, tables: str) -> None:
    with pytest.raises(SourceError) as caught:
        rows_from_html(html, openlm, "page.html")
    assert str(caught.value) == (
        f"source openlm_arena: no leaderboard table in page.html (tables: {tables})"
    )


def test_html_header_only_table_is_an_error(openlm: SourceConfig, page: str) -> None:
    empty = re.sub(r"<tbody>.*?</tbody>", "<tbody></tbody>", page, flags=re.DOTALL)
    with pytest.raises(SourceError, match=r"table in page\.html has no rows \(tables: "):
        rows_from_html(empty, openlm, "page.html")

"""Hostile CSV input: raw leaderboard exports (collect-all), the curated tables (validate,
query, refresh-dataset, sync-datasets, bridge sync, run) and a decisions file
(review-candidates --decisions). See hostile_support.py for how a case reads."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import Result
from hostile_support import (
    BELOW,
    BRIDGE_STATE,
    CANDIDATES,
    HEARTBEAT,
    HISTORY,
    JAN,
    JAN_JSON,
    JAN_RAW,
    MAY,
    MAY_RAW,
    PUBLISHED,
    STAGING,
    WORKBOOK,
    Case,
    Home,
    Like,
    Setup,
    all_of,
    cases,
    cell,
    cut_after,
    decisions,
    drop_row,
    encoded,
    header,
    replace,
    rewrite,
    rows_edit,
    text_of,
    verify,
    with_bom,
    with_crlf,
    write,
)
from openpyxl import load_workbook

KEPT = " (previous output kept)"
JAN_FILE = "{data}/raw/lmarena/lmarena_text_2025-01-23.csv"
MAY_OK = (
    f"ok    {MAY}: 180 models, 14 names folded into existing keys"
    f" (unchanged: {{data}}/scraped/{MAY}_models.json)"
)
JAN_OK = (
    f"ok    {JAN}: 154 models, 9 names folded into existing keys"
    f" (unchanged: {{data}}/scraped/{JAN}_models.json)"
)
DEEPSEEK = "3,DeepSeek-R1,1357,"  # row 5 of the January export
STAGING_FILE = "{data}/staging/above_1e25_flop_staging.csv"
CANDIDATES_FILE = "{data}/clean/above_1e25_flop.csv"
RUN = ("run", "--backend", "local")
Check = Callable[[Home, Result], None]


def jan_models(home: Home) -> dict[str, dict[str, Any]]:
    return {m["key"]: m for m in json.loads(text_of(home, JAN_JSON))["models"]}


def extra_column(rows: list[list[str]]) -> None:
    rows[0].append("Notes")
    for row in rows[1:]:
        row.append("x")


def append_latin1_row(home: Home) -> dict[str, str]:
    text = home.path(CANDIDATES).read_bytes()
    write(home, CANDIDATES, text + "zz_modèle,Orgé".encode("latin-1") + b"," * 15 + b"\n")
    return {"line": str(text.count(b"\n") + 1)}


def copy_row(relative: str, key: str) -> Setup:
    def change(rows: list[list[str]]) -> None:
        rows.append(list(next(r for r in rows if r[0] == key)))

    return rows_edit(relative, change)


def blank_key(relative: str, index: int) -> Setup:
    def change(rows: list[list[str]]) -> None:
        rows[index][0] = "  "

    return rows_edit(relative, change)


def drop_column(relative: str, column: str) -> Setup:
    def change(rows: list[list[str]]) -> list[list[str]]:
        index = rows[0].index(column)
        return [row[:index] + row[index + 1 :] for row in rows]

    return rows_edit(relative, change)


# -- checks of accepted input -------------------------------------------------------------


def deepseek_score(score: float | None) -> Check:
    def check(home: Home, result: Result) -> None:
        benchmarks = jan_models(home)["deepseek_r1"]["benchmarks"]
        assert benchmarks == ({} if score is None else {"arena_score": score})

    return check


def deepseek_gone(home: Home, result: Result) -> None:
    assert "deepseek_r1" not in jan_models(home)


def phi_4_back_with(prefix: bytes, crlf: bool) -> Check:
    """The dropped candidate is added again; the file keeps its BOM / its line endings."""

    def check(home: Home, result: Result) -> None:
        data = home.path(CANDIDATES).read_bytes()
        assert data.startswith(prefix + b"model,developer,")
        assert data.count(b"\r\n") == (data.count(b"\n") if crlf else 0)
        assert "phi_4" in home.rows(CANDIDATES)

    return check


def sheet_has_extra_column(home: Home, result: Result) -> None:
    sheet = load_workbook(home.workbook)["Staging"]
    names = [c.value for c in sheet[1]]
    assert names[-1] == "reviewer_comment"
    assert [r[-1].value for r in sheet.iter_rows(min_row=2)] == ["ok", "ok", "ok"]


def notes_kept_in_the_sheet(home: Home, result: Result) -> None:
    sheet = load_workbook(home.workbook)["Staging"]
    names = [c.value for c in sheet[1]]
    notes = [r[names.index("notes")].value for r in sheet.iter_rows(min_row=2)]
    assert all(n and "Manual review: confirmed above 1e25 FLOP" in n for n in notes)


def decided(home: Home, result: Result) -> None:
    assert home.rows(STAGING)["grok_3"]["verified"] == "y"
    assert home.rows(BELOW)["phi_4"]["status"] == "confirmed_below_1e25"


RAW = [
    Case(
        "raw_truncated_mid_row",
        cut_after(JAN_RAW, "\n3,DeepSeek-R1,1357"),
        ("collect-all",),
        0,
        f"fail  {JAN}: {JAN_FILE}, row 5: 3 cells but the header has 7 columns"
        f" (a truncated or misquoted row?){KEPT}",
        also=(MAY_OK, "1 of 2 sources collected."),
    ),
    Case(
        "raw_truncated_mid_quoted_field",
        rewrite(JAN_RAW, lambda t: t[: t.index(DEEPSEEK)] + '3,"DeepSeek-R1, 1357,+12/-13'),
        ("collect-all",),
        0,
        f"fail  {JAN}: {JAN_FILE}, row 5: unreadable CSV: unexpected end of data{KEPT}",
        also=(MAY_OK,),
    ),
    Case(
        "raw_latin1",
        lambda home: write(
            home, JAN_RAW, text_of(home, JAN_RAW).replace("R1,", "R1 (é),", 1).encode("latin-1")
        ),
        ("collect-all",),
        0,
        f"fail  {JAN}: {JAN_FILE}: not UTF-8 text (byte 0xe9 on line 5); save it as UTF-8{KEPT}",
    ),
    Case(
        "raw_utf16_in_every_source",
        all_of(encoded(JAN_RAW, "utf-16"), encoded(MAY_RAW, "utf-16")),
        ("collect-all",),
        1,
        f"Error: every source failed ({JAN}: {JAN_FILE}: not UTF-8 text (byte 0xff on line 1);"
        f" save it as UTF-8; {MAY}: {{data}}/raw/lmarena/lmarena_text_2025-05-18.csv: not UTF-8"
        " text (byte 0xff on line 1); save it as UTF-8)",
    ),
    Case("raw_bom_accepted", with_bom(JAN_RAW), ("collect-all",), 0, JAN_OK),
    Case("raw_crlf_accepted", with_crlf(JAN_RAW), ("collect-all",), 0, JAN_OK),
    Case(
        "raw_missing_model_column",
        replace(JAN_RAW, "Rank (UB),Model,", "Rank (UB),Name,"),
        ("collect-all",),
        0,
        Like(
            rf"fail  {JAN}: .*{{data}}/raw/lmarena/lmarena_text_2025-01-23\.csv.*no model column"
            r" \(looked for Model; found Rank \(UB\), Name, Score, 95% CI, Votes, Organization,"
            r" License\) \(previous output kept\)"
        ),
    ),
    Case(
        "raw_extra_column_accepted",
        rows_edit(JAN_RAW, extra_column),
        ("collect-all",),
        0,
        JAN_OK,
    ),
    Case(
        "raw_duplicated_header",
        replace(JAN_RAW, "95% CI,Votes", "Votes,Votes"),
        ("collect-all",),
        0,
        f"fail  {JAN}: {JAN_FILE}, row 1: column 'Votes' appears twice in the header"
        f" (columns 4 and 5){KEPT}",
    ),
    Case(
        "raw_duplicate_key_folds_into_the_most_voted_row",
        rewrite(JAN_RAW, lambda t: t + "3,DeepSeek-R1,1360,+1/-1,99999,DeepSeek,\n"),
        ("collect-all",),
        0,
        f"ok    {JAN}: 154 models, 10 names folded into existing keys"
        f" (saved: {{data}}/scraped/{JAN}_models.json)",
        writes=frozenset({JAN_JSON}),
        check=deepseek_score(1360.0),
    ),
    Case(
        "raw_empty_model_name",
        replace(JAN_RAW, DEEPSEEK, "3,,1357,"),
        ("collect-all",),
        0,
        f"warning: {JAN_FILE} row 5, field model: empty model name; row skipped",
        writes=frozenset({JAN_JSON}),
        check=deepseek_gone,
    ),
    *[
        Case(
            f"raw_score_{name}",
            replace(JAN_RAW, DEEPSEEK, f"3,DeepSeek-R1,{value},"),
            ("collect-all",),
            0,
            f"warning: {JAN_FILE} row 5, field arena_score: {value!r} is {why}; ignored",
            writes=frozenset({JAN_JSON}),
            check=deepseek_score(None),
        )
        for name, value, why in [
            ("abc", "abc", "not a number"),
            ("1e99", "1e99", "not a plausible score"),
            ("nan", "NaN", "not a plausible score"),
        ]
    ],
    Case(
        "raw_score_negative",
        replace(JAN_RAW, DEEPSEEK, "3,DeepSeek-R1,-5,"),
        ("collect-all",),
        0,
        f"warning: {JAN_FILE} row 5, field arena_score: '-5' is not a plausible score; ignored",
        writes=frozenset({JAN_JSON}),
        check=deepseek_score(None),
    ),
]

TABLES = [
    Case(
        "staging_truncated_mid_row",
        cut_after(STAGING, "\no3,OpenAI,"),
        ("validate",),
        1,
        f"Error: {STAGING_FILE}, row 4: 3 cells but the header has 18 columns"
        " (a truncated or misquoted row?)",
    ),
    Case(
        "staging_truncated_mid_quoted_field",
        cut_after(STAGING, '"Inverse-variance weighted'),
        ("bridge", "sync"),
        1,
        f"Error: {STAGING_FILE}, row 2: unreadable CSV: unexpected end of data",
    ),
    Case(
        "candidates_latin1_row",
        append_latin1_row,
        ("query", "--top", "3"),
        1,
        f"Error: {CANDIDATES_FILE}: not UTF-8 text (byte 0xe8 on line {{line}}); save it as UTF-8",
    ),
    Case(
        "candidates_utf16",
        encoded(CANDIDATES, "utf-16"),
        ("bridge", "sync"),
        1,
        f"Error: {CANDIDATES_FILE}: not UTF-8 text (byte 0xff on line 1); save it as UTF-8",
    ),
    Case(
        "candidates_bom_kept_on_write",
        all_of(drop_row(CANDIDATES, "phi_4"), with_bom(CANDIDATES)),
        ("refresh-dataset",),
        0,
        "1 added, 0 updated, 0 moved, 0 dropped",
        writes=frozenset({CANDIDATES, HISTORY}),
        check=phi_4_back_with(b"\xef\xbb\xbf", crlf=False),
    ),
    Case(
        "candidates_crlf_kept_on_write",
        all_of(drop_row(CANDIDATES, "phi_4"), with_crlf(CANDIDATES)),
        ("refresh-dataset",),
        0,
        "1 added, 0 updated, 0 moved, 0 dropped",
        writes=frozenset({CANDIDATES, HISTORY}),
        check=phi_4_back_with(b"", crlf=True),
    ),
    Case(
        "staging_missing_column_is_a_warning",
        drop_column(STAGING, "notes"),
        ("validate",),
        0,
        f"warning: {STAGING_FILE}, row 1, field notes: missing column (added on the next write)",
    ),
    Case(
        "staging_missing_column_keeps_the_sheet",
        drop_column(STAGING, "notes"),
        ("bridge", "sync"),
        0,
        Like(r"local \(.*\): 0 reviewer changes applied .* 0 cells to write"),
        writes=frozenset({BRIDGE_STATE}),
        check=notes_kept_in_the_sheet,
    ),
    Case(
        "staging_extra_column_is_mirrored",
        rows_edit(
            STAGING,
            lambda rows: [[*rows[0], "reviewer_comment"], *([*r, "ok"] for r in rows[1:])],
        ),
        ("bridge", "sync"),
        0,
        Like(r"local \(.*\): 0 reviewer changes applied .* 0 problems waiting in the sheet; .*"),
        writes=frozenset({WORKBOOK, BRIDGE_STATE}),
        check=sheet_has_extra_column,
    ),
    Case(
        "staging_duplicated_header",
        header(STAGING, "parameter_source", "developer"),
        ("bridge", "sync"),
        1,
        f"Error: {STAGING_FILE}, row 1: column 'developer' appears twice in the header"
        " (columns 2 and 5)",
    ),
    Case(
        "published_duplicated_header",
        header(PUBLISHED, "Citations", "Reference"),
        ("sync-datasets", "--dry-run"),
        1,
        "Error: {data}/published/published_data.csv, row 1: column 'Reference' appears twice in"
        " the header (columns 7 and 8)",
    ),
    Case(
        "staging_duplicate_key",
        copy_row(STAGING, "gpt_4o"),
        ("bridge", "sync"),
        1,
        f"Error: {STAGING_FILE}, row 5, field model: duplicate key 'gpt_4o': also on row 2",
    ),
    Case(
        "staging_empty_key_stops_the_cycle",
        cell(STAGING, "o3", "model", ""),
        RUN,
        1,
        f"Error: the cycle stopped at sync: {STAGING_FILE}, row 4, field model: empty key",
        writes=frozenset({HEARTBEAT}),
    ),
    Case(
        "published_blank_key",
        blank_key(PUBLISHED, 5),
        ("bridge", "sync"),
        1,
        "Error: {data}/published/published_data.csv, row 6, field Model: empty key",
    ),
    Case(
        "candidates_missing_key_column",
        header(CANDIDATES, "model", "Model"),
        ("query", "--top", "3"),
        1,
        f"Error: {CANDIDATES_FILE}, row 1: missing key column 'model'",
    ),
    Case(
        "below_training_flop_1e99",
        cell(BELOW, "falcon_180b", "training_flop", "1e99"),
        ("refresh-dataset",),
        1,
        "Error: refresh stopped: 1 error(s) in the input; nothing was written",
        also=(
            "error: {data}/clean/below_1e25_flop.csv, row 10 (falcon_180b), field training_flop:"
            " '1e99' is implausibly large (>= 1e30 FLOP)",
        ),
    ),
    Case(
        "candidates_training_flop_negative_stops_the_cycle",
        cell(CANDIDATES, "grok_3", "training_flop", "-5"),
        RUN,
        1,
        "Error: the cycle stopped at refresh: bad input, nothing written (error:"
        f" {CANDIDATES_FILE}, row 3 (grok_3), field training_flop: '-5' is not positive)",
        writes=frozenset({HEARTBEAT}),
    ),
    Case(
        "staging_training_flop_nan",
        cell(STAGING, "o3", "training_flop", "NaN"),
        ("validate",),
        1,
        "Error: 1 errors in the datasets",
        also=(
            f"error: {STAGING_FILE}, row 4 (o3), field training_flop: 'NaN' is not a finite number",
        ),
    ),
    Case(
        "published_training_flop_abc_is_held_back",
        cell(PUBLISHED, "GPT-4o", "Training compute (FLOP)", "abc"),
        ("sync-datasets", "--dry-run", "--direction", "published-to-staging"),
        0,
        Like(r"│ GPT-4o +│ Training compute \(FLOP\) │ 'abc' is not a number +│"),
        also=("Dry run: nothing written.",),
    ),
    Case(
        "published_bad_date_in_a_diff",
        cell(PUBLISHED, "GPT-4o", "Publication date", "31/31/2025"),
        ("sync-datasets", "--diff", "--prefer", "published"),
        0,
        Like(r" *not resolved: .*GPT-4o.*Publication date.*'31/31/2025' is not a date.*"),
        writes=frozenset({STAGING, HISTORY}),
    ),
    Case(
        "staging_bad_date_is_pushed_to_the_sheet",
        cell(STAGING, "o3", "release_date", "31/31/2025"),
        ("bridge", "sync"),
        1,
        Like(
            r"Error: {data}/staging/above_1e25_flop_staging\.csv, row 4.*field release_date:"
            r" '31/31/2025' is not a date \(use YYYY-MM-DD\)"
        ),
    ),
]

DECISION_FILES = [
    Case(
        "decisions_truncated_mid_quoted_field",
        decisions('model,decision,reason\nphi_4,n,small\ngrok_3,y,"reported 3.5e26'),
        ("review-candidates", "--decisions", "{root}/decisions.csv"),
        1,
        "Error: {root}/decisions.csv, row 3: unreadable CSV: unexpected end of data",
    ),
    Case(
        "decisions_utf16",
        decisions("model,decision,reason\ngrok_3,y,big\n".encode("utf-16")),
        ("review-candidates", "--decisions", "{root}/decisions.csv"),
        1,
        "Error: {root}/decisions.csv: not UTF-8 text (byte 0xff on line 1); save it as UTF-8",
    ),
    Case(
        "decisions_crlf_accepted",
        decisions("model,decision,reason\r\ngrok_3,y,big\r\nphi_4,n,small\r\n"),
        ("review-candidates", "--decisions", "{root}/decisions.csv"),
        0,
        "2 decisions applied: 1 added to staging, 1 moved below; 0 already in effect.",
        writes=frozenset({CANDIDATES, BELOW, STAGING, HISTORY}),
        check=decided,
    ),
    Case(
        "decisions_duplicated_header",
        decisions("model,decision,decision,reason\ngrok_3,y,n,big\n"),
        ("review-candidates", "--decisions", "{root}/decisions.csv"),
        1,
        "Error: {root}/decisions.csv, row 1: column 'decision' appears twice in the header"
        " (columns 2 and 3)",
    ),
    Case(
        "decisions_header_twice_in_another_case",
        decisions("model,decision,reason,Model\ngrok_3,y,big,phi_4\n"),
        ("review-candidates", "--decisions", "{root}/decisions.csv"),
        1,
        Like(r"Error: {root}/decisions\.csv, row 1: .*'Model'.*"),
    ),
    Case(
        "decisions_blank_header_cell",
        decisions("model,decision,,reason\ngrok_3,y,,big\n"),
        ("review-candidates", "--decisions", "{root}/decisions.csv"),
        1,
        "Error: {root}/decisions.csv, row 1: column 3 of the header is blank",
    ),
]


@pytest.mark.parametrize("case", cases([*RAW, *TABLES, *DECISION_FILES]))
def test_hostile_csv(home: Home, case: Case) -> None:
    verify(home, case)

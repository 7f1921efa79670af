"""``sync-datasets --diff``: field differences of models in both datasets resolved with p
(keep published), s (keep staging), skip or quit, or all at once with ``--prefer``.

A resolution marks the staging row verified and appends a "Diff resolution" note; audit
lines in staging notes are never compared with the published Abstract."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import Result
from sync_support import OLD_STAMP, STAMP, Files, error_line, published_row, staging_row

AUDIT = f"[{OLD_STAMP}] Manual review: confirmed above 1e25 FLOP"


@pytest.fixture
def differing(files: Files) -> Files:
    """gpt_4 differs in confidence, grok_3 in training_flop (the mapping file's order, which
    is the order of the questions); grok_4 is only in staging."""
    files.write_staging(
        staging_row("grok_3", training_flop="4e+26", notes=AUDIT),
        staging_row("gpt_4", confidence="medium"),
        staging_row("grok_4"),
    )
    files.write_published(published_row("Grok-3", flop="3.5e+26"), published_row("GPT-4"))
    return files


def diff_note(field: str, side: str, value: str) -> str:
    return f"[{STAMP}] Diff resolution: {field} set to the {side} value {value!r}"


def test_differences_are_shown_field_by_field(
    differing: Files, sync: Callable[..., Result]
) -> None:
    result = sync("--diff", input="skip\nskip\n")

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Found 2 models in both datasets, 2 with differences."
    assert lines[3:9] == [
        "MODEL 1/2: gpt_4 ↔ GPT-4",
        "=" * 80,
        "Status: unverified; p or s marks it verified.",
        "[DIFF 1/1] confidence ↔ Confidence",
        "  Staging:   medium",
        "  Published: Confident",
    ]
    assert "MODEL 2/2: grok_3 ↔ Grok-3" in lines
    assert lines[-5:-2] == [
        "[DIFF 1/1] training_flop ↔ Training compute (FLOP)",
        "  Staging:   4e+26",
        "  Published: 3.5e+26",
    ]
    assert "grok_4" not in result.output


def test_p_keeps_published_updates_staging_and_marks_it_verified(
    differing: Files, sync: Callable[..., Result]
) -> None:
    published_before = differing.published_path.read_bytes()

    result = sync("--diff", input="skip\np\n")

    assert result.output.splitlines()[-1] == "Diff resolution complete: 1 fields resolved."
    row = differing.staging()["grok_3"]
    assert (row["training_flop"], row["verified"], row["last_updated"]) == ("3.5e+26", "y", STAMP)
    assert row["notes"] == f"{AUDIT}\n{diff_note('training_flop', 'published', '3.5e+26')}"
    assert differing.published_path.read_bytes() == published_before


def test_s_keeps_staging_updates_published_and_marks_staging_verified(
    differing: Files, sync: Callable[..., Result]
) -> None:
    sync("--diff", input="skip\ns\n")

    assert differing.published()["Grok-3"]["Training compute (FLOP)"] == "4e+26"
    row = differing.staging()["grok_3"]
    assert (row["training_flop"], row["verified"]) == ("4e+26", "y")
    assert row["notes"] == f"{AUDIT}\n{diff_note('training_flop', 'staging', '4e+26')}"


def test_s_writes_the_published_form_of_the_staging_value(
    differing: Files, sync: Callable[..., Result]
) -> None:
    sync("--diff", input="s\nskip\n")

    assert differing.published()["GPT-4"]["Confidence"] == "Likely"
    assert differing.staging()["gpt_4"]["notes"] == diff_note("confidence", "staging", "Likely")


def test_skip_changes_nothing(differing: Files, sync: Callable[..., Result]) -> None:
    before = differing.snapshot()

    result = sync("--diff", input="skip\nskip\n")

    assert result.output.splitlines()[-1] == "Diff resolution complete: 0 fields resolved."
    assert differing.snapshot() == before


def test_quit_keeps_earlier_resolutions_and_asks_no_more(
    differing: Files, sync: Callable[..., Result]
) -> None:
    result = sync("--diff", input="p\nquit\n")

    assert result.exit_code == 0, result.output
    assert result.output.count("Resolution (p/s/skip/quit)") == 2
    staging = differing.staging()
    assert (staging["gpt_4"]["verified"], staging["grok_3"]["verified"]) == ("y", "")
    assert staging["grok_3"]["training_flop"] == "4e+26"


def test_a_rerun_shows_no_difference_for_resolved_fields(
    differing: Files, sync: Callable[..., Result]
) -> None:
    sync("--diff", input="p\ns\n")
    after = differing.snapshot()

    result = sync("--diff", input="")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "Found 2 models in both datasets, 0 with differences."
    assert differing.snapshot() == after


@pytest.mark.parametrize(
    ("prefer", "flop", "confidence"),
    [("published", "3.5e+26", "high"), ("staging", "4e+26", "medium")],
)
def test_prefer_resolves_everything_without_prompts(
    differing: Files, sync: Callable[..., Result], prefer: str, flop: str, confidence: str
) -> None:
    result = sync("--diff", "--prefer", prefer, input="")

    assert result.exit_code == 0, result.output
    assert "Resolution (p/s/skip/quit)" not in result.output
    assert result.output.splitlines()[-1] == "Diff resolution complete: 2 fields resolved."
    staging = differing.staging()
    assert (staging["grok_3"]["training_flop"], staging["gpt_4"]["confidence"]) == (
        flop,
        confidence,
    )
    assert [row["verified"] for row in staging.values()] == ["y", "y", ""]
    assert "0 with differences" in sync("--diff", input="").output


def test_closed_stdin_with_differences_exits_2_naming_prefer(
    differing: Files, sync: Callable[..., Result]
) -> None:
    before = differing.snapshot()

    result = sync("--diff", input="")

    line = error_line(result, exit_code=2)
    assert "sync-datasets --diff is interactive" in line
    assert line.endswith("use --prefer published|staging instead")
    assert differing.snapshot() == before


def test_no_differences_exits_0_even_with_closed_stdin(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(staging_row("grok_3"), staging_row("grok_4"))
    files.write_published(published_row("Grok-3"), published_row("GPT-4"))

    result = sync("--diff", input="")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Found 1 models in both datasets, 0 with differences.",
        "Diff resolution complete: 0 fields resolved.",
    ]


def test_formatting_alone_is_not_a_difference(files: Files, sync: Callable[..., Result]) -> None:
    files.write_staging(staging_row("grok_3", training_flop="3.5e+26", confidence="high"))
    files.write_published(
        published_row("Grok-3", flop="3.5000000000000006e+26", confidence="Confident")
    )

    result = sync("--diff", input="")

    assert result.output.splitlines()[0] == "Found 1 models in both datasets, 0 with differences."


def test_audit_lines_are_not_compared_with_the_abstract(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(
        staging_row("grok_3", notes=AUDIT), staging_row("gpt_4", notes=f"Dense model\n{AUDIT}")
    )
    files.write_published(published_row("Grok-3"), published_row("GPT-4", abstract="Dense model"))

    result = sync("--diff", input="")

    assert result.output.splitlines()[0] == "Found 2 models in both datasets, 0 with differences."


def test_audit_lines_survive_a_p_resolution_of_the_notes(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(staging_row("grok_3", notes=f"Our summary\n{AUDIT}"))
    files.write_published(published_row("Grok-3", abstract="Epoch's abstract"))

    result = sync("--diff", input="p\n")

    assert "  Staging:   Our summary" in result.output.splitlines()
    assert files.staging()["grok_3"]["notes"] == "\n".join(
        [
            "Epoch's abstract",
            AUDIT,
            diff_note("notes", "published", "Epoch's abstract"),
        ]
    )
    assert "0 with differences" in sync("--diff", input="").output


def test_every_resolution_of_a_model_keeps_its_note(
    files: Files, sync: Callable[..., Result]
) -> None:
    files.write_staging(staging_row("grok_3", training_flop="4e+26", notes="Our summary"))
    files.write_published(published_row("Grok-3", flop="3.5e+26", abstract="Epoch's abstract"))

    sync("--diff", input="p\np\n")

    notes = files.staging()["grok_3"]["notes"]
    assert diff_note("training_flop", "published", "3.5e+26") in notes
    assert diff_note("notes", "published", "Epoch's abstract") in notes


def test_an_untranslatable_kept_value_is_reported_and_left_alone(
    files: Files, run: Callable[..., Result]
) -> None:
    files.write_staging(staging_row("grok_3"))
    files.write_published(published_row("Grok-3", parameters="about 1T"))
    before = files.snapshot()

    result = run("sync-datasets", "--diff", "--prefer", "published")

    assert result.exit_code == 0
    assert (
        "  not resolved: grok_3 / Grok-3, parameters / Parameters: the published value cannot"
        " be kept ('about 1T' is not a number)" in result.output.splitlines()
    )
    assert "Traceback" not in result.output
    assert files.snapshot() == before


def test_an_invalid_mapping_file_is_refused(differing: Files, sync: Callable[..., Result]) -> None:
    differing.write_mapping('grok_3: "Grok-3"\ngrok_3: "Grok 3"\n')
    before = differing.snapshot()

    result = sync("--diff", "--prefer", "published")

    assert error_line(result) == f"Error: {differing.mapping_path}: fix the name mapping first"
    assert differing.snapshot() == before

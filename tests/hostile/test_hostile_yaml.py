"""Hostile YAML input: configs/tracker.yaml, aliases.yaml, scrapers/*.yaml,
model_name_mapping.yaml, schema_map.yaml and known_models.yaml, each through a command
that reads it. See hostile_support.py for how a case reads."""

from __future__ import annotations

import pytest
from hostile_support import (
    ALIASES,
    BRIDGE_STATE,
    JAN_SOURCE,
    KNOWN,
    MAPPING,
    SCHEMA_MAP,
    TRACKER_YAML,
    WORKBOOK,
    Case,
    Home,
    Like,
    all_of,
    cases,
    replace,
    rewrite,
    type_in,
    verify,
)

TAB = "found character '\\t' that cannot start any token"
TRACKER = "{configs}/tracker.yaml"
SOURCE = "{configs}/scrapers/lmarena_text_2025_01_23.yaml"
SYNC = ("bridge", "sync")


def appended(relative: str, text: str):
    """``text`` added at the end; fact: the line it starts on."""

    def setup(home: Home) -> dict[str, str]:
        before = home.path(relative).read_text(encoding="utf-8")
        rewrite(relative, lambda t: t + text)(home)
        return {"line": str(before.count("\n") + 1)}

    return setup


def published_unchanged(home: Home, result) -> None:
    assert "GPT-4o (copy)" not in home.path("data/published/published_data.csv").read_text()


TRACKER_CASES = [
    Case(
        "tracker_duplicate_nested_key",
        replace(TRACKER_YAML, "  above: 0.9\n", "  above: 0.9\n  above: 0.95\n"),
        ("config",),
        1,
        f'Error: {TRACKER}: line 17: found duplicate key "above" (the mapping starts on line 15)',
    ),
    Case(
        "tracker_tab_indent",
        replace(TRACKER_YAML, "  above: 0.9", "\tabove: 0.9"),
        ("estimate-flops",),
        1,
        f"Error: {TRACKER}: line 16: {TAB}",
    ),
    Case(
        "tracker_threshold_not_a_number",
        replace(TRACKER_YAML, "above: 0.9", 'above: "lots"'),
        ("run", "--backend", "local"),
        1,
        f"Error: {TRACKER}, field thresholds.above: Input should be a valid number, unable to"
        " parse string as a number",
    ),
    Case(
        "tracker_unknown_top_level_setting",
        rewrite(TRACKER_YAML, lambda t: t + "\nthreshold: 1.0e+25\n"),
        ("validate",),
        1,
        f"Error: {TRACKER}, field threshold: Extra inputs are not permitted",
    ),
    Case(
        "tracker_unknown_nested_setting",
        replace(TRACKER_YAML, "  above: 0.9\n", "  above: 0.9\n  abvoe: 0.95\n"),
        ("estimate-flops",),
        1,
        f"Error: {TRACKER}, field thresholds.abvoe: Extra inputs are not permitted",
    ),
    Case(
        "tracker_backend_a_number",
        replace(TRACKER_YAML, "  backend: auto", "  backend: 5"),
        SYNC,
        1,
        f"Error: {TRACKER}, field bridge.backend: Input should be 'auto', 'local', 'airtable' or"
        " 'gsheets'",
    ),
    Case(
        "tracker_sheet_title_a_list",
        replace(TRACKER_YAML, "    candidates: Candidates\n", "    candidates: [a, b]\n"),
        SYNC,
        1,
        f"Error: {TRACKER}, field bridge.titles.candidates: Input should be a valid string",
    ),
    Case(
        "tracker_schedule_a_number",
        replace(TRACKER_YAML, 'schedule: "0 6 * * *"', "schedule: 6"),
        ("health",),
        1,
        f"Error: {TRACKER}, field worker.schedule: Input should be a valid string",
    ),
]

ALIASES_CASES = [
    Case(
        "aliases_duplicate_key",
        replace(ALIASES, "  grok_3_preview: grok_3\n", "  grok_3_preview: grok_3\n" * 2),
        ("collect-all",),
        1,
        'Error: {configs}/aliases.yaml: line 94: found duplicate key "grok_3_preview" (the'
        " mapping starts on line 59)",
    ),
    Case(
        "aliases_tab_indent",
        replace(ALIASES, "  grok_3_preview: grok_3\n", "\tgrok_3_preview: grok_3\n"),
        ("names", "GPT-4o"),
        1,
        f"Error: {{configs}}/aliases.yaml: line 93: {TAB}",
    ),
    Case(
        "aliases_target_a_number",
        replace(ALIASES, "  grok_3_preview: grok_3\n", "  grok_3_preview: 3\n"),
        ("collect-all",),
        1,
        "Error: {configs}/aliases.yaml, field aliases: alias 'grok_3_preview': 3 must map a name"
        " to a key (both text)",
    ),
    Case(
        "aliases_list_written_as_text",
        replace(ALIASES, "drop_prefixes:\n  - meta\n  - c4ai\n  - nv\n", "drop_prefixes: meta\n"),
        ("collect-all",),
        1,
        "Error: {configs}/aliases.yaml: drop_prefixes must be a list of strings",
    ),
    Case(
        "aliases_unknown_section",
        rewrite(ALIASES, lambda t: t + "\nalias:\n  gpt4: gpt_4\n"),
        ("collect-all",),
        1,
        "Error: {configs}/aliases.yaml: unknown sections ['alias']",
    ),
]

SOURCE_CASES = [
    Case(
        "source_tab_indent",
        replace(JAN_SOURCE, "  votes: [Votes]", "\tvotes: [Votes]"),
        ("collect-all",),
        1,
        f"Error: {SOURCE}: line 11: {TAB}",
    ),
    Case(
        "source_duplicate_key",
        replace(JAN_SOURCE, "  votes: [Votes]\n", "  votes: [Votes]\n  votes: [Stimmen]\n"),
        ("collect-all",),
        1,
        f'Error: {SOURCE}: line 12: found duplicate key "votes" (the mapping starts on line 9)',
    ),
    Case(
        "source_header_names_as_text",
        replace(JAN_SOURCE, "  model: [Model]", "  model: Model"),
        ("collect-all",),
        1,
        f"Error: {SOURCE}, field columns.model: Input should be a valid list",
    ),
    Case(
        "source_header_name_a_number",
        replace(JAN_SOURCE, "  model: [Model]", "  model: [7]"),
        ("collect-all",),
        1,
        f"Error: {SOURCE}, field columns.model.0: Input should be a valid string",
    ),
    Case(
        "source_unknown_setting",
        rewrite(JAN_SOURCE, lambda t: t + "timeout: 5\n"),
        ("collect-all",),
        1,
        f"Error: {SOURCE}, field timeout: Extra inputs are not permitted",
    ),
    Case(
        "source_enabled_not_a_boolean",
        rewrite(JAN_SOURCE, lambda t: t + "enabled: maybe\n"),
        ("collect-all",),
        1,
        f"Error: {SOURCE}, field enabled: Input should be a valid boolean, unable to interpret"
        " input",
    ),
]

MAPPING_CASES = [
    Case(
        "mapping_tab_indent",
        replace(MAPPING, 'gpt_4o: "GPT-4o"', '\tgpt_4o: "GPT-4o"'),
        SYNC,
        1,
        f"Error: {{configs}}/model_name_mapping.yaml: line 8: {TAB}",
    ),
    Case(
        "mapping_name_a_number",
        replace(MAPPING, 'gpt_4o: "GPT-4o"', "gpt_4o: 4"),
        ("sync-datasets", "--dry-run"),
        1,
        "Error: {configs}/model_name_mapping.yaml: fix the name mapping first",
        also=(
            "error: {configs}/model_name_mapping.yaml: line 8: 'gpt_4o' must map to a published"
            " name (text)",
        ),
    ),
    Case(
        "mapping_a_list",
        rewrite(MAPPING, lambda t: "- gpt_4o\n- GPT-4o\n"),
        SYNC,
        1,
        'Error: {configs}/model_name_mapping.yaml: expected key: "Published Name" lines',
    ),
    Case(
        "mapping_duplicate_key_blocks_a_sync",
        appended(MAPPING, 'gpt_4o: "GPT-4o (copy)"\n'),
        ("sync-datasets", "--sync", "--yes"),
        1,
        "Error: {configs}/model_name_mapping.yaml: fix the name mapping first",
        also=(
            "error: {configs}/model_name_mapping.yaml: line {line}: duplicate key 'gpt_4o'"
            " (first on line 8)",
        ),
    ),
    Case(
        "mapping_duplicate_key_and_publish_in_the_sheet",
        all_of(
            appended(MAPPING, 'gpt_4o: "GPT-4o (copy)"\n'),
            type_in("Staging", "gpt_4o", {"publish": "y"}),
        ),
        SYNC,
        0,
        Like(r"staging gpt_4o: .*model_name_mapping\.yaml.*"),
        writes=frozenset({WORKBOOK, BRIDGE_STATE}),
        check=published_unchanged,
    ),
]

SCHEMA_CASES = [
    Case(
        "schema_duplicate_key",
        replace(SCHEMA_MAP, "  published: Model\n", "  published: Model\n  published: Name\n"),
        SYNC,
        1,
        'Error: {configs}/schema_map.yaml: line 10: found duplicate key "published" (the mapping'
        " starts on line 8)",
    ),
    Case(
        "schema_tab_indent",
        replace(SCHEMA_MAP, "  published: Model\n", "\tpublished: Model\n"),
        ("sync-datasets", "--dry-run"),
        1,
        f"Error: {{configs}}/schema_map.yaml: line 9: {TAB}",
    ),
    Case(
        "schema_column_a_number",
        replace(SCHEMA_MAP, "  - Domain\n", "  - 7\n"),
        SYNC,
        1,
        "Error: {configs}/schema_map.yaml, field published_columns.1: Input should be a valid"
        " string",
    ),
    Case(
        "schema_unknown_kind",
        replace(SCHEMA_MAP, "    kind: number\n", "    kind: numeric\n"),
        SYNC,
        1,
        "Error: {configs}/schema_map.yaml, field fields.1.kind: Input should be 'text', 'number',"
        " 'date' or 'vocabulary'",
    ),
    Case(
        "schema_unknown_setting",
        rewrite(SCHEMA_MAP, lambda t: t + "\ndate_format: '%Y'\n"),
        ("sync-datasets", "--check-mappings"),
        1,
        "Error: {configs}/schema_map.yaml, field date_format: Extra inputs are not permitted",
    ),
]

KNOWN_CASES = [
    Case(
        "known_duplicate_key",
        replace(KNOWN, "grok_4:\n", 'grok_4:\n  name: "Grok Four"\n'),
        ("estimate-flops",),
        1,
        'Error: {configs}/known_models.yaml: line 26: found duplicate key "name" (the mapping'
        " starts on line 25)",
    ),
    Case(
        "known_tab_indent",
        replace(KNOWN, '  name: "Grok 4"', '\tname: "Grok 4"'),
        ("estimate-flops",),
        1,
        f"Error: {{configs}}/known_models.yaml: line 25: {TAB}",
    ),
    Case(
        "known_training_flop_not_a_number",
        replace(KNOWN, "  training_flop: 5e+26\n", "  training_flop: lots\n"),
        ("estimate-flops",),
        1,
        "Error: {configs}/known_models.yaml, record grok_4, field training_flop: Input should be"
        " a valid number, unable to parse string as a number",
    ),
    Case(
        "known_training_flop_1e99",
        replace(KNOWN, "  training_flop: 5e+26\n", "  training_flop: 1.0e+99\n"),
        ("estimate-flops",),
        1,
        "Error: {configs}/known_models.yaml, record grok_4, field training_flop: Input should be"
        " less than 1000000000000000000000000000000",
    ),
    Case(
        "known_name_a_number",
        replace(KNOWN, '  name: "Grok 4"', "  name: 4"),
        ("estimate-flops",),
        1,
        "Error: {configs}/known_models.yaml, record grok_4, field name: Input should be a valid"
        " string",
    ),
    Case(
        "known_release_date_not_a_date",
        replace(KNOWN, '  release_date: "2025-07-09"', '  release_date: "31/31/2025"'),
        ("estimate-flops",),
        1,
        "Error: {configs}/known_models.yaml, record grok_4, field release_date: Input should be a"
        " valid date or datetime, invalid character in year",
    ),
]


@pytest.mark.parametrize(
    "case",
    cases(
        [
            *TRACKER_CASES,
            *ALIASES_CASES,
            *SOURCE_CASES,
            *MAPPING_CASES,
            *SCHEMA_CASES,
            *KNOWN_CASES,
        ]
    ),
)
def test_hostile_yaml(home: Home, case: Case) -> None:
    verify(home, case)

"""Hostile JSON input: the scraped documents (estimate-flops), the estimates (refresh-dataset,
estimate-flops) and the state files (bridge sync, refresh-dataset, health). See
hostile_support.py for how a case reads."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from hostile_support import (
    APPLY_JOURNAL,
    BRIDGE_STATE,
    ESTIMATED,
    HEARTBEAT,
    JAN_JSON,
    Case,
    Home,
    Like,
    Setup,
    cases,
    cut_after,
    json_edit,
    model,
    planted,
    verify,
)

JAN_DOC = "{data}/scraped/lmarena_text_2025_01_23_models.json"
ESTIMATES = "{data}/estimated/estimated_models.json"
STATE = "{data}/state/bridge_local.json"
JOURNAL = "{data}/state/apply_journal.json"
ESTIMATE = ("estimate-flops",)
REFRESH = ("refresh-dataset",)
SYNC = ("bridge", "sync")
NO_MODELS = 'expected an object with a "models" list'
DAMAGED_STATE = "damaged sync state; `tracker bridge rebase` starts again from the sheets"
DAMAGED_JOURNAL = "damaged journal of an interrupted run; inspect and delete it"


def deepseek(change: Callable[[dict[str, Any]], Any]) -> Setup:
    """Change the deepseek_r1 record (models[3] of the January document)."""
    return json_edit(JAN_JSON, lambda doc: change(doc["models"][3]))


def estimate_of(key: str, change: Callable[[dict[str, Any]], Any]) -> Setup:
    return json_edit(ESTIMATED, lambda doc: change(model(doc, key)))


def state(change: Callable[[dict[str, Any]], Any]) -> Setup:
    return json_edit(BRIDGE_STATE, change)


SCRAPED = [
    Case(
        "scraped_truncated",
        cut_after(JAN_JSON, '{"key":"deepseek_r1","name":"Deep'),
        ESTIMATE,
        1,
        f"Error: {JAN_DOC}: invalid JSON at line {{line}} column {{quote}}: Unterminated"
        " string starting at",
    ),
    Case(
        "scraped_list_instead_of_object",
        json_edit(JAN_JSON, lambda doc: doc["models"]),
        ESTIMATE,
        1,
        f"Error: {JAN_DOC}: {NO_MODELS}",
    ),
    Case(
        "scraped_models_not_a_list",
        json_edit(JAN_JSON, lambda doc: doc.update(models={"deepseek_r1": {}})),
        ESTIMATE,
        1,
        f"Error: {JAN_DOC}: {NO_MODELS}",
    ),
    Case(
        "scraped_metadata_not_an_object",
        json_edit(JAN_JSON, lambda doc: doc.update(metadata=["lmarena"])),
        ESTIMATE,
        1,
        f'Error: {JAN_DOC}: "metadata" must be an object',
    ),
    Case(
        "scraped_model_not_an_object",
        json_edit(JAN_JSON, lambda doc: doc["models"].__setitem__(3, ["deepseek_r1"])),
        ESTIMATE,
        1,
        f"Error: {JAN_DOC}, record models[3]: each model must be an object",
    ),
    Case(
        "scraped_model_missing_key",
        deepseek(lambda m: m.pop("key") and None),
        ESTIMATE,
        1,
        f"Error: {JAN_DOC}, record models[3], field key: missing key",
    ),
    Case(
        "scraped_raw_names_a_number",
        deepseek(lambda m: m.update(raw_names=5)),
        ESTIMATE,
        1,
        Like(rf"Error: {JAN_DOC}, record models\[3\] \(deepseek_r1\), field raw_names: .*"),
    ),
    Case(
        "scraped_sources_a_string",
        deepseek(lambda m: m.update(sources="https://lmarena.ai/leaderboard/text")),
        ESTIMATE,
        1,
        Like(rf"Error: {JAN_DOC}, record models\[3\] \(deepseek_r1\), field sources: .*"),
    ),
]

REBUILD = "; `tracker estimate-flops --update` rebuilds it from the collected data"
REBUILD_RE = re.escape(REBUILD)
ESTIMATES_CASES = [
    Case(
        "estimated_truncated",
        cut_after(ESTIMATED, '{"key":"grok_3","name":"grok-3-prev'),
        REFRESH,
        1,
        f"Error: {ESTIMATES}: invalid JSON at line {{line}} column {{quote}}: Unterminated"
        f" string starting at{REBUILD}",
    ),
    Case(
        "estimated_list_instead_of_object",
        json_edit(ESTIMATED, lambda doc: doc["models"]),
        REFRESH,
        1,
        f"Error: {ESTIMATES}: {NO_MODELS}{REBUILD}",
    ),
    Case(
        "estimated_model_missing_training_flop",
        estimate_of("grok_3", lambda m: m.pop("training_flop") and None),
        REFRESH,
        1,
        Like(rf"Error: {ESTIMATES}, record .*grok_3.*, field training_flop: .*"),
    ),
    Case(
        "estimated_training_flop_abc",
        estimate_of("grok_3", lambda m: m.update(training_flop="abc")),
        REFRESH,
        1,
        Like(rf"Error: {ESTIMATES}, record .*grok_3.*, field training_flop: .*'abc'.*"),
    ),
    Case(
        "estimated_training_flop_1e99",
        estimate_of("phi_4", lambda m: m.update(training_flop=1e99)),
        REFRESH,
        1,
        Like(rf"Error: {ESTIMATES}, record .*phi_4.*, field training_flop: .*1e\+?99.*"),
    ),
    Case(
        "estimated_unknown_classification",
        estimate_of("phi_4", lambda m: m.update(threshold_classification="maybe")),
        REFRESH,
        1,
        Like(rf"Error: {ESTIMATES}, record .*phi_4.*, field threshold_classification: .*"),
    ),
    Case(
        "estimated_model_missing_key",
        json_edit(ESTIMATED, lambda doc: model(doc, "phi_4").pop("key") and None),
        REFRESH,
        1,
        Like(rf"Error: {ESTIMATES}, record models\[\d+\], field key: missing key{REBUILD_RE}"),
    ),
    Case(
        "estimated_model_missing_flop_low",
        estimate_of("grok_3", lambda m: m.pop("flop_low") and None),
        ESTIMATE,
        1,
        Like(rf"Error: {ESTIMATES}, record .*grok_3.*, field flop_low: .*"),
    ),
]

STATE_CASES = [
    Case(
        "sync_state_truncated",
        cut_after(BRIDGE_STATE, '"bases": {"candidates": {'),
        SYNC,
        1,
        f"Error: {STATE}: {DAMAGED_STATE}",
    ),
    Case(
        "sync_state_list_instead_of_object",
        planted(BRIDGE_STATE, "[]"),
        SYNC,
        1,
        f"Error: {STATE}: {DAMAGED_STATE}",
    ),
    Case(
        "sync_state_bases_not_an_object",
        state(lambda doc: doc.update(bases=["candidates"])),
        SYNC,
        1,
        f"Error: {STATE}: {DAMAGED_STATE}",
    ),
    Case(
        "sync_state_journal_not_an_object",
        state(lambda doc: doc.update(journal="pushing")),
        SYNC,
        1,
        f"Error: {STATE}: {DAMAGED_STATE}",
    ),
    Case(
        "apply_journal_truncated",
        planted(APPLY_JOURNAL, '{"id": "x", "changes": [{"kind": "AddRow", "table"'),
        REFRESH,
        1,
        f"Error: {JOURNAL}: {DAMAGED_JOURNAL}",
    ),
    Case(
        "apply_journal_wrong_shape",
        planted(APPLY_JOURNAL, '{"changes": {"kind": "AddRow"}, "tables": [], "stamp": 1}'),
        SYNC,
        1,
        f"Error: {JOURNAL}: {DAMAGED_JOURNAL}",
    ),
    Case(
        "heartbeat_truncated",
        planted(HEARTBEAT, '{"last_start": "2031-05-06T07:00:00Z", "last_end": "2031-05'),
        ("health",),
        1,
        Like(r".*{data}/state/worker\.json.*(damaged|unreadable|invalid|not valid).*"),
    ),
]


@pytest.mark.parametrize("case", cases([*SCRAPED, *ESTIMATES_CASES, *STATE_CASES]))
def test_hostile_json(home: Home, case: Case) -> None:
    verify(home, case)

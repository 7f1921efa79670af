"""The commands bridge adds to ``tracker`` (entry point ``tracker.commands``): where each
lives and its short help, so that listing them imports none of them."""

from __future__ import annotations

from pipeline.cli.lazy import LazyCommand

COMMANDS = {
    "bridge": LazyCommand(
        "bridge.cli:bridge_group",
        "Mirror candidates, staging and published to the shared sheets, and pull reviewers' "
        "decisions and corrections back (local workbook, Airtable or Google Sheets).",
    ),
}

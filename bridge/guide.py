"""The ``Guide`` sheet of the workbook: what each column means and what the worker does
with it, for reviewers who never read the README."""

from __future__ import annotations

from bridge.layout import STATUS, SheetLayout
from pipeline.curate.datasets import PUBLISHED

TITLE = "Guide"
HEADER = ["sheet", "column", "what it means", "what the worker does with it"]

MEANINGS: dict[str, tuple[str, str]] = {
    "model": ("The model's key (its snake_case name).", "Owns it: do not edit."),
    "Model": ("The published model name.", "Matches rows by it; edits flow to staging."),
    "developer": ("Who trained the model.", "An edit is saved as your correction."),
    "Organization": ("Who trained the model.", "An edit is saved and flows to staging."),
    "training_flop": (
        "Estimated training compute in FLOP (1.2e+25 = 1.2 x 10^25).",
        "An edit of a candidate is pinned: kept against re-estimation, classification "
        "recomputed, the row still waits for a decision.",
    ),
    "Training compute (FLOP)": ("Published training compute.", "An edit flows to staging."),
    "p_above_1e25": (
        "Probability that training compute is above 1e25 FLOP (0 to 1).",
        "Recomputed by the estimator.",
    ),
    "threshold_classification": (
        "The estimator's call: above, not sure or below 1e25.",
        "Recomputed by the estimator; your decision is what counts.",
    ),
    "decision": (
        "Yours: y (above 1e25) or n (below); yes/no/above/below also work.",
        "Applied on the next sync with its reason: y moves the model to Staging, n to "
        "the below list; either way the row leaves Candidates.",
    ),
    "reason": ("Yours: why you decided.", "Required with a decision; kept in notes."),
    "publish": (
        "Yours: y to publish this staging row.",
        "Syncs the row to Published on the next sync, then clears the cell.",
    ),
    "published_name": (
        "Yours: the published name when it is new.",
        "Adds the name mapping before publishing.",
    ),
    STATUS: (
        "The worker's answer: empty when all is well, else one sentence.",
        "Rows whose status asks you to act are highlighted; 'applied:' reports what was done.",
    ),
    "release_date": ("Release date (YYYY-MM-DD).", "An edit is saved as your correction."),
    "parameters": ("Parameter count.", "An edit is saved as your correction."),
    "confidence": ("How sure the estimate is.", "Recomputed unless you corrected it."),
    "reasoning": ("How the estimate was made.", "Rewritten when the estimate changes."),
    "sources": ("Where the evidence comes from.", "Updated by collection."),
    "verified": ("y once a person confirmed the row.", "Verified rows are never changed."),
    "last_updated": ("When the row last changed.", "Owns it: do not edit."),
    "notes": ("Free notes and the audit trail.", "Appends audit lines; keeps your text."),
}
OTHER = ("Evidence for the decision.", "An edit is saved as your correction.")
PUBLISHED_OTHER = ("A field of the published dataset.", "An edit is saved.")


def guide_rows(layouts: list[SheetLayout]) -> list[list[str]]:
    """One row per sheet column, in the order the sheets show them."""
    rows = []
    for layout in layouts:
        other = PUBLISHED_OTHER if layout.table == PUBLISHED else OTHER
        for column in layout.header:
            meaning, action = MEANINGS.get(column, other)
            rows.append([layout.title, column, meaning, action])
    return rows

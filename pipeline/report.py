"""``tracker report``: training compute over time, as Epoch's insight page shows it.

Writes ``data/reports/compute_over_time.png`` (matplotlib: FLOP on a log axis against
publication date, the 1e25 line, verified and estimated models marked apart) and a
self-contained ``data/reports/index.html`` (the picture embedded, the summary, the models).
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pipeline.curate import history
from pipeline.curate.datasets import BELOW, CANDIDATES, PUBLISHED, STAGING, open_tables
from pipeline.curate.mapping import load_mapping
from pipeline.curate.schema_map import SchemaMap
from pipeline.errors import TrackerError
from pipeline.estimate.runner import load_previous
from pipeline.paths import ConfigPaths, DataPaths
from pipeline.report_funnel import funnel, log10, spaced
from pipeline.schema import Classification, is_verified
from pipeline.settings import Settings
from pipeline.storage.atomic import write_if_changed
from pipeline.storage.csvtable import CsvTable
from pipeline.values import format_number, parse_date, parse_number, round_sig


@dataclass(frozen=True)
class Point:
    name: str
    developer: str
    day: date | None
    flop: float
    verified: bool
    where: str
    p_above: str = ""
    first_seen: bool = False  # ``day`` is the first day a source listed the model


def _number(text: str) -> float | None:
    try:
        return parse_number(text)
    except ValueError:
        return None


def _day(text: str) -> date | None:
    try:
        return parse_date(text)
    except ValueError:
        return None


def points(
    settings: Settings,
    tables: dict[str, CsvTable] | None = None,
    estimates: list[dict[str, Any]] | None = None,
) -> tuple[list[Point], dict[str, int]]:
    """Published, staging and candidate models with their compute (one point per model).
    ``tables`` and ``estimates`` in hand (a cycle's) are taken instead of their files."""
    tables = tables or open_tables(settings, [CANDIDATES, BELOW, STAGING, PUBLISHED])
    configs = ConfigPaths(settings.config_dir)
    schema = SchemaMap.load(configs.schema_map)
    mapping = load_mapping(configs.name_mapping, DataPaths(settings.data_dir).mapping_overlay)
    flop_col = next(f.published for f in schema.fields if f.staging == "training_flop")
    date_col = next(f.published for f in schema.fields if f.staging == "release_date")
    org_col = next(f.published for f in schema.fields if f.staging == "developer")
    found: list[Point] = []
    published = tables[PUBLISHED]
    for name in published.rows:
        cells = published.get(name)
        flop = _number(cells.get(flop_col, ""))
        if flop:
            found.append(
                Point(
                    name,
                    cells.get(org_col, ""),
                    _day(cells.get(date_col, "")),
                    flop,
                    True,
                    "published",
                )
            )
    shown = set(published.rows)
    seen = _first_seen(settings, estimates)
    for name, where in ((STAGING, "staging"), (CANDIDATES, "candidate")):
        table = tables[name]
        for key in table.rows:
            cells = table.get(key)
            flop = _number(cells.get("training_flop", ""))
            if not flop or mapping.mapping.get(key) in shown or key in shown:
                continue
            shown.add(key)
            day = _day(cells.get("release_date", ""))
            fallback = day is None and key in seen
            found.append(
                Point(
                    mapping.mapping.get(key, key),  # the published name wherever one exists
                    cells.get("developer", ""),
                    seen.get(key) if fallback else day,
                    flop,
                    is_verified(cells),
                    where,
                    cells.get("p_above_1e25", ""),
                    fallback,
                )
            )
    candidates = [tables[CANDIDATES].get(k) for k in tables[CANDIDATES].rows]
    summary = {
        "published models": len(published),
        "staging models": len(tables[STAGING]),
        "verified staging models": sum(
            is_verified(tables[STAGING].get(k)) for k in tables[STAGING].rows
        ),
        "candidates": len(candidates),
        "high-confidence above 1e25": sum(
            c.get("threshold_classification") == Classification.ABOVE for c in candidates
        ),
        "not sure, needing review": sum(
            c.get("threshold_classification") == Classification.NOT_SURE and not is_verified(c)
            for c in candidates
        ),
        "below 1e25": len(tables[BELOW]),
    }
    return found, summary


REPORTED_FIELDS = ("key", "first_seen")  # all the report reads of an estimate


def _first_seen(
    settings: Settings, estimates: list[dict[str, Any]] | None = None
) -> dict[str, date]:
    """The first day a source listed each model (the estimates' ``first_seen``)."""
    if estimates is None:
        try:
            estimates = list(load_previous(DataPaths(settings.data_dir)).values())
        except TrackerError:
            return {}
    days = {}
    for record in estimates:
        day = _day(str(record.get("first_seen") or ""))
        if day is not None:
            days[record["key"]] = day
    return days


def plot(found: list[Point], threshold: float) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dated = [p for p in found if p.day is not None]
    figure, axes = plt.subplots(figsize=(10, 6), dpi=110)
    styles = [(True, "verified", "tab:blue", "o"), (False, "estimated", "tab:orange", "^")]
    for verified, label, colour, marker in styles:
        chosen = [p for p in dated if p.verified == verified]
        # matplotlib plots dates through its units registry; its annotations say floats only.
        axes.scatter(
            [p.day for p in chosen],  # type: ignore[arg-type]
            [p.flop for p in chosen],
            c=colour,
            marker=marker,
            label=f"{label} ({len(chosen)})",
            alpha=0.8,
            edgecolors="none",
        )
    ranked = sorted(dated, key=lambda p: -p.flop)
    places = [(p.day.toordinal(), log10(p.flop)) for p in ranked if p.day is not None]
    for index in spaced(places, gap_x=120, gap_y=0.18)[:15]:  # days, orders of magnitude
        p = ranked[index]
        axes.annotate(
            p.name, (p.day, p.flop), fontsize=7, xytext=(4, 2), textcoords="offset points"
        )
    axes.axhline(threshold, color="tab:red", linestyle="--", linewidth=1)
    axes.text(
        0.01,
        threshold,
        f" {threshold:.0e} FLOP",
        color="tab:red",
        transform=axes.get_yaxis_transform(),
        va="bottom",
        fontsize=8,
    )
    axes.set_yscale("log")
    axes.set_xlabel("Publication date")
    axes.set_ylabel("Training compute (FLOP)")
    axes.set_title("Training compute of AI models over time")
    axes.grid(True, which="major", alpha=0.3)
    axes.legend(loc="upper left")
    return _png(figure)


def _png(figure: Any) -> bytes:
    """A figure, dates slanted, as PNG bytes; the figure is closed."""
    import matplotlib.pyplot as plt

    figure.autofmt_xdate()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def plot_funnel(series: dict[str, list[tuple[date, int]]]) -> bytes:
    """The review funnel over time: candidates, confirmed, published (cumulative)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(10, 3.5), dpi=110)
    for stage, points in series.items():
        if points:
            # matplotlib plots dates through its units registry; its annotations say floats only.
            axes.step([d for d, _ in points], [n for _, n in points], where="post",  # type: ignore[arg-type]
                      marker="o", label=f"{stage} ({points[-1][1]})")  # fmt: skip
    days = sorted({d for points in series.values() for d, _ in points})
    if days:  # a week either side, so a first day's counts show as points, not an empty axis
        first, last = days[0] - timedelta(days=7), days[-1] + timedelta(days=7)
        axes.set_xlim(first, last)  # type: ignore[arg-type]  # dates, as above
    axes.set_ylim(bottom=0)
    axes.set_ylabel("Models")
    axes.set_title("Review funnel: candidates → confirmed → published")
    axes.grid(True, alpha=0.3)
    if any(series.values()):
        axes.legend(loc="upper left")
    return _png(figure)


def page(
    found: list[Point],
    summary: dict[str, int],
    picture: bytes,
    threshold: float,
    as_of: str,
    funnel_picture: bytes = b"",
) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(p.name)}</td><td>{html.escape(p.developer)}</td>"
        f"<td>{p.day or ''}{' (first seen)' if p.first_seen else ''}</td>"
        f"<td>{format_number(round_sig(p.flop))}</td><td>{html.escape(p.p_above)}</td>"
        f"<td>{'verified' if p.verified else 'estimated'} ({p.where})</td></tr>"
        for p in sorted(found, key=lambda p: -p.flop)
        if p.flop >= threshold or p.where == "candidate"
    )
    funnel_image = base64.b64encode(funnel_picture).decode()
    funnel = (
        f'<h2>Review funnel</h2><img alt="Review funnel over time" '
        f'src="data:image/png;base64,{funnel_image}" style="max-width:100%">'
        if funnel_picture
        else ""
    )
    counts = "".join(f"<tr><td>{html.escape(k)}</td><td>{v}</td></tr>" for k, v in summary.items())
    image = base64.b64encode(picture).decode()
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Models above {threshold:.0e} FLOP</title>
<style>
body{{font-family:sans-serif;margin:2em;max-width:1100px}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left}} th{{background:#ddebf7}}
</style></head>
<body><h1>AI models trained with more than {threshold:.0e} FLOP</h1>
<p>Data as of {html.escape(as_of)} (the last change tracker applied).
Verified: published or confirmed by a reviewer; estimated: the pipeline's estimate, not yet
confirmed.</p>
<img alt="Training compute over time" src="data:image/png;base64,{image}" style="max-width:100%">
{funnel}
<h2>Summary</h2><table>{counts}</table>
<h2>Models at or above {threshold:.0e} FLOP, and every candidate</h2>
<table><tr><th>model</th><th>developer</th><th>date</th><th>training FLOP</th>
<th>P(above {threshold:.0e})</th><th>status</th></tr>
{rows}</table>
</body></html>
"""


def write_report(
    settings: Settings,
    tables: dict[str, CsvTable] | None = None,
    estimates: list[dict[str, Any]] | None = None,
) -> tuple[Path, bool]:
    """Write the picture and the page (unchanged data: unchanged files); the page's path and
    whether anything was written. A cycle hands its ``tables`` and ``estimates`` in memory."""
    paths = DataPaths(settings.data_dir)
    folder = paths.root / "reports"
    found, summary = points(settings, tables, estimates)
    threshold = settings.thresholds.threshold
    picture = plot(found, threshold)
    as_of = max((str(e.get("time", "")) for e in history.read(paths.state)), default="") or "-"
    target = folder / "index.html"
    funnel_picture = plot_funnel(funnel(history.read(paths.state)))
    text = page(found, summary, picture, threshold, as_of, funnel_picture)
    wrote = write_if_changed(folder / "compute_over_time.png", picture)
    wrote = write_if_changed(target, text.encode()) or wrote
    return target, wrote

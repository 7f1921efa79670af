"""``tracker report``: data/reports/index.html and compute_over_time.png; unchanged data
leaves both files untouched (bytes and times); a reviewer's decision changes the page."""

from __future__ import annotations

import shutil

from worker_support import PNG_SIGNATURE, Home, changed

FILES = ("index.html", "compute_over_time.png")
ROW = "<tr><td>o3</td><td>OpenAI</td>"


def report_files(home: Home) -> dict[str, bytes | int]:
    return {name: (home.reports / name).read_bytes() for name in FILES} | {
        f"{name} mtime": (home.reports / name).stat().st_mtime_ns for name in FILES
    }


def row_of(page: str, start: str) -> str:
    begin = page.index(start)
    return page[begin : page.index("</tr>", begin)]


def test_report_twice_the_second_is_unchanged(cycled: Home) -> None:
    shutil.rmtree(cycled.reports)

    first = cycled.cli("report")
    assert first.exit_code == 0, first.output
    assert first.output == f"Written: {cycled.reports / 'index.html'}\n"
    assert (cycled.reports / "compute_over_time.png").read_bytes().startswith(PNG_SIGNATURE)
    before = report_files(cycled)

    second = cycled.cli("report")

    assert second.exit_code == 0, second.output
    assert second.output == f"Unchanged: {cycled.reports / 'index.html'}\n"
    assert changed(before, report_files(cycled)) == []


def test_the_cycles_report_is_the_commands_report(cycled: Home) -> None:
    """The report a cycle wrote is exactly what ``tracker report`` would write."""
    before = report_files(cycled)
    result = cycled.cli("report")
    assert result.output.startswith("Unchanged: ")
    assert changed(before, report_files(cycled)) == []


def test_a_reviewer_decision_changes_the_report(cycled: Home) -> None:
    page = (cycled.reports / "index.html").read_text(encoding="utf-8")
    assert row_of(page, ROW).endswith("<td>estimated (candidate)</td>")
    cycled.decide({"o3": {"decision": "y", "reason": "reported by the developer"}})
    synced = cycled.cli("bridge", "sync", "--backend", "local")
    assert synced.exit_code == 0, synced.output

    result = cycled.cli("report")

    assert result.output.startswith("Written: ")
    after = (cycled.reports / "index.html").read_text(encoding="utf-8")
    assert row_of(after, ROW).endswith("<td>verified (staging)</td>")
    assert "<tr><td>verified staging models</td><td>1</td></tr>" in after
    assert cycled.cli("report").output.startswith("Unchanged: ")

"""The Epoch AI source: reported specs for every model of its CSV, the live file saved as a
dated copy, the saved copies read offline, and the known values that changed."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from click.testing import Result
from fakes.network import unresolved_host

from pipeline.collect.runner import collect_all
from pipeline.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "configs" / "scrapers" / "epoch_models.yaml"
LIVE = "https://epoch.ai/data/all_ai_models.csv"
Run = Callable[..., Result]


@pytest.fixture
def epoch(project: Path) -> Path:
    """The project with the shipped Epoch source (tests drop sources with a url)."""
    target = project / "configs" / "scrapers" / "epoch_models.yaml"
    target.write_text(SHIPPED.read_text(encoding="utf-8"), encoding="utf-8")
    return project


def offline(request: httpx.Request) -> httpx.Response:
    raise unresolved_host("[Errno -3] Temporary failure in name resolution")


def collect(settings: Settings, reply: Callable[[httpx.Request], httpx.Response] = offline):
    with httpx.Client(transport=httpx.MockTransport(reply)) as client:
        report = collect_all(settings, only="epoch_models", client=client)
    (result,) = report.results
    return result


def models(project: Path) -> dict[str, dict]:
    path = project / "data" / "scraped" / "epoch_models_models.json"
    return {m["key"]: m for m in json.loads(path.read_text(encoding="utf-8"))["models"]}


def sample_csv(rows: int = 40) -> str:
    """The first rows of the shipped copy (real data, multi-line cells kept)."""
    with (ROOT / "data/raw/epoch/notable_ai_models_2024.csv").open(encoding="utf-8") as handle:
        records = list(csv.reader(handle))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(records[: rows + 1])
    return out.getvalue()


def test_offline_the_saved_copy_gives_specs_for_every_model(
    epoch: Path, settings: Settings
) -> None:
    result = collect(settings)
    assert (result.ok, result.models) == (True, 883)
    assert result.warnings[0] == (
        f"epoch_models: cannot resolve host of {LIVE} (offline?); read the saved copies instead"
    )
    found = models(epoch)
    llama = found["llama_3.1_405b"]
    assert llama["specs"] == {
        "release_date": "2024-07-23",
        "parameters": 405000000000,
        "training_flop": 3.8e25,
        "training_tokens": 15600000000000,
        "confidence": "high",
        "source_url": "https://ai.meta.com/research/publications/the-llama-3-herd-of-models/",
        "notes": "Stated in paper.\n\nAlso, 6 * 405B * 15.6T training tokens = 3.8e25",
    }
    assert llama["developer"] == "Meta"  # "Meta AI" in Epoch's data
    assert llama["benchmarks"] == {}
    assert llama["sources"][0] == "https://epoch.ai/data/ai-models (Epoch AI, Data on AI models)"
    assert found["gpt_4o"]["specs"]["confidence"] == "speculative"
    assert found["gpt_4o"]["specs"]["source_url"] == "https://openai.com/index/hello-gpt-4o/"
    assert "first_seen" not in llama  # a database's copy is not a sighting of the model


def test_the_live_file_is_saved_as_a_dated_copy_and_read(epoch: Path, settings: Settings) -> None:
    text = sample_csv()
    result = collect(settings, lambda request: httpx.Response(200, text=text))
    today = datetime.now(UTC).date().isoformat()
    saved = epoch / "data" / "raw" / "epoch" / f"all_ai_models_{today}.csv"
    assert (result.ok, result.models, result.saved_copy) == (
        True,
        40,
        f"raw/epoch/all_ai_models_{today}.csv",
    )
    assert saved.read_text(encoding="utf-8") == text
    again = collect(settings, lambda request: httpx.Response(200, text=text))
    assert (again.ok, again.saved_copy, again.new_models) == (True, "", [])


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (
            lambda request: httpx.Response(429, headers={"Retry-After": "0"}),
            f"HTTP 429 Too Many Requests from {LIVE} (3 attempts)",
        ),
        (lambda request: httpx.Response(200, text=""), f"{LIVE}: empty file: no header row"),
        (
            lambda request: httpx.Response(200, text="Name,Compute\nGPT-9,1e27\n"),
            f"{LIVE}, row 1: no model column (looked for Model, System; found Name, Compute)",
        ),
    ],
    ids=["rate_limited", "empty", "changed_layout"],
)
def test_a_failed_fetch_reads_the_saved_copy(
    epoch: Path, settings: Settings, reply: Callable, reason: str
) -> None:
    result = collect(settings, reply)
    assert (result.ok, result.models) == (True, 883)
    assert result.warnings[0].startswith(f"epoch_models: {reason}")
    assert result.warnings[0].endswith("; read the saved copies instead")


def test_changed_known_values_are_reported(epoch: Path, settings: Settings, run: Run) -> None:
    collect(settings)
    copy = epoch / "data" / "raw" / "epoch" / "notable_ai_models_2024.csv"
    text = copy.read_text(encoding="utf-8")
    copy.write_text(text.replace("3.810001e+25", "5e+25", 1), encoding="utf-8")
    (epoch / "configs" / "scrapers" / "epoch_models.yaml").write_text(
        SHIPPED.read_text(encoding="utf-8")
        .replace(f"url: {LIVE}\n", "")
        .replace("save_as: raw/epoch/all_ai_models_{date}.csv", ""),
        encoding="utf-8",
    )
    result = run("collect-all", "--source", "epoch_models")
    changed = "      known values changed: gpt_4o: training_flop 3.810001e+25 -> 5e+25"
    assert changed in result.output
    assert models(epoch)["gpt_4o"]["specs"]["training_flop"] == 5e25


def test_a_bad_cell_is_named_and_the_row_kept(epoch: Path, settings: Settings) -> None:
    copy = epoch / "data" / "raw" / "epoch" / "notable_ai_models_2024.csv"
    copy.write_text(
        copy.read_text(encoding="utf-8").replace("3.810001e+25", "lots", 1), encoding="utf-8"
    )
    result = collect(settings)
    assert result.ok
    bad = [w for w in result.warnings if "training_flop" in w and "'lots'" in w]
    assert len(bad) == 1 and bad[0].startswith(f"{copy} row ")
    gpt_4o = models(epoch)["gpt_4o"]
    assert "training_flop" not in gpt_4o["specs"] and gpt_4o["specs"]["release_date"]

"""The Hugging Face Hub source, on recorded payloads of ``GET /api/models`` in its
documented shape (``expand[]=author,createdAt,downloads,safetensors``), served by responses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses

from pipeline.collect.runner import collect_all
from pipeline.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
API = "https://huggingface.co/api/models"


def model(repo: str, total: int | None, created: str, downloads: int) -> dict:
    payload = {
        "_id": "66" + str(abs(hash(repo)))[:22],
        "id": repo,
        "author": repo.split("/")[0],
        "createdAt": created,
        "downloads": downloads,
    }
    if total is not None:
        payload["safetensors"] = {"parameters": {"BF16": total}, "total": total}
    return payload


META = [
    model("meta-llama/Llama-3.1-405B-Instruct", 405853388800, "2024-07-16T13:31:18.000Z", 91234),
    model("meta-llama/Llama-3.1-405B", 405853388800, "2024-07-16T13:30:02.000Z", 5012),
    model("meta-llama/Llama-3.3-70B-Instruct", 70553706496, "2024-11-26T16:08:47.000Z", 812345),
]
DEEPSEEK = [
    model("deepseek-ai/DeepSeek-V3", 684531386000, "2024-12-25T12:52:23.000Z", 301234),
    model("deepseek-ai/DeepSeek-R1-GGUF", None, "2025-01-21T08:00:00.000Z", 10),
]


@pytest.fixture
def hub(project: Path) -> Path:
    config = (ROOT / "configs" / "scrapers" / "huggingface.yaml").read_text(encoding="utf-8")
    head = config.split("authors:")[0]
    text = head + "authors: [meta-llama, deepseek-ai]\nlimit: 5\n"
    (project / "configs" / "scrapers" / "huggingface.yaml").write_text(text, encoding="utf-8")
    return project


def serve(mocked: responses.RequestsMock, meta: object, deepseek: object, status: int = 200):
    for author, body in (("meta-llama", meta), ("deepseek-ai", deepseek)):
        mocked.get(
            API, json=body, status=status,
            match=[responses.matchers.query_param_matcher(
                {"author": author, "pipeline_tag": "text-generation", "sort": "downloads",
                 "limit": "5", "expand": ["author", "createdAt", "downloads", "safetensors"]},
            )],
        )  # fmt: skip


def collect(settings: Settings):
    report = collect_all(settings, only="huggingface")
    (result,) = report.results
    return result


def scraped(project: Path) -> dict[str, dict]:
    path = project / "data" / "scraped" / "huggingface_models.json"
    return {m["key"]: m for m in json.loads(path.read_text(encoding="utf-8"))["models"]}


@responses.activate
def test_open_models_with_their_exact_size_date_and_organisation(
    hub: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_test")
    serve(responses.mock, META, DEEPSEEK)
    result = collect(settings)
    assert (result.ok, result.models, result.folded) == (True, 4, 1)
    models = scraped(hub)
    llama = models["llama_3.1_405b"]  # the key the leaderboards use
    assert llama["name"] == "meta-llama/Llama-3.1-405B-Instruct"  # the most downloaded
    assert llama["raw_names"] == ["meta-llama/Llama-3.1-405B", "meta-llama/Llama-3.1-405B-Instruct"]
    assert llama["developer"] == "Meta"
    assert llama["specs"] == {
        "source_url": "https://huggingface.co/meta-llama/Llama-3.1-405B-Instruct",
        "parameters": 405853388800,
        "parameter_source": "safetensors metadata (Hugging Face)",
        "notes": "parameters: exact count of the safetensors weights on the Hub",
        "release_date": "2024-07-16",
    }
    assert models["deepseek_v3"]["developer"] == "DeepSeek"
    assert not {"parameters", "parameter_source"} & models["deepseek_r1"]["specs"].keys()
    assert all(r.headers["authorization"] == "Bearer hf_test" for r, _ in responses.calls)


@responses.activate
def test_a_rate_limit_is_one_line_and_the_previous_output_kept(
    hub: Path, settings: Settings
) -> None:
    serve(responses.mock, META, DEEPSEEK)
    collect(settings)
    before = (hub / "data/scraped/huggingface_models.json").read_bytes()
    responses.mock.reset()
    serve(responses.mock, {"error": "rate limited"}, {"error": "rate limited"}, status=429)
    result = collect(settings)
    assert (result.ok, result.error) == (
        False,
        "HTTP 429 Too Many Requests from the Hugging Face Hub",
    )
    assert (hub / "data/scraped/huggingface_models.json").read_bytes() == before


@responses.activate
def test_an_empty_reply_finds_no_models(hub: Path, settings: Settings) -> None:
    serve(responses.mock, [], [])
    result = collect(settings)
    assert (result.ok, result.error) == (False, "no models found")


@responses.activate
def test_a_changed_reply_is_one_line(hub: Path, settings: Settings) -> None:
    serve(responses.mock, {"models": "elsewhere"}, [])
    result = collect(settings)
    assert not result.ok and result.error.startswith("unexpected reply from the Hub (")
    assert "\n" not in result.error


@responses.activate
def test_offline_is_one_line(hub: Path, settings: Settings) -> None:
    result = collect(settings)  # responses refuses every request: a connection error
    assert (result.ok, result.error) == (False, "cannot reach https://huggingface.co (offline?)")

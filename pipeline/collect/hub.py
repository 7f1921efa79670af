"""The Hugging Face Hub: the most-downloaded text-generation models (``HfApi.list_models``),
with the exact parameter count of their safetensors weights, the repository's creation
date, the organisation and the model card's link. ``HF_TOKEN`` is used when set."""

from __future__ import annotations

import os
from typing import Any

from pipeline.collect.developers import DeveloperNames
from pipeline.collect.names import NameRules, normalise
from pipeline.collect.records import Collected
from pipeline.collect.sources import SourceConfig
from pipeline.errors import SourceError

PARAMETER_SOURCE = "safetensors metadata (Hugging Face)"
EXPAND = ["author", "createdAt", "downloads", "safetensors"]


def list_models(source: SourceConfig, token: str | None = None) -> list[Any]:
    """The models the source asks for (per organisation when ``authors`` names some);
    SourceError in one line when the Hub cannot be read."""
    import requests
    from huggingface_hub import HfApi  # imported when used: it takes a while to load
    from huggingface_hub.utils import HfHubHTTPError

    api = HfApi(endpoint=source.url or None, token=token or os.environ.get("HF_TOKEN") or None)
    found: list[Any] = []
    try:
        authors: list[str | None] = [*source.authors] or [None]
        for author in authors:
            found.extend(
                api.list_models(
                    author=author, pipeline_tag="text-generation", sort="downloads",
                    limit=source.limit, expand=EXPAND,
                )
            )  # fmt: skip
    except HfHubHTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "?"
        reason = exc.response.reason if exc.response is not None else str(exc)
        raise SourceError(
            source.name, f"HTTP {status} {reason} from the Hugging Face Hub"
        ) from None
    except requests.ConnectionError:
        raise SourceError(
            source.name, f"cannot reach {source.url or 'huggingface.co'} (offline?)"
        ) from None
    except requests.RequestException as exc:
        raise SourceError(source.name, f"the Hub request failed ({type(exc).__name__})") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise SourceError(
            source.name, f"unexpected reply from the Hub ({type(exc).__name__}: {exc})"
        ) from None
    return found


def hub_models(
    infos: list[Any], source: SourceConfig, rules: NameRules, developers: DeveloperNames, now: str
) -> Collected:
    """One record per key; of repositories folded into one key the most downloaded wins."""
    result = Collected([])
    by_key: dict[str, dict[str, Any]] = {}
    downloads: dict[str, int] = {}
    base = (source.url or "https://huggingface.co").rstrip("/")
    for info in infos:
        repo = getattr(info, "id", None)
        if not isinstance(repo, str) or not repo:
            result.warnings.append("a model without an id in the Hub's reply; skipped")
            continue
        key = normalise(repo, rules)
        count = int(getattr(info, "downloads", 0) or 0)
        if key in by_key:
            result.folded += 1
            by_key[key]["raw_names"] = sorted({*by_key[key]["raw_names"], repo})
            if count <= downloads[key]:
                continue
        specs: dict[str, Any] = {"source_url": f"{base}/{repo}"}
        weights = getattr(info, "safetensors", None)
        if weights is not None and getattr(weights, "total", None):
            specs["parameters"] = int(weights.total)
            specs["parameter_source"] = PARAMETER_SOURCE
            specs["notes"] = "parameters: exact count of the safetensors weights on the Hub"
        created = getattr(info, "created_at", None)
        if created is not None:
            specs["release_date"] = created.date().isoformat()  # the repository's creation
        author = getattr(info, "author", None) or repo.split("/")[0]
        by_key[key] = {
            "key": key,
            "name": repo,
            "raw_names": sorted({repo, *(by_key[key]["raw_names"] if key in by_key else [])}),
            "developer": developers(author),
            "benchmarks": {},
            "details": {"downloads": count},
            "sources": [source.reference, f"{base}/{repo}"],
            "specs": specs,
            "last_updated": now,
        }
        downloads[key] = count
    result.models = list(by_key.values())
    return result

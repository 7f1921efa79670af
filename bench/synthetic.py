"""Synthetic but realistic scraped data: names, developers and arena scores at any scale."""

from __future__ import annotations

import json
import random
from pathlib import Path

FAMILIES = [
    ("Llama", "Meta"), ("Qwen", "Alibaba"), ("Gemma", "Google"), ("Mistral", "Mistral"),
    ("Phi", "Microsoft"), ("Yi", "01 AI"), ("DeepSeek", "DeepSeek"), ("Falcon", "TII"),
    ("Granite", "IBM"), ("OLMo", "Allen AI"), ("Command", "Cohere"), ("Jamba", "AI21"),
    ("Hunyuan", "Tencent"), ("GLM", "Zhipu"), ("Nova", "Amazon"), ("Reka", "Reka AI"),
]  # fmt: skip
SIZES = ["1.5B", "3B", "7B", "8B", "14B", "27B", "32B", "70B", "72B", "123B", "405B", "8x7B",
         "8x22B", "235B-A22B", ""]  # fmt: skip
SUFFIXES = ["Instruct", "Chat", "it", "Preview", "Turbo", ""]


def model_name(rng: random.Random, index: int) -> tuple[str, str]:
    family, developer = rng.choice(FAMILIES)
    version = f"{rng.randint(1, 4)}.{rng.randint(0, 9)}"
    parts = [family, version, rng.choice(SIZES), rng.choice(SUFFIXES), f"v{index}"]
    return "-".join(p for p in parts if p), developer


def write_sources(scraped: Path, n: int, seed: int = 7) -> None:
    """Append ``n`` synthetic models to the scraped files already in ``scraped``.

    Every model is in the first source; 60% are also in the second, with correlated scores,
    so evidence merges across sources as it does on real data.
    """
    rng = random.Random(seed)
    files = sorted(scraped.glob("*_models.json"))
    docs = [json.loads(f.read_text()) for f in files]
    for index in range(n):
        name, developer = model_name(rng, index)
        key = name.lower().replace("-", "_")
        log_flop = rng.uniform(21.0, 26.5)
        for number, doc in enumerate(docs):
            if number and rng.random() > 0.6:
                continue
            score = round(900 + (log_flop - 21) * 80 + rng.gauss(0, 40) + 60 * number)
            doc["models"].append({
                "key": key, "name": name, "raw_names": [name], "developer": developer,
                "benchmarks": {"arena_score": float(score)},
                "details": {"votes": rng.randint(500, 90000)},
                "sources": [doc["metadata"]["source"]], "last_updated": "2025-01-01T00:00:00Z",
            })  # fmt: skip
    for path, doc in zip(files, docs, strict=True):
        doc["metadata"]["model_count"] = len(doc["models"])
        path.write_text(json.dumps(doc))


NOTES = [
    "Checked against the model card.\nTraining tokens from the technical report, §3.2.",
    "Reviewer: compute confirmed with the developer's blog post.\n"
    "Alternative estimate 2× lower (6ND with 15T tokens).\nSee thread ✓",
    "Données vérifiées — نموذج لغوي كبير — 大规模语言模型\nsecond line",
]


def write_staging(data: Path, n: int, seed: int = 11) -> None:
    """A staging table of ``n // 100`` (at least 10) verified models with multi-line,
    multilingual notes, as reviewers leave them."""
    from pipeline.schema import COLUMNS
    from pipeline.storage.csvtable import CsvTable

    rng = random.Random(seed)
    table = CsvTable.read(data / "staging" / "above_1e25_flop_staging.csv", "model", COLUMNS)
    for index in range(max(10, n // 100)):
        name, developer = model_name(rng, index)
        flop = 10 ** rng.uniform(25.0, 26.7)
        table.add_row({
            "model": f"staged_{name.lower().replace('-', '_')}", "developer": developer,
            "release_date": f"202{rng.randint(3, 5)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            "training_flop": f"{flop:.3g}", "confidence": "high",
            "threshold_classification": "high_confidence_above_1e25",
            "status": "confirmed_above_1e25", "verified": "y",
            "reasoning": "Reviewer-confirmed.\nFrom the technical report.",
            "sources": "https://example.org/report", "notes": rng.choice(NOTES),
            "last_updated": "2025-06-01T00:00:00Z",
        })  # fmt: skip
    table.save()

"""Where things live: the data directory's fixed layout (ARCHITECTURE §4) and the config files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DataPaths:
    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def scraped(self) -> Path:
        return self.root / "scraped"

    def scraped_file(self, source: str) -> Path:
        return self.scraped / f"{source}_models.json"

    @property
    def estimated(self) -> Path:
        return self.root / "estimated" / "estimated_models.json"

    @property
    def candidates(self) -> Path:
        return self.root / "clean" / "above_1e25_flop.csv"

    @property
    def below(self) -> Path:
        return self.root / "clean" / "below_1e25_flop.csv"

    @property
    def staging(self) -> Path:
        return self.root / "staging" / "above_1e25_flop_staging.csv"

    @property
    def published(self) -> Path:
        return self.root / "published" / "published_data.csv"

    @property
    def query_results(self) -> Path:
        return self.root / "query_results"

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def estimated_fingerprint(self) -> Path:
        """The estimates file's fingerprint as estimate-flops wrote it: readers take a
        file that still has it as written, without checking each record again."""
        return self.state / "estimated_fingerprint.json"

    @property
    def mapping_overlay(self) -> Path:
        """Name mappings added at run time (a reviewer's ``published_name``), read after
        ``configs/model_name_mapping.yaml``, so a checkout stays clean."""
        return self.state / "model_name_mapping.yaml"

    @property
    def evidence_cache(self) -> Path:
        """The merged evidence kept between runs (``estimate/evidence_cache.py``)."""
        return self.state / "evidence_cache.json"

    @property
    def estimator_fits(self) -> Path:
        """The estimator's fits and calibration kept between runs (``estimate/fitcache.py``)."""
        return self.state / "estimator_fits.json"


@dataclass(frozen=True)
class ConfigPaths:
    root: Path

    @property
    def scrapers(self) -> Path:
        return self.root / "scrapers"

    @property
    def aliases(self) -> Path:
        return self.root / "aliases.yaml"

    @property
    def known_models(self) -> Path:
        return self.root / "known_models.yaml"

    @property
    def name_mapping(self) -> Path:
        return self.root / "model_name_mapping.yaml"

    @property
    def schema_map(self) -> Path:
        return self.root / "schema_map.yaml"

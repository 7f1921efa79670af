"""Fixtures for the collect tests: the shipped name rules and source configs, the saved page."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.collect.names import NameRules
from pipeline.collect.sources import SourceConfig, load_sources

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "tests" / "fixtures" / "html" / "openlm_arena.html"


@pytest.fixture(scope="session")
def rules() -> NameRules:
    """The name rules of the shipped ``configs/aliases.yaml``."""
    return NameRules.load(ROOT / "configs" / "aliases.yaml")


@pytest.fixture(scope="session")
def shipped_sources() -> dict[str, SourceConfig]:
    return {source.name: source for source in load_sources(ROOT / "configs" / "scrapers")}


@pytest.fixture(scope="session")
def page() -> str:
    """The saved OpenLM Arena page (tests/fixtures/html/openlm_arena.html)."""
    return PAGE.read_text(encoding="utf-8")

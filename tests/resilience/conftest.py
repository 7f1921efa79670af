"""Fixtures for the resilience tests (helpers: resilience_support.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from resilience_support import Stamps, frozen_time


@pytest.fixture(scope="module")
def stamps() -> Iterator[Stamps]:
    """Cycle stamps, the picture and the YAML cache, patched for one test module (never
    longer: other suites run with the real clock)."""
    with frozen_time() as clock:
        yield clock

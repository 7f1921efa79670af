"""The paths of a project folder as the tests lay it out (``configs/`` and ``data/``),
shared by the helpers of every test folder."""

from __future__ import annotations

from pathlib import Path


class ProjectPaths:
    """Mixed into a helper class that has a ``root``."""

    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def configs(self) -> Path:
        return self.root / "configs"

    @property
    def state(self) -> Path:
        return self.data / "state"

    @property
    def workbook(self) -> Path:
        return self.data / "sheets" / "tracker.xlsx"

    @property
    def reports(self) -> Path:
        return self.data / "reports"

    @property
    def lock_file(self) -> Path:
        return self.state / "tracker.lock"


def remove_online_sources(configs: Path) -> None:
    """Delete the source configs that fetch from the network (those with a ``url``), so no
    test can reach it."""
    for config in (configs / "scrapers").glob("*.yaml"):
        if "\nurl:" in "\n" + config.read_text(encoding="utf-8"):
            config.unlink()

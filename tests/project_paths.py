"""The paths of a project folder as the tests lay it out (``configs/`` and ``data/``),
shared by the helpers of every test folder."""

from __future__ import annotations

from pathlib import Path


def snapshot(folder: Path, *within: Path) -> dict[str, bytes]:
    """Every file under ``within`` (all of ``folder`` when none is named), as bytes, by path
    relative to ``folder``."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for top in within or (folder,)
        for path in sorted(top.rglob("*"))
        if path.is_file()
    }


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

    def snapshot(self) -> dict[str, bytes]:
        """Every file under ``data/`` and ``configs/``, as bytes, by path relative to the folder."""
        return snapshot(self.root, self.data, self.configs)


def remove_online_sources(configs: Path) -> None:
    """Delete the source configs that fetch from the network (those with a ``url``), so no
    test can reach it."""
    for config in (configs / "scrapers").glob("*.yaml"):
        if "\nurl:" in "\n" + config.read_text(encoding="utf-8"):
            config.unlink()


# Shipped sources the sample's estimates use besides the LMArena exports and Epoch's data:
# model cards' sizes and the saved benchmark pages.
SAMPLE_SOURCES = ("model_cards", "superclue", "olympicarena")


def exports_and_epoch_only(configs: Path) -> None:
    """Delete ``SAMPLE_SOURCES``, for suites whose scenarios were written on the LMArena
    exports and Epoch's data alone (which models are candidates, which are below)."""
    for name in SAMPLE_SOURCES:
        (configs / "scrapers" / f"{name}.yaml").unlink(missing_ok=True)


def leaderboards_only(configs: Path) -> None:
    """Delete the source of models added by hand (an empty list as shipped) and
    ``SAMPLE_SOURCES``, for suites whose counts are those of the LMArena exports."""
    (configs / "scrapers" / "manual_models.yaml").unlink()
    exports_and_epoch_only(configs)


def one_source_per_export(configs: Path) -> None:
    """The sources of the earlier layout, still read: one per shipped export
    (``lmarena_text_2025_01_23``, ``lmarena_text_2025_05_18``) and no manual entries."""
    leaderboards_only(configs)
    folder = configs / "scrapers" / "lmarena_text.yaml"
    text = folder.read_text(encoding="utf-8")
    rest = text.partition("glob:")[2]
    columns = rest[rest.index("provenance:") :]
    for day in ("2025-01-23", "2025-05-18"):
        name = f"lmarena_text_{day.replace('-', '_')}"
        (configs / "scrapers" / f"{name}.yaml").write_text(
            f"# LMArena text leaderboard, manual export of {day} (layout:\n"
            "# Rank (UB), Model, Score, 95% CI, Votes, Organization, License). Columns are\n"
            "# found by header name, so reordered or extra columns do not matter.\n"
            f"type: csv_file\ndescription: LMArena text leaderboard export, {day}\n"
            f"path: raw/lmarena/lmarena_text_{day}.csv\n{columns}",
            encoding="utf-8",
        )
    folder.unlink()

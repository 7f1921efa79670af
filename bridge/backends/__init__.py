"""Where the sheets live: one interface, three implementations (local workbook, Airtable,
Google Sheets), chosen by ``--backend``, ``TRACKER_BRIDGE__BACKEND`` or the credentials."""

from __future__ import annotations

import os
from collections.abc import Mapping

from bridge.backends.base import Backend
from pipeline.errors import ConfigError
from pipeline.settings import Settings

NAMES = ("local", "airtable", "gsheets")


def choose(settings: Settings, name: str | None, env: Mapping[str, str] = os.environ) -> str:
    """The backend to use: the one named, else the configured one; ``auto`` picks from the
    credentials present (Airtable, then Google Sheets), else the local workbook."""
    name = name or settings.bridge.backend
    if name != "auto":
        return name
    if (env.get("AIRTABLE_TOKEN") or env.get("AIRTABLE_TOKEN_FILE")) and env.get(
        "AIRTABLE_BASE_ID"
    ):
        return "airtable"
    if env.get("GSHEETS_SPREADSHEET_ID"):
        return "gsheets"
    return "local"


def make_backend(
    settings: Settings, name: str | None = None, env: Mapping[str, str] = os.environ
) -> Backend:
    chosen = choose(settings, name, env)
    if chosen == "local":
        from bridge.backends.local import LocalBackend

        return LocalBackend(
            settings.data_dir / settings.bridge.workbook, settings.bridge.lock_file_max_age_hours
        )
    if chosen == "airtable":
        from bridge.backends.airtable import AirtableBackend

        return AirtableBackend.from_env(settings, env)
    if chosen == "gsheets":
        from bridge.backends.gsheets import SheetsBackend

        return SheetsBackend.from_env(settings, env)
    raise ConfigError(f"unknown backend {chosen!r}; use one of {', '.join(NAMES)}")

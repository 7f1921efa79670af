"""Commands are imported when used: ``tracker --help`` lists them from the short help kept
with their registration, and imports none of the heavy libraries."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from harness import invoke

from pipeline.cli import with_plugins
from pipeline.cli.lazy import LazyCommand, LazyGroup

cli = with_plugins()
HEAVY = ("pandas", "numpy", "bs4", "httpx", "apscheduler", "pyairtable", "gspread", "openpyxl")


@pytest.mark.parametrize("name", sorted(cli.lazy))
def test_the_listed_short_help_is_the_commands_own(name: str) -> None:
    listed = click.Command(name, help=cli.lazy[name].help)
    command = cli.lazy[name].load()
    assert command.name == name
    for limit in (40, 80, 1000):
        assert listed.get_short_help_str(limit) == command.get_short_help_str(limit)


def test_help_lists_every_command_without_importing_heavy_libraries() -> None:
    code = (
        "import sys, click\n"
        "from pipeline.cli.main import with_plugins\n"
        "group = with_plugins()\n"
        "print(group.get_help(click.Context(group, info_name='tracker')))\n"
        f"print('imported:', *(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    listed, imported = output.split("imported:")
    assert imported.split() == []
    for name in cli.lazy:
        assert f"  {name}  " in listed


def test_a_command_is_imported_only_when_asked_for() -> None:
    group = LazyGroup("g")
    group.add_lazy("names", LazyCommand("pipeline.cli.inspect:names_command", "Show keys."))
    assert group.commands == {}
    assert group.list_commands(click.Context(group)) == ["names"]
    command = group.get_command(click.Context(group), "names")
    assert command is not None and group.commands == {"names": command}
    assert group.get_command(click.Context(group), "nope") is None


def test_a_target_that_is_not_a_command_is_refused() -> None:
    with pytest.raises(TypeError, match="COMMANDS is not a click command"):
        LazyCommand("pipeline.cli.main:COMMANDS").load()


# What estimate-flops must not import: the environment's settings reader (asyncio, dotenv)
# when no TRACKER_ setting is set, the table printer, the scheduler (the shipped schedule
# needs no parsing), the other packages' commands and the libraries of other stages.
NOT_FOR_ESTIMATE = ("asyncio", "pydantic_settings", "dotenv", "rich", "apscheduler", "bridge",
                    "worker", "pandas", "httpx", "bs4", "openpyxl")  # fmt: skip


def test_estimate_imports_only_what_it_uses(project: Path) -> None:
    collected = invoke(project / "data", project / "configs", "collect-all")
    assert collected.exit_code == 0, collected.output
    args = ["--data-dir", str(project / "data"), "--config-dir", str(project / "configs"),
            "estimate-flops"]  # fmt: skip
    code = (  # the command as main() runs it, but not ending the process
        "import sys\n"
        "from pipeline.cli.main import cli\n"
        f"cli.main({args!r}, prog_name='tracker', standalone_mode=False)\n"
        f"print('imported:', *(m for m in {NOT_FOR_ESTIMATE!r} if m in sys.modules))\n"
    )
    environ = {k: v for k, v in os.environ.items() if not k.upper().startswith("TRACKER_")}
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environ
    ).stdout
    printed, imported = output.split("imported:")
    assert "Saved:" in printed
    assert imported.split() == []


@pytest.mark.parametrize(("preset", "expected"), [(None, "1"), ("4", "4")])
def test_numpy_starts_no_thread_pool_unless_the_user_asks(
    preset: str | None, expected: str
) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if preset is not None:
        environment["OPENBLAS_NUM_THREADS"] = preset
    code = "import os, pipeline.cli.main; print(os.environ['OPENBLAS_NUM_THREADS'])"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env=environment,
    ).stdout  # fmt: skip
    assert output.strip() == expected

"""Every command is documented and reachable; user errors are one line."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from pipeline.cli import cli


def _commands() -> list[str]:
    return sorted(cli.commands)


@pytest.mark.parametrize("name", _commands())
def test_every_command_has_help(name: str) -> None:
    command = cli.commands[name]
    assert command.help, f"{name} has no help text"
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    first_words = " ".join(command.help.split()[:4])
    assert first_words in " ".join(result.output.split())


@pytest.mark.parametrize("name", _commands())
def test_every_option_has_help(name: str) -> None:
    for param in cli.commands[name].params:
        if isinstance(param, click.Option) and param.name != "help":
            assert param.help, f"{name} {param.opts[0]} has no help"


def test_a_missing_config_folder_is_one_line(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["--config-dir", str(tmp_path / "nope"), "collect-all"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {tmp_path / 'nope' / 'scrapers'}: folder not found"
    ]

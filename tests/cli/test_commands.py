"""Every command is documented and reachable; user errors are one line."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from pipeline.cli import with_plugins

cli = with_plugins()


def _commands() -> list[tuple[str, ...]]:
    """Every command path, group members included: ("bridge", "sync")."""
    paths: list[tuple[str, ...]] = []
    for name in cli.list_commands(click.Context(cli)):
        paths.append((name,))
        command = _command((name,))
        if isinstance(command, click.Group):
            paths += [(name, sub) for sub in sorted(command.commands)]
    return paths


def _command(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)
        assert found is not None, f"{path}: {name} not found"
        command = found
    return command


@pytest.mark.parametrize("path", _commands(), ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    command = _command(path)
    assert command.help, f"{path} has no help text"
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    first_words = " ".join(command.help.split()[:4])
    assert first_words in " ".join(result.output.split())


@pytest.mark.parametrize("path", _commands(), ids=" ".join)
def test_every_option_has_help(path: tuple[str, ...]) -> None:
    for param in _command(path).params:
        if isinstance(param, click.Option) and param.name != "help":
            assert param.help, f"{path} {param.opts[0]} has no help"


def test_a_missing_config_folder_is_one_line(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["--config-dir", str(tmp_path / "nope"), "collect-all"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {tmp_path / 'nope' / 'scrapers'}: folder not found"
    ]

"""A click group whose commands are imported when they are used, not when it is built.

The pattern of click's documentation ("Lazily Loading Subcommands"): the group holds a map
of command name -> ``"module:attr"`` and imports a module only in :meth:`get_command`. Its
help lists each command from the short help kept in the map, so ``tracker --help`` imports
no command module; a command registered without one is loaded to read its own. Commands
other packages register under an entry-point group are looked up only when a name is not
found or the commands are listed (reading the entry points costs a command's start-up).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

import click


@dataclass(frozen=True)
class LazyCommand:
    """Where a command lives (``"module:attr"``) and its short help (``None``: read it from
    the command itself, which loads it)."""

    target: str
    help: str | None = None

    def load(self) -> click.Command:
        module_name, _, attr = self.target.partition(":")
        command = getattr(importlib.import_module(module_name), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.target} is not a click command")
        return command


class LazyGroup(click.Group):
    """A :class:`click.Group` with commands registered by :meth:`add_lazy`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, LazyCommand] = {}
        self.entry_point_groups: list[str] = []  # not read yet

    def add_entry_points(self, group: str) -> None:
        """Register the commands of the entry-point ``group`` (each entry a map of command
        name -> :class:`LazyCommand`) when they are first needed."""
        self.entry_point_groups.append(group)

    def read_entry_points(self) -> None:
        """Register the commands of the entry-point groups not read yet."""
        if not self.entry_point_groups:
            return
        from importlib.metadata import entry_points

        groups, self.entry_point_groups = self.entry_point_groups, []
        for group in groups:
            for entry in entry_points(group=group):
                commands: dict[str, LazyCommand] = entry.load()
                for name, command in commands.items():
                    self.add_lazy(name, command)

    def add_lazy(self, name: str, command: LazyCommand) -> None:
        """Register ``name`` without importing it; a loaded command of that name stays."""
        if name not in self.commands:
            self.lazy.setdefault(name, command)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self.read_entry_points()
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name not in self.lazy:
            self.read_entry_points()
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.add_command(self.lazy[cmd_name].load(), cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands with their short help, importing only those without one in the map."""
        rows = []
        for name in self.list_commands(ctx):
            command = self._listed(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command))
        if not rows:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in rows)
        with formatter.section("Commands"):
            formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in rows])

    def _listed(self, ctx: click.Context, name: str) -> click.Command | None:
        """The command, or a stand-in carrying its short help when it is not loaded."""
        lazy = self.lazy.get(name)
        if name in self.commands or lazy is None or lazy.help is None:
            return self.get_command(ctx, name)
        return click.Command(name, help=lazy.help)

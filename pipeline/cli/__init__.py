"""The ``tracker`` command: a thin click layer over the library."""

from pipeline.cli.main import cli, main, with_plugins

__all__ = ["cli", "main", "with_plugins"]

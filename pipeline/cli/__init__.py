"""The ``tracker`` command: a thin click layer over the library."""

from pipeline.cli.main import cli, main

__all__ = ["cli", "main"]

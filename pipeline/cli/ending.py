"""The end of a ``tracker`` process: a command may leave its large results to the operating
system, which takes back a process's memory at once, where Python would free a hundred
thousand records one object at a time (about half a second at that size).

A command passes such results to :func:`leave_to_exit`; when it has, :func:`finish` ends
the process without the interpreter's clean-up, after flushing what it printed and the logs.
Everything the command wrote is complete by then: data files are written atomically and
synced before their command returns, and the data lock is released by its ``with`` block.
Nothing is left behind in a long-running process (the worker), which never calls
:func:`finish`.
"""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn

_left: list[Any] = []


def leave_to_exit(*values: Any) -> None:
    """Keep ``values`` until the process ends, so that they are never freed one by one."""
    _left.extend(values)


def finish(code: Any) -> NoReturn:
    """Exit with ``code`` (as :class:`SystemExit` takes it); without the interpreter's
    clean-up when a command left results to the end."""
    if not _left:
        raise SystemExit(code)
    status = _status(code)
    logging = sys.modules.get("logging")  # its handlers flushed, if the command logged
    if logging is not None:
        logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said there
            status = status or 1
    os._exit(status)


def _status(code: Any) -> int:
    """The exit status :class:`SystemExit` would give ``code`` (a text is printed, then 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1

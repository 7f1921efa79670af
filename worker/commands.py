"""The commands the worker adds to ``tracker`` (entry point ``tracker.commands``): where
each lives and its short help, so that listing them imports none of them."""

from __future__ import annotations

from pipeline.cli.lazy import LazyCommand

COMMANDS = {
    "run": LazyCommand(
        "worker.cli:run_command",
        "One cycle, the main job: collect -> estimate -> refresh -> sync the sheets (pull "
        "reviewers' decisions, apply, push) -> report.",
    ),
    "worker": LazyCommand(
        "worker.cli:worker_command",
        "Run the cycle on a schedule, one at a time, until SIGTERM or Ctrl-C (the Docker service).",
    ),
    "health": LazyCommand(
        "worker.cli:health_command",
        "Exit 0 when the last cycle succeeded within worker.health_max_age_hours, else 1 with "
        "the reason (the container's healthcheck).",
    ),
    "config": LazyCommand(
        "worker.cli:config_command",
        "Print the effective settings (configs/tracker.yaml, then TRACKER_* variables) and "
        "which credentials are set; secrets are never shown.",
    ),
}

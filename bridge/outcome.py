"""What pulling one sheet decided: messages for reviewers, and which sheet cells stay."""

from __future__ import annotations

from dataclasses import dataclass, field

from bridge.model import SheetRow


@dataclass
class Outcome:
    """Per table: ``statuses`` become ``sync_status``; ``held`` cells keep the reviewer's
    value in the sheet and their base (the edit waits); ``applied`` cells were pulled
    (their base moves to the reviewer's value); ``overrides`` are values the push writes
    instead of the local ones (a cleared ``publish``); ``keep`` rows stay in the sheet
    although they left the local table; ``quiet`` statuses (``published: ...``) show only
    when a row has nothing else to say."""

    statuses: dict[str, list[str]] = field(default_factory=dict)
    row_statuses: list[tuple[SheetRow, str]] = field(default_factory=list)
    held: dict[str, set[str]] = field(default_factory=dict)
    applied: dict[str, set[str]] = field(default_factory=dict)
    overrides: dict[str, dict[str, str]] = field(default_factory=dict)
    keep: set[str] = field(default_factory=set)
    events: list[str] = field(default_factory=list)
    quiet: dict[str, str] = field(default_factory=dict)  # shown when nothing else is said

    def say(self, key: str, message: str) -> None:
        self.statuses.setdefault(key, [])
        if message not in self.statuses[key]:
            self.statuses[key].append(message)

    def hold(self, key: str, *columns: str) -> None:
        self.held.setdefault(key, set()).update(columns)

    def took(self, key: str, *columns: str) -> None:
        self.applied.setdefault(key, set()).update(columns)

    def status_of(self, key: str) -> str:
        return "; ".join(self.statuses.get(key, []))

    @property
    def conflicts(self) -> int:
        return sum(m.startswith("conflict") for ms in self.statuses.values() for m in ms)

    @property
    def invalid(self) -> int:
        """Statuses asking the reviewer to act, conflicts aside: every one but those saying
        what was done (applied, restored) or that an edit waits for a pull."""
        done = ("applied", "restored", "conflict", "waiting", "published")
        return sum(not m.startswith(done) for ms in self.statuses.values() for m in ms) + len(
            self.row_statuses
        )

"""A fault at any request of a full cycle (``tracker run``) on Airtable and Google Sheets.

tests/airtable/test_airtable_faults.py and tests/gsheets/test_gsheets_faults.py put one
*bridge sync* through every fault; here it is the whole cycle, with the pipeline changing
the local tables in the same run as the reviewers' edits arrive (resilience_support: the
workload). For each backend the fault-free second cycle is run once; its requests are
counted and its end state (every local file, the sheet by key) recorded. Then, for every
request k of that cycle and each fault, an identical start (files and a deep copy of the
fake) runs the cycle with the fault, then cycles without faults until one succeeds (at most
two more), and must end where the fault-free cycle ended, with every edit applied once.

Faults (the fakes' own injection): ``fail`` — the k-th request answers 500 (Airtable) or
503 (Google), nothing applied; ``drop`` — the server applies the k-th request, then the
connection drops. ``retries=0``: the first error is final, so "until retries are
exhausted" is one reply, and a lost reply is never retried into a success (the harder
case; retried faults are covered by the suites above).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from resilience_support import (
    SITES,
    End,
    Site,
    Stamps,
    assert_edits_once,
    differences,
    end_state,
    planted_site,
    run_until_ok,
    temp_files,
)

# Requests of the fault-free second cycle. Airtable: three reads (one page a table), then
# Candidates upsert (the new candidate), delete (the n row, and grok_3, confirmed: it
# lives in Staging now); Staging update, upsert (grok_3); Published update. Google: one
# values:batchGet, one values:batchUpdate (the metadata is cached from the first cycle).
# Just before writing, the push reads again what it is about to update or remove: Airtable
# one request per table, Google one batchGet.
REQUESTS = {"airtable": 11, "gsheets": 3}
SERVICE = {"airtable": "Airtable", "gsheets": "Google Sheets"}
FAULTS = ("fail", "drop")


@dataclass
class Start:
    before: Site  # after the first cycle, with the workload planted
    after: End  # the fault-free second cycle's end state
    requests: int
    root: Path
    clones: int = 0

    def clone(self) -> Site:
        self.clones += 1
        return self.before.clone(self.root / f"clone{self.clones}")


_STARTS: dict[str, Start] = {}


def start(backend: str, stamps: Stamps, factory: pytest.TempPathFactory) -> Start:
    if backend not in _STARTS:
        root = factory.mktemp(f"faults_{backend}")
        site = planted_site(SITES[backend], root / "first")
        reference = site.clone(root / "reference")
        stamps.under_test()
        outcome = reference.run()
        assert outcome.ok, outcome.output
        _STARTS[backend] = Start(site, end_state(reference), reference.requests(), root)
        assert_edits_once(reference)
        stamps.under_test()
        assert reference.run().ok
        assert reference.requests() == (1 if backend == "gsheets" else 3)  # reads only
        assert differences(end_state(reference), _STARTS[backend].after) == []
    return _STARTS[backend]


@pytest.mark.parametrize("backend", sorted(REQUESTS))
def test_the_fault_free_cycle_makes_this_many_requests(
    backend: str, stamps: Stamps, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert start(backend, stamps, tmp_path_factory).requests == REQUESTS[backend]


CASES = [
    pytest.param(backend, fault, k, id=f"{backend}-{fault}-request{k}")
    for backend, count in sorted(REQUESTS.items())
    for fault in FAULTS
    for k in range(1, count + 1)
]


@pytest.mark.parametrize(("backend", "fault", "k"), CASES)
def test_a_fault_at_any_request_of_a_cycle_converges(
    backend: str, fault: str, k: int, stamps: Stamps, tmp_path_factory: pytest.TempPathFactory
) -> None:
    begin = start(backend, stamps, tmp_path_factory)
    site = begin.clone()
    site.arm(fault, k)
    stamps.under_test()
    first = site.run()
    assert site.requests() >= k  # the fault was reached
    outcomes = run_until_ok(site, first, stamps)
    # with no retries, every fault stops the cycle in one line
    assert first.exit_code == 1, first.output
    assert first.error.startswith(f"Error: the cycle stopped at sync: {SERVICE[backend]}: ")
    assert outcomes[-1].ok, [o.output for o in outcomes]
    assert_edits_once(site)
    assert temp_files(site) == []
    assert differences(end_state(site), begin.after) == []

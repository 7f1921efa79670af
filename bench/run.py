"""``make bench``: start-up time, then wall time and peak memory of each stage at 1k, 10k
and 100k models.

The project's modules are compiled first, as an installed copy is. Then ``tracker --help``
(median of five runs): what every command pays before it starts.
Synthetic scraped models (bench/synthetic.py) are added to the shipped samples, with a
staging table of reviewed models carrying multi-line notes. Each measurement runs
``tracker`` in a fresh process on a prepared data directory and reads that process's own
peak RSS and CPU time from ``wait4``; figures are medians of three runs (peak: the
largest). CPU seconds tell the process's own work apart from waiting for a busy machine.
The 1k figures of estimate and refresh are compared with the earlier tool's. Then the API
efficiency on the stateful fakes (bench/api.py). Results are printed and written to
``bench/results.json``.

Workloads:
- estimate (first): ``estimate-flops`` with no estimates file and no merged evidence kept
  (its kept fits stay);
- estimate: ``estimate-flops --update`` (every model re-estimated from the merged evidence
  kept by the run before, the file found unchanged);
- refresh: ``refresh-dataset`` building the candidates and below tables from nothing (the
  estimate stage's own state, its fits and the estimates file's fingerprint, is kept);
- mirror (first push): ``bridge push`` to a new local workbook;
- mirror (idle sync): ``bridge sync`` with nothing to do;
- run --skip-collect (first): the whole cycle from the scraped files, nothing else on disk;
- run --skip-collect (idle): the same cycle again, with nothing changed.
"""

from __future__ import annotations

import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")]
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
STARTUP_REPEATS = 5
TRACKER = str(Path(sys.executable).with_name("tracker"))
OUTPUTS = ("estimated", "clean", "sheets", "state", "reports")
# The earlier tool for the same job, whole process at 1,000 models on LMArena-layout input.
EARLIER_1K = {"estimate": 0.27, "refresh": 0.54}


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_mib: float


def measure(args: list[str], workdir: Path | None = None) -> Run:
    """Wall and CPU seconds (user + system) and peak RSS of one ``tracker`` invocation."""
    options = []
    if workdir is not None:
        options = ["--data-dir", str(workdir / "data"), "--config-dir", str(workdir / "configs")]
    start = time.perf_counter()
    process = subprocess.Popen(
        [TRACKER, *options, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        assert process.stderr is not None
        raise SystemExit(f"tracker {' '.join(args)} failed: {process.stderr.read().decode()}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def startup() -> Result:
    """``tracker --help``: the median of five runs, the largest peak."""
    runs = [measure(["--help"]) for _ in range(STARTUP_REPEATS)]
    return summarise("start-up (tracker --help)", 0, runs)


def summarise(name: str, n: int, runs: list[Run]) -> Result:
    wall = statistics.median(r.wall for r in runs)
    cpu = statistics.median(r.cpu for r in runs)
    return Result(name, n, round(wall, 3), round(max(r.peak_mib for r in runs), 1), round(cpu, 3))


def prepare(n: int) -> Path:
    """A project with the samples plus ``n`` synthetic models, collected."""
    workdir = HERE / "work" / str(n)
    shutil.rmtree(workdir, ignore_errors=True)
    shutil.copytree(ROOT / "configs", workdir / "configs")
    for config in (workdir / "configs" / "scrapers").glob("*.yaml"):  # no network sources
        if "\nurl:" in "\n" + config.read_text(encoding="utf-8"):
            config.unlink()
    shutil.copytree(ROOT / "data" / "raw", workdir / "data" / "raw")
    measure(["collect-all"], workdir)
    # Made in a process of their own: a measured process's peak includes the memory of the
    # process it was started from (Linux carries it over the exec), so this one stays small.
    data = workdir / "data"
    made = (
        "from pathlib import Path\nfrom synthetic import write_sources, write_staging\n"
        f"write_sources(Path({str(data / 'scraped')!r}), {n})\n"
        f"write_staging(Path({str(data)!r}), {n})\n"
    )
    subprocess.run([sys.executable, "-c", made], cwd=HERE, check=True)
    return workdir


# What the estimate stage keeps in data/state/ for the stages after it (the estimates
# file's fingerprint, the fits): a later stage's reset leaves them, as a real run finds them.
ESTIMATE_STATE = ("estimated_fingerprint.json", "estimator_fits.json")


def remove(workdir: Path, *names: str, keep: tuple[str, ...] = ()) -> Callable[[], None]:
    """A reset that deletes data folders (or files) before each run, but not ``keep``
    (file names inside those folders)."""

    def reset() -> None:
        for name in names:
            path = workdir / "data" / name
            if not path.is_dir():
                path.unlink(missing_ok=True)
            elif not keep:
                shutil.rmtree(path)
            else:
                for child in path.iterdir():
                    if child.name in keep:
                        continue
                    if child.is_dir():
                        shutil.rmtree(child)
                    else:
                        child.unlink()

    return reset


def workloads(workdir: Path) -> dict[str, tuple[list[str], Callable[[], None] | None]]:
    """Name -> (arguments, reset before each run), in the order they must run."""
    return {
        "estimate (first)": (
            ["estimate-flops"],
            remove(workdir, "estimated", "state", keep=("estimator_fits.json",)),
        ),
        "estimate": (["estimate-flops", "--update"], None),
        "refresh": (["refresh-dataset"], remove(workdir, "clean", "state", keep=ESTIMATE_STATE)),
        "mirror (first push)": (
            ["bridge", "push"],
            remove(workdir, "sheets", "state", keep=ESTIMATE_STATE),
        ),
        "mirror (idle sync)": (["bridge", "sync"], None),
        "run --skip-collect (first)": (["run", "--skip-collect"], remove(workdir, *OUTPUTS)),
        "run --skip-collect (idle)": (["run", "--skip-collect"], None),
    }


@dataclass(frozen=True)
class Result:
    workload: str
    models: int
    seconds: float
    peak_mib: float
    cpu_seconds: float


def line(r: Result) -> str:
    models = f"{r.models:>8,}" if r.models else f"{'-':>8}"
    return f"{r.workload:28} {models} {r.seconds:>9.2f} {r.cpu_seconds:>9.2f} {r.peak_mib:>9.1f}"


HEADER = f"{'workload':28} {'models':>8} {'seconds':>9} {'CPU s':>9} {'peak MiB':>9}"


def run_all() -> list[Result]:
    results = []
    for n in SIZES:
        workdir = prepare(n)
        for name, (args, reset) in workloads(workdir).items():
            runs = []
            for _ in range(REPEATS):
                if reset:
                    reset()
                runs.append(measure(args, workdir))
            results.append(summarise(name, n, runs))
            print(line(results[-1]), flush=True)
        shutil.rmtree(workdir, ignore_errors=True)
    return results


def against_earlier(results: list[Result]) -> dict[str, dict[str, float]]:
    """The 1k figures of estimate and refresh next to the earlier tool's."""
    ours = {r.workload: r for r in results if r.models == 1000 and r.workload in EARLIER_1K}
    return {
        name: {"seconds": r.seconds, "cpu_seconds": r.cpu_seconds, "earlier": EARLIER_1K[name]}
        for name, r in ours.items()
    }


def compiled() -> None:
    """The project's bytecode, as an installed copy has it (pip compiles what it installs):
    with ``PYTHONDONTWRITEBYTECODE`` set, an editable checkout would otherwise compile every
    module in every measured process."""
    for package in ("pipeline", "bridge", "worker"):
        compileall.compile_dir(ROOT / package, quiet=1)


def main() -> None:
    compiled()
    first = startup()
    print(HEADER)
    print(line(first), flush=True)
    results = run_all()
    print(f"\n{HEADER}")
    print(line(first))
    for index, r in enumerate(results):
        if index == 0 or r.models != results[index - 1].models:
            print()  # one block per size: the 1k figures first
        print(line(r))
    compared = against_earlier(results)
    if compared:
        print("\n1k against the earlier tool (whole process): " + ", ".join(
            f"{name} {c['seconds']:.2f} s (CPU {c['cpu_seconds']:.2f} s) vs {c['earlier']:.2f} s"
            for name, c in compared.items()
        ))  # fmt: skip
    seconds = {(r.workload, r.models): r.seconds for r in results}
    names = list(dict.fromkeys(r.workload for r in results))
    ratios = {
        name: round(seconds[(name, 100000)] / seconds[(name, 10000)], 2)
        for name in names
        if (name, 10000) in seconds and (name, 100000) in seconds
    }
    pipeline, cold = (
        {
            n: round(sum(seconds[(w, n)] for w in (first, "refresh", "mirror (first push)")), 2)
            for n in SIZES
        }
        for first in ("estimate", "estimate (first)")
    )
    print("\ntime(100k) / time(10k): " + ", ".join(f"{k} {v}" for k, v in ratios.items()))
    print("estimate + refresh + first mirror: "
          + ", ".join(f"N={n:,} {s} s" for n, s in pipeline.items()))  # fmt: skip
    print("  the same with the first estimate: "
          + ", ".join(f"N={n:,} {s} s" for n, s in cold.items()))  # fmt: skip
    path = HERE / "results.json"
    try:
        summary = json.loads(path.read_text())
    except (OSError, ValueError):
        summary = {}
    summary.update(
        startup=asdict(first),
        results=[asdict(r) for r in results],
        earlier_tool_1k=compared,
        ratio_100k_10k=ratios,
        pipeline_seconds=pipeline,
        pipeline_seconds_first_estimate=cold,
    )
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(summary, indent=2) + "\n")
    os.replace(tmp, path)
    shutil.rmtree(HERE / "work", ignore_errors=True)


if __name__ == "__main__":
    main()

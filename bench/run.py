"""``make bench``: wall time and peak memory of each stage at 1k, 10k and 100k models.

Each measurement runs the stage in a fresh process (``tracker`` on a prepared data
directory) and reads that process's own peak RSS from ``wait4``. Figures are medians of
three runs. Results are printed and written to ``bench/results.json``.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from synthetic import write_sources  # noqa: E402

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")]
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
TRACKER = str(Path(sys.executable).with_name("tracker"))


def measure(args: list[str], workdir: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one ``tracker`` invocation."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [
            TRACKER,
            "--data-dir",
            str(workdir / "data"),
            "--config-dir",
            str(workdir / "configs"),
            *args,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"tracker {' '.join(args)} failed: {process.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024


def prepare(n: int) -> Path:
    workdir = HERE / "work" / str(n)
    shutil.rmtree(workdir, ignore_errors=True)
    shutil.copytree(ROOT / "configs", workdir / "configs")
    (workdir / "configs" / "scrapers" / "openlm_arena.yaml").unlink()
    shutil.copytree(ROOT / "data" / "raw", workdir / "data" / "raw")
    measure(["collect-all"], workdir)
    write_sources(workdir / "data" / "scraped", n)
    return workdir


STAGES = {
    "estimate": (["estimate-flops", "--update"], None),
    "refresh (first)": (["refresh-dataset"], "clean"),
    "refresh (no-op)": (["refresh-dataset"], None),
}


def main() -> None:
    results = []
    for n in SIZES:
        workdir = prepare(n)
        for stage, (args, reset) in STAGES.items():
            runs = []
            for _ in range(REPEATS):
                if reset:
                    shutil.rmtree(workdir / "data" / reset, ignore_errors=True)
                runs.append(measure(args, workdir))
            wall = statistics.median(r[0] for r in runs)
            peak = max(r[1] for r in runs)
            row = {"stage": stage, "models": n, "seconds": round(wall, 3)}
            results.append({**row, "peak_mib": round(peak, 1)})
            print(f"{stage:18} N={n:>7,}  {wall:8.2f} s  {peak:7.1f} MiB", flush=True)
    ratios = {}
    for stage in STAGES:
        times = {r["models"]: r["seconds"] for r in results if r["stage"] == stage}
        if 10000 in times and 100000 in times:
            ratios[stage] = round(times[100000] / times[10000], 2)
    print("\ntime(100k) / time(10k): " + ", ".join(f"{s} {r}" for s, r in ratios.items()))
    summary = {"results": results, "ratio_100k_10k": ratios}
    (HERE / "results.json").write_text(json.dumps(summary, indent=2) + "\n")
    shutil.rmtree(HERE / "work", ignore_errors=True)


if __name__ == "__main__":
    main()

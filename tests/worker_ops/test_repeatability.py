"""Two processes estimating the same evidence write the same estimates.

Found while comparing an interrupted cycle with an uninterrupted one in separate processes:
the text of an estimate's reasoning depended on the process. Python randomises string
hashes per process (PYTHONHASHSEED), so anything built by iterating a set of keys can
differ between two runs; two fixed seeds make that reproducible. (The other subprocess
tests pin PYTHONHASHSEED=0 so that their comparisons do not depend on it.)
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from worker_ops_support import Project, clean_env, make_project


def estimates(project: Project, seed: str) -> dict[str, Any]:
    env = clean_env()
    env["PYTHONHASHSEED"] = seed
    code, out, err = project.run("estimate-flops", env=env)
    assert code == 0, out + err
    document = json.loads((project.data / "estimated" / "estimated_models.json").read_text())
    return {model["key"]: model for model in document["models"]}


def test_the_same_evidence_gives_the_same_estimates_in_another_process(tmp_path: Path) -> None:
    one = make_project(tmp_path / "one")
    result = one.invoke("collect-all")
    assert result.exit_code == 0, result.output
    two = Project(tmp_path / "two")
    shutil.copytree(one.root, two.root)
    first, second = estimates(one, "0"), estimates(two, "6")
    assert first.keys() == second.keys()
    changed = {key: (first[key]["reasoning"], second[key]["reasoning"])
               for key in first if first[key] != second[key]}  # fmt: skip
    assert not changed, f"{len(changed)} estimates differ, e.g. {next(iter(changed.items()))}"

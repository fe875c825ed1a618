"""--verbose: the stage times add up to the total, and the cache's hits are counted."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

_TOTAL = re.compile(r"^idealize: timings: total (\d+\.\d+)s = (.*)$", re.M)
_STEPS = re.compile(r"^idealize: timings: (\w+) (\d+\.\d+)s = (.*)$", re.M)
_CACHE = re.compile(r"^idealize: cache: (.*)$", re.M)

CLI = (sys.executable, "-c", "from idealize.cli import main; main()")


def _verbose(repo: Path, cache: Path) -> str:
    proc = subprocess.run(
        [*CLI, "--verbose", "cleanup", str(repo), "--since", "sample-base", "--offline"],
        capture_output=True,
        text=True,
        env={**os.environ, "IDEALIZE_CACHE_DIR": str(cache)},
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stderr


def _parts(text: str) -> dict[str, float]:
    return {name: float(s) for name, s in (p.rsplit(" ", 1) for p in text.split(" + "))}


def test_stage_times_add_up_and_cache_hits_show(
    sample_repo: Callable[[str, str], Path], tmp_path: Path
) -> None:
    repo = sample_repo("py-agent-drift", "merge")
    for run in ("cold", "warm"):
        err = _verbose(repo, tmp_path / "cache")
        total = _TOTAL.search(err)
        assert total is not None, err
        stages = _parts(total.group(2))
        assert {"startup", "collect", "analyze", "output"} <= set(stages)
        # rounding to 0.01 s per stage is all that may separate the sum from the total
        assert abs(sum(stages.values()) - float(total.group(1))) <= 0.01 * len(stages)
        for name, seconds, steps in _STEPS.findall(err):
            if name == "total":
                continue
            parts = _parts(steps)
            assert abs(sum(parts.values()) - float(seconds)) <= 0.01 * len(parts)
            assert abs(float(seconds) - stages[name]) <= 0.01
        cache = _CACHE.search(err)
        assert cache is not None, err
        counts = _parts(cache.group(1).replace(", ", " + "))
        if run == "cold":
            assert "parse" in stages
            assert counts["symbols parsed"] > 0 and counts["diffs read"] > 0
            assert counts["diffs cached"] == 0 and counts["features computed"] > 0
            assert counts["analyses computed"] == 1 and counts["analyses cached"] == 0
        else:
            assert counts.get("symbols parsed", 0) == 0 and counts.get("diffs read", 0) == 0
            assert counts["diffs cached"] > 0
            # the same range again: the detectors' result comes from the cache, and an
            # offline run needs no pieces, so no features are even looked up
            assert counts["analyses cached"] == 1 and counts["analyses computed"] == 0
            assert counts.get("features computed", 0) == 0

"""The analysis memo: a second run over the same range takes the detectors' result from the
cache, and anything that could change that result (the branches, a rule parameter, the
engine's own code, a damaged entry) computes it again."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from idealize.analyze import engine
from idealize.cache import FILENAME, Cache
from idealize.config import Config
from idealize.evaluate.samples import cleanup_config, get_sample
from idealize.output.plan_json import to_json
from idealize.pipeline import run
from idealize.repo.collect import CollectOptions, collect
from idealize.repo.git import Git
from idealize.repo.symbols import SymbolIndex
from idealize.timings import Clock

SAMPLE = ("py-agent-drift", "merge")


def _run(config: Config) -> tuple[str, dict[str, int]]:
    clock = Clock()
    plan = run(config, clock=clock)
    counts = clock.timings()
    return to_json(plan, config.repo), {
        "cached": counts.count("analyses cached"),
        "computed": counts.count("analyses computed"),
    }


@pytest.fixture
def config(sample_repo: Callable[[str, str], Path], tmp_path: Path) -> Config:
    name, variant = SAMPLE
    return cleanup_config(get_sample(name), variant, sample_repo(name, variant), cache_dir=tmp_path)


def test_the_same_range_again_reads_the_memo_and_gives_the_same_plan(config: Config) -> None:
    first, counts = _run(config)
    assert counts == {"cached": 0, "computed": 1}
    assert '"findings": [\n    {' in first, "a plan with nothing in it proves little"
    again, counts = _run(config)
    assert counts == {"cached": 1, "computed": 0}
    assert again == first


def test_a_changed_rule_parameter_computes_again(config: Config) -> None:
    _run(config)
    stricter = replace(config, rules={"duplicate": {"threshold": 0.99}})
    plan, counts = _run(stricter)
    assert counts == {"cached": 0, "computed": 1}
    assert plan != _run(config)[0]


def test_changed_engine_code_computes_again(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = _run(config)
    monkeypatch.setattr(engine, "_SOURCE", "another version of the code")
    again, counts = _run(config)
    assert counts == {"cached": 0, "computed": 1}
    assert again == first


def test_the_code_is_hashed_when_the_engine_is_imported_not_when_it_runs(
    config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hash taken at the first analysis could be of files edited while a long run went
    on, and would key what the loaded code found under the edited code's name."""

    def hashed_again() -> str:
        raise AssertionError("the code was hashed again during the run")

    monkeypatch.setattr(engine, "source_fingerprint", hashed_again)
    _, counts = _run(config)
    assert counts == {"cached": 0, "computed": 1}


@pytest.mark.parametrize("stored", ["{", "[]", '{"modules": [], "findings": [{"id": 1}]}'])
def test_a_damaged_entry_is_computed_again_and_replaced(config: Config, stored: str) -> None:
    first, _ = _run(config)
    assert config.cache_dir is not None
    with sqlite3.connect(config.cache_dir / FILENAME) as db:
        changed = db.execute(
            "UPDATE entries SET value=? WHERE ns=?", (stored, engine.ANALYSIS_NS)
        ).rowcount
    assert changed == 1
    again, counts = _run(config)
    assert counts == {"cached": 0, "computed": 1}
    assert again == first
    assert _run(config)[1] == {"cached": 1, "computed": 0}


def test_a_memo_hit_still_cuts_the_pieces_a_model_stage_packs(config: Config) -> None:
    git = Git(config.repo)
    cache = Cache(config.cache_dir)
    try:
        got = collect(git, CollectOptions(since=config.since), SymbolIndex(cache))
        args = (git, got.branches, got.target_head, cache)
        fresh = engine.analyze(*args, merged=True)
        offline = engine.analyze(*args, merged=True, need_pieces=False)
        packed = engine.analyze(*args, merged=True)
        assert cache.hits[engine.ANALYSIS_NS] == 2
    finally:
        cache.close()
    assert fresh.pieces and fresh.existing
    assert offline.pieces == () and offline.findings == fresh.findings
    assert packed.pieces == fresh.pieces and packed.existing == fresh.existing
    assert (packed.findings, packed.units, packed.modules, packed.notes) == (
        fresh.findings,
        fresh.units,
        fresh.modules,
        fresh.notes,
    )

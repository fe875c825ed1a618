"""A damaged cache (corrupt pages, not a database at all, cut short) is moved aside with a
one-line note and the run goes on, `demo` included; the plan is the one a clean cache gives."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.hostile.conftest import invoke, unchanged


def _corrupt_pages(db: Path) -> None:
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    data = bytearray(db.read_bytes())
    assert len(data) > 3 * 4096, "the cache should hold a few pages by now"
    for offset in range(4096, len(data), 4096):
        data[offset + 16 : offset + 400] = os.urandom(384)
    db.write_bytes(bytes(data))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "corrupt pages": _corrupt_pages,
    "not a database": lambda db: db.write_bytes(b"this is not sqlite\n" * 500),
    "cut short": lambda db: db.write_bytes(db.read_bytes()[:5000]),
}


@pytest.fixture
def hub(sample_repo: Callable[[str, str], Path], tmp_path: Path) -> Path:
    repo = tmp_path / "hub"
    shutil.copytree(sample_repo("ts-settings", "merge"), repo, symlinks=True)
    return repo


def _notes(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "cache" in line]


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_cleanup_goes_on_past_a_damaged_cache(hub: Path, damage: str) -> None:
    cache = Path(os.environ["IDEALIZE_CACHE_DIR"])
    args = ["cleanup", str(hub), "--since", "sample-base", "-f", "json"]
    clean = invoke(args)
    assert clean.exit_code == 0, clean.output
    DAMAGE[damage](cache / "cache.sqlite3")
    with unchanged(hub):
        result = invoke(args)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    notes = _notes(result.stderr)
    assert len(notes) == 1, result.stderr
    assert notes[0].startswith("idealize: the cache at ") and "moved it to" in notes[0]
    assert json.loads(result.stdout)["findings"] == json.loads(clean.stdout)["findings"]
    assert [p.name for p in cache.glob("cache.sqlite3.damaged-*")]
    again = invoke(args)  # the new cache is sound: no note the next time
    assert again.exit_code == 0 and not _notes(again.stderr)


def test_demo_goes_on_past_a_damaged_cache() -> None:
    cache = Path(os.environ["IDEALIZE_CACHE_DIR"])
    cache.mkdir(parents=True, exist_ok=True)
    (cache / "cache.sqlite3").write_bytes(b"\x00garbage" * 4000)
    result = invoke(["demo", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert len(_notes(result.stderr)) == 1
    assert json.loads(result.stdout)["findings"]

"""The shortcuts of a cold run (nothing cached) change what is computed, never the result:
candidate pairs are formed only with new code on one side, the features of the code
already on the target are extracted on several processes, and the string-building scan
is skipped where no quote meets a `+`."""

from __future__ import annotations

import dataclasses
import signal
from collections import defaultdict
from itertools import combinations

from idealize.analyze import features
from idealize.analyze.detectors.duplicates import (
    DuplicateParams,
    _allowed,
    _feature_set,
    _shingles,
    candidate_pairs,
)
from idealize.analyze.features import PARALLEL_MIN, FeatureStore, encode, extract
from idealize.analyze.minhash import LSH
from idealize.cache import Cache
from idealize.repo.throwaway import interruptible
from tests.unit.test_rules import piece

VERBS = ["load", "save", "fetch", "parse", "render", "send"]
NOUNS = ["user", "order", "invoice", "report", "token"]


def _body(verb: str, noun: str, n: int) -> str:
    return (
        f"def {verb}_{noun}_{n}(client, key):\n"
        f'    row = client.get("/api/{noun}s/" + key)\n'
        f"    if row is None:\n"
        f'        raise KeyError("{noun} " + key)\n'
        f"    return {verb}_record(row, {n % 3})\n"
    )


def _pieces() -> list:
    """Existing code (branch None) and new code of three branches, much of it alike."""
    out = []
    n = 0
    for verb in VERBS:
        for noun in NOUNS:
            branch = (None, None, "a", "b", "c")[n % 5]
            out.append(piece(_body(verb, noun, n), f"{verb}_{noun}_{n}", branch, f"app/{noun}.py"))
            n += 1
    return out


def test_pairs_are_those_of_all_pairs_that_have_new_code_on_one_side() -> None:
    pieces = _pieces()
    feats = [_feature_set(p) for p in pieces]
    params = DuplicateParams()
    found = candidate_pairs(pieces, feats, params=params)
    # what forming every pair and filtering afterwards gives
    postings: dict[str, list[int]] = defaultdict(list)
    for i, fs in enumerate(feats):
        for f in fs:
            if f[0] in "scd":
                postings[f].append(i)
    every: set[tuple[int, int]] = set()
    for ids in postings.values():
        if 2 <= len(ids) <= params.max_df:
            every.update(combinations(ids, 2))
    indexed = [i for i, p in enumerate(pieces) if len(_shingles(p)) >= params.min_shingles]
    for bucket in LSH().buckets([sorted(_shingles(pieces[i])) for i in indexed]):
        every.update(combinations([indexed[x] for x in bucket], 2))
    expected = {(a, b) for a, b in every if _allowed(pieces[a], pieces[b])}
    assert found == expected
    assert found, "the fixture forms no pair at all"
    assert any(pieces[a].branch is None or pieces[b].branch is None for a, b in found)
    assert all(pieces[a].branch is not None or pieces[b].branch is not None for a, b in found)


def test_features_extracted_on_several_processes_are_the_same_and_cached(tmp_path) -> None:
    texts = [
        (_body(v, n, i) + f"    # {i}\n", "python")
        for i, (v, n) in enumerate((v, n) for _ in range(40) for v in VERBS for n in NOUNS)
    ][: PARALLEL_MIN + 20]
    assert len(texts) > PARALLEL_MIN  # enough to use the workers
    cache = Cache(tmp_path / "cache")
    store = FeatureStore(cache)
    for (text, language), got in zip(texts, store.get_many(texts, workers=2), strict=True):
        assert encode(got) == encode(extract(text, language))
    store.flush()
    again = FeatureStore(cache)
    first = again.get_many(texts, workers=2)[0]
    assert cache.hits  # read back, not extracted again
    assert first == store.get(*texts[0])


_EXTRACT = features._extract_encoded


def _extract_with_default_sigterm(item: tuple[str, str | None]) -> str:
    """Runs in a pool worker: it must end on SIGTERM (what ``Pool.terminate`` sends), not
    raise the run's ``Interrupted`` in a copy of the run, which once hung a worker."""
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        raise RuntimeError("the worker kept the run's SIGTERM handler")
    return _EXTRACT(item)


def test_feature_workers_do_not_keep_the_runs_signal_handlers(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(features, "_extract_encoded", _extract_with_default_sigterm)
    texts = [(_body("load", "user", i) + f"    # {i}\n", "python") for i in range(PARALLEL_MIN)]
    with interruptible():
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL  # the run's handler
        got = FeatureStore(Cache(tmp_path / "cache")).get_many(texts, workers=2)
    assert encode(got[0]) == encode(extract(*texts[0]))


def test_strings_built_with_plus_are_still_read() -> None:
    built = extract('def f(k):\n    return get(API + "/products/" + k + "/reviews")\n', "python")
    assert "/products/{}/reviews" in built.strings
    across = extract('def g(k):\n    u = "/orders/"\n    return u\n', "python")
    assert not {s for s in across.strings if "{}" in s}


def test_skipping_pairs_of_existing_code_keeps_every_result_of_a_detection() -> None:
    """The same pieces with every existing one turned into a branch's code: pairs between
    two existing pieces appear then, and only those."""
    pieces = _pieces()
    feats = [_feature_set(p) for p in pieces]
    relabelled = [
        dataclasses.replace(p, branch=f"x{i}") if p.branch is None else p
        for i, p in enumerate(pieces)
    ]
    before = candidate_pairs(pieces, feats)
    after = candidate_pairs(relabelled, feats)
    assert before < after
    assert all(pieces[a].branch is None and pieces[b].branch is None for a, b in after - before)


def test_signatures_taken_in_chunks_are_those_of_one_set_at_a_time() -> None:
    """MinHash hashes many sets in one numpy expression; each row must still be the minimum
    of each permutation over that set alone, across chunk edges, for an empty set and for
    a set larger than a chunk."""
    import random

    import numpy as np

    from idealize.analyze import minhash

    rng = random.Random(7)
    sets: list[list[int]] = [
        sorted({rng.randrange(1 << 32) for _ in range(rng.randint(0, 300))}) for _ in range(60)
    ]
    sets[5] = []
    sets[9] = sorted({rng.randrange(1 << 32) for _ in range(3 * minhash._CHUNK)})
    lsh = LSH()
    got = lsh.signatures(sets)
    for values, row in zip(sets, got, strict=True):
        if not values:
            assert (row == (1 << 32) - 1).all()
            continue
        column = np.asarray(values, dtype=np.uint64).reshape(-1, 1)
        with np.errstate(over="ignore"):
            alone = (((column * lsh.a + lsh.b) % lsh._prime) & lsh._max).min(axis=0)
        assert (row == alone).all()


def test_buckets_are_the_sets_sharing_a_band() -> None:
    """A bucket holds exactly the sets (ascending) whose signatures agree on one band, and
    only when it has 2 to ``max_bucket`` of them."""
    import random

    rng = random.Random(11)
    shared = [rng.randrange(1 << 32) for _ in range(40)]
    sets = [sorted(set(shared) | {rng.randrange(1 << 32) for _ in range(k)}) for k in (0, 1, 2)]
    sets += [sorted({rng.randrange(1 << 32) for _ in range(50)}) for _ in range(30)]
    sets.append([])
    lsh = LSH(max_bucket=3)
    signatures = lsh.signatures(sets)
    expected: dict[tuple[int, bytes], list[int]] = defaultdict(list)
    for i, values in enumerate(sets):
        for band in range(lsh.bands) if values else ():
            key = signatures[i, band * lsh.rows : (band + 1) * lsh.rows].tobytes()
            expected[(band, key)].append(i)
    want = sorted(ids for ids in expected.values() if 2 <= len(ids) <= 3)
    assert sorted(lsh.buckets(sets)) == want
    assert [0, 1, 2] in want or [0, 1] in want  # the near-copies share some band


def test_a_formatters_change_is_told_as_the_regex_told_it() -> None:
    """`_cosmetic` deletes layout with one `str.translate`; it must delete exactly what the
    regex it replaced did (every whitespace character, commas, brackets, backslashes and
    quotes), so no modified definition changes tier."""
    import re
    import sys

    from idealize.analyze.pieces import _LAYOUT, _cosmetic

    regex = re.compile(r"[\s,()\[\]{}\\]+|[\'\"]")
    text = "".join(map(chr, range(0x3100))) + "\u3000x\u205fy\U0001f600"
    assert text.translate(_LAYOUT) == regex.sub("", text)
    assert {chr(c) for c in _LAYOUT} - set(",()[]{}\\'\"") == {
        chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()
    }
    assert _cosmetic("call(a, b)", "call(\n    a,\n    b,\n)")
    assert _cosmetic("x = 'a'", 'x = "a"')
    assert not _cosmetic("call(a, b)", "call(a, c)")
    assert not _cosmetic("", "")

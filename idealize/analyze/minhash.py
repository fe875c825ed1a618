"""MinHash signatures and LSH banding over sets of 32-bit shingle hashes.

The same scheme as datasketch (universal hashing modulo the Mersenne prime 2^61-1), in
a few lines of numpy: datasketch imports scipy, which costs about 0.7 s on every run of
the command line, longer than the whole warm analysis.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

_PRIME = (1 << 61) - 1
_MAX = (1 << 32) - 1
# values hashed in one numpy expression: 1,024 values by 64 permutations is 512 KB, which
# stays in the processor's cache (chunks of 16,384 were slower than one call per set)
_CHUNK = 1024


class LSH:
    """Candidate pairs among sets whose Jaccard similarity is likely above ~(1/bands)^(1/rows)."""

    def __init__(
        self, bands: int = 16, rows: int = 4, seed: int = 1, max_bucket: int = 200
    ) -> None:
        import numpy as np  # 0.1 s to import: only when duplicates are looked for

        self._np = np
        self._prime = np.uint64(_PRIME)
        self._max = np.uint64(_MAX)
        rng = np.random.RandomState(seed)
        perms = bands * rows
        self.a = rng.randint(1, (1 << 61) - 1, size=perms, dtype=np.uint64)
        self.b = rng.randint(0, (1 << 61) - 1, size=perms, dtype=np.uint64)
        self.bands = bands
        self.rows = rows
        self.max_bucket = max_bucket

    def signatures(self, sets: Sequence[Sequence[int]]) -> np.ndarray:
        """Every set's signature, one row each (an empty set's row holds the maximum).

        The sets are hashed in chunks of about ``_CHUNK`` values, each chunk in one numpy
        expression, and each set's minima taken with one ``reduceat``: one numpy call per
        set cost more in per-call overhead than the hashing did (10,000 pieces on a
        400-branch history)."""
        numpy = self._np
        count = len(sets)
        result: np.ndarray = numpy.full(
            (count, self.bands * self.rows), self._max, dtype=numpy.uint64
        )
        sizes = [len(values) for values in sets]
        start = 0
        while start < count:
            end, total = start, 0
            while end < count and (end == start or total + sizes[end] <= _CHUNK):
                total += sizes[end]
                end += 1
            rows = [i for i in range(start, end) if sizes[i]]
            if rows:
                values = numpy.fromiter(
                    chain.from_iterable(sets[i] for i in rows), dtype=numpy.uint64, count=total
                ).reshape(-1, 1)
                with numpy.errstate(over="ignore"):
                    hashed = ((values * self.a + self.b) % self._prime) & self._max
                offsets = numpy.cumsum([0] + [sizes[i] for i in rows[:-1]])
                result[rows] = numpy.minimum.reduceat(hashed, offsets, axis=0)
            start = end
        return result

    def buckets(self, sets: Sequence[Sequence[int]]) -> list[list[int]]:
        """The buckets of 2 to ``max_bucket`` sets (their indices, ascending) that share a
        band of their signatures: every pair within one is a candidate."""
        numpy = self._np
        present = numpy.flatnonzero(numpy.fromiter((bool(v) for v in sets), dtype=bool))
        if not len(present):
            return []
        signatures = self.signatures(sets)[present]
        found: list[list[int]] = []
        for band in range(self.bands):
            block = signatures[:, band * self.rows : (band + 1) * self.rows]
            # each value holds 32 bits: two of them make one 64-bit sort key
            keys = [
                (block[:, c] << numpy.uint64(32)) | block[:, c + 1]
                if c + 1 < self.rows
                else block[:, c]
                for c in range(0, self.rows, 2)
            ]
            order = numpy.lexsort(keys[::-1])  # stable: equal keys keep ascending ids
            ordered = [k[order] for k in keys]
            change = numpy.zeros(len(order), dtype=bool)
            change[0] = True
            for k in ordered:
                change[1:] |= k[1:] != k[:-1]
            starts = numpy.flatnonzero(change)
            counts = numpy.diff(numpy.append(starts, len(order)))
            members = present[order]
            for group in numpy.flatnonzero((counts >= 2) & (counts <= self.max_bucket)):
                first = int(starts[group])
                found.append(members[first : first + int(counts[group])].tolist())
        return found

"""MinHash signatures and LSH banding over sets of 32-bit shingle hashes.

The same scheme as datasketch (universal hashing modulo the Mersenne prime 2^61-1), in
a few lines of numpy: datasketch imports scipy, which costs about 0.7 s on every run of
the command line, longer than the whole warm analysis.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

_PRIME = (1 << 61) - 1
_MAX = (1 << 32) - 1


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

    def signature(self, values: Sequence[int]) -> np.ndarray:
        numpy = self._np
        v = numpy.asarray(values, dtype=numpy.uint64).reshape(-1, 1)
        with numpy.errstate(over="ignore"):
            hashed = ((v * self.a + self.b) % self._prime) & self._max
        result: np.ndarray = hashed.min(axis=0)
        return result

    def buckets(self, sets: Sequence[Sequence[int]]) -> list[list[int]]:
        """The buckets of 2 to ``max_bucket`` sets (their indices, ascending) that share a
        band of their signatures: every pair within one is a candidate."""
        buckets: dict[tuple[int, bytes], list[int]] = defaultdict(list)
        for i, values in enumerate(sets):
            if not values:
                continue
            sig = self.signature(values)
            for band in range(self.bands):
                chunk = sig[band * self.rows : (band + 1) * self.rows]
                buckets[(band, chunk.tobytes())].append(i)
        return [ids for ids in buckets.values() if 2 <= len(ids) <= self.max_bucket]

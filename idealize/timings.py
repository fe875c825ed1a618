"""Where a run's wall time went: one stage at a time, so the stages add up to the total.

A ``Clock`` always has exactly one current stage; switching stages closes the running
interval and charges it to the stage that was current. Nothing runs uncharged: a
pipeline stage that waits for a process pool is charged for the wait, and the time
before the clock was made (interpreter start-up and imports) is the ``startup`` stage
when the operating system tells us when the process started.

Stage names may be dotted (``analyze.rules``): a sub-step of ``analyze``. Time spent in
``analyze`` outside any named sub-step stays with ``analyze`` itself.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from idealize.types import Progress, no_progress


@dataclass(frozen=True)
class Timings:
    """Seconds per stage (in the order the stages were first entered) and counters such as
    cache hits. ``total`` is the wall time from the start to when the timings were read."""

    stages: tuple[tuple[str, float], ...]
    total: float
    counts: tuple[tuple[str, int], ...] = ()

    def top(self) -> tuple[tuple[str, float], ...]:
        """Seconds per top-level stage, sub-steps included."""
        out: dict[str, float] = {}
        for name, seconds in self.stages:
            head = name.split(".", 1)[0]
            out[head] = out.get(head, 0.0) + seconds
        return tuple(out.items())

    def steps(self, stage: str) -> tuple[tuple[str, float], ...]:
        """The named sub-steps of ``stage`` (``stage`` itself as ``other``), when it has any."""
        own = [(n, s) for n, s in self.stages if n == stage or n.startswith(stage + ".")]
        if len(own) < 2:
            return ()
        return tuple((n.removeprefix(stage + ".") if n != stage else "other", s) for n, s in own)

    def count(self, name: str) -> int:
        return dict(self.counts).get(name, 0)


def process_age() -> float | None:
    """Seconds since this process started, when the system says (Linux: /proc)."""
    try:
        with open("/proc/self/stat", "rb") as f:
            stat = f.read().rsplit(b")", 1)[1].split()
        with open("/proc/uptime", "rb") as f:
            uptime = float(f.read().split()[0])
        ticks = os.sysconf("SC_CLK_TCK")
        # field 22 of stat is the start time; after the ")" it is the 20th
        return max(0.0, uptime - int(stat[19]) / ticks)
    except (OSError, ValueError, IndexError):
        return None


class Clock:
    """Charges wall time to one stage at a time. Thread-safe; cheap enough to call often."""

    def __init__(
        self,
        stage: str = "startup",
        since_process_start: bool = False,
        now: Callable[[], float] = time.perf_counter,
    ) -> None:
        """``stage``: the stage current from the start. ``since_process_start``: count the
        time since the process started as that stage too."""
        self._now = now
        mark = now()
        age = process_age() if since_process_start else None
        self._start = mark - (age or 0.0)
        self._spent: dict[str, float] = {}
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._current = stage
        self._mark = mark
        if age:
            self._spent[stage] = age

    @property
    def current(self) -> str:
        return self._current

    def switch(self, stage: str) -> str:
        """Charge the time since the last switch to the current stage and make ``stage``
        current; returns the stage that was current."""
        with self._lock:
            now = self._now()
            previous = self._current
            self._spent[previous] = self._spent.get(previous, 0.0) + (now - self._mark)
            self._spent.setdefault(stage, 0.0)
            self._current, self._mark = stage, now
            return previous

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """``name`` is current inside the block; the previous stage is current again after."""
        previous = self.switch(name)
        try:
            yield
        finally:
            self.switch(previous)

    def count(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._counts[name] = self._counts.get(name, 0) + n

    def progress(
        self, progress: Progress = no_progress, steps: Mapping[str, Mapping[int, str]] | None = None
    ) -> Progress:
        """A progress callback that forwards to ``progress`` and, for the stages in
        ``steps``, switches to a named sub-step when a given count is reported: with
        ``{"analyze": {1: "existing"}}``, reporting ``("analyze", 1, n)`` starts
        ``analyze.existing``. For stages whose code cannot take a clock of its own."""
        table = steps or {}

        def forward(stage: str, done: int, total: int) -> None:
            step = table.get(stage, {}).get(done)
            if step is not None and self._current.split(".", 1)[0] == stage:
                self.switch(f"{stage}.{step}")
            progress(stage, done, total)

        return forward

    def timings(self) -> Timings:
        """What was spent so far; the current stage is charged up to now."""
        self.switch(self._current)
        with self._lock:
            total = self._mark - self._start
            stages = tuple((n, s) for n, s in self._spent.items() if s > 0 or n == self._current)
            return Timings(stages, total, tuple(sorted(self._counts.items())))


def describe(timings: Timings) -> list[str]:
    """Plain lines for --verbose: the stages, each stage's sub-steps, the counters."""
    lines = [
        f"timings: total {timings.total:.2f}s = "
        + " + ".join(f"{name} {seconds:.2f}" for name, seconds in timings.top())
    ]
    for name, _ in timings.top():
        steps = timings.steps(name)
        if steps:
            whole = sum(s for _, s in steps)
            lines.append(
                f"timings: {name} {whole:.2f}s = "
                + " + ".join(f"{step} {seconds:.2f}" for step, seconds in steps)
            )
    if timings.counts:
        lines.append("cache: " + ", ".join(f"{name} {n}" for name, n in timings.counts))
    return lines

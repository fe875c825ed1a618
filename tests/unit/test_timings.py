"""The clock charges every moment to exactly one stage, so the stages add up to the total."""

from __future__ import annotations

import threading

from idealize.timings import Clock, describe, process_age


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += seconds


def test_stages_add_up_to_the_total_and_nested_steps_return_to_their_stage() -> None:
    t = FakeTime()
    clock = Clock("startup", now=t)
    t.tick(0.5)
    clock.switch("collect")
    t.tick(1.0)
    with clock.stage("parse"):
        t.tick(0.25)
        clock.switch("parse.diffs")
        t.tick(2.0)
        clock.switch("parse.symbols")
        t.tick(3.0)
    t.tick(0.125)  # back in collect after the block
    clock.switch("analyze")
    t.tick(4.0)
    timings = clock.timings()
    assert timings.total == 10.875
    assert dict(timings.stages) == {
        "startup": 0.5,
        "collect": 1.125,
        "parse": 0.25,
        "parse.diffs": 2.0,
        "parse.symbols": 3.0,
        "analyze": 4.0,
    }
    assert timings.top() == (
        ("startup", 0.5),
        ("collect", 1.125),
        ("parse", 5.25),
        ("analyze", 4.0),
    )
    assert sum(s for _, s in timings.top()) == timings.total
    assert timings.steps("parse") == (("other", 0.25), ("diffs", 2.0), ("symbols", 3.0))
    assert timings.steps("analyze") == ()


def test_progress_reports_start_named_steps_of_their_stage_only() -> None:
    t = FakeTime()
    clock = Clock("analyze", now=t)
    seen: list[tuple[str, int, int]] = []
    progress = clock.progress(
        lambda *event: seen.append(event), {"analyze": {1: "existing", 2: "rules"}}
    )
    t.tick(1.0)
    progress("analyze", 1, 5)
    t.tick(2.0)
    progress("analyze", 2, 5)
    t.tick(3.0)
    progress("analyze", 3, 5)  # no name for step 3: the rules step goes on
    progress("model", 1, 2)  # another stage's report switches nothing
    t.tick(1.0)
    assert seen == [("analyze", 1, 5), ("analyze", 2, 5), ("analyze", 3, 5), ("model", 1, 2)]
    stages = dict(clock.timings().stages)
    assert stages == {"analyze": 1.0, "analyze.existing": 2.0, "analyze.rules": 4.0}


def test_counts_and_description() -> None:
    t = FakeTime()
    clock = Clock("collect", now=t)
    clock.count("symbols new", 3)
    clock.count("symbols new", 2)
    clock.count("symbols cached", 7)
    t.tick(1.5)
    clock.switch("parse.diffs")
    t.tick(0.5)
    timings = clock.timings()
    assert timings.count("symbols new") == 5
    assert timings.count("absent") == 0
    assert describe(timings) == [
        "timings: total 2.00s = collect 1.50 + parse 0.50",
        "cache: symbols cached 7, symbols new 5",
    ]


def test_the_clock_is_safe_across_threads() -> None:
    clock = Clock("main")

    def work() -> None:
        for _ in range(1000):
            clock.count("n")
            clock.switch("worker")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    timings = clock.timings()
    assert timings.count("n") == 4000
    assert abs(sum(s for _, s in timings.stages) - timings.total) < 1e-6


def test_start_up_is_the_time_since_the_process_started() -> None:
    age = process_age()
    if age is None:  # not Linux: start-up is simply not counted
        assert Clock(since_process_start=True).timings().total < 1.0
        return
    clock = Clock(since_process_start=True)
    assert dict(clock.timings().stages)["startup"] >= age

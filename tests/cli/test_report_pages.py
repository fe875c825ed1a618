"""The plan page and the eval page in a real browser (headless Chromium through playwright):
what a person reads is in the DOM, works, and loads nothing from the network.

Chromium comes from the system (`apt-get install chromium`); without it this test is skipped
and says so, except in CI (`CI` set), where .ci/run installs it and the test must run.
Screenshots go to $IDEALIZE_SCREENSHOTS (default: the test's temporary folder).
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from idealize.cli import app

runner = CliRunner()


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(
                "Chromium is not installed, and CI must run this test (.ci/run installs it)"
            )
        pytest.skip(
            "Chromium is not installed: `apt-get install chromium` (or set CI=1 to make this a "
            "failure); see README, Try it"
        )
    return found


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator[tuple[Any, list[str], list[str]]]:
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        try:
            yield page, errors, requests
        finally:
            browser.close()


def _screens(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("IDEALIZE_SCREENSHOTS") or tmp_path / "screens")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_plan_page(
    sample_repo: Callable[[str, str], Path],
    tmp_path: Path,
    browser_page: tuple[Any, list[str], list[str]],
) -> None:
    page, errors, requests = browser_page
    repo = tmp_path / "hub"
    shutil.copytree(sample_repo("py-model-hub", "merge"), repo, symlinks=True)
    run = tmp_path / "run"
    made = runner.invoke(
        app,
        [
            "cleanup",
            str(repo),
            "--since",
            "sample-base",
            "-m",
            "fake/demo",
            "--patches",
            "--verify",
            "true",
            "--out",
            str(run),
            "-f",
            "json",
            "-q",
        ],
    )
    assert made.exit_code == 0, made.output
    plan = json.loads(made.stdout)
    page_made = runner.invoke(app, ["report", str(run)])
    assert page_made.exit_code == 0, page_made.output
    html = (run / "report.html").read_text()
    assert html.startswith("<!doctype html>")
    assert "<link" not in html and 'src="' not in html and "@import" not in html

    page.goto((run / "report.html").as_uri())
    screens = _screens(tmp_path)
    page.screenshot(path=str(screens / "plan-page.png"), full_page=True)
    assert all(url.startswith(("file:", "data:", "about:")) for url in requests), requests

    # every finding, with inline code rendered (no literal backticks left in the text)
    for finding in plan["findings"]:
        section = page.locator(f"#finding-{finding['id']}")
        assert section.is_visible(), finding["id"]
        assert "`" not in section.locator("h3").inner_text()
        assert "`" not in section.locator("p").filter(has_text="Recommendation").inner_text()
    assert page.locator("section.finding h3 code").count() > 0

    # each piece as a diff with line numbers and coloured + lines
    duplicate = next(f for f in plan["findings"] if f["kind"] == "duplicate")
    dup = page.locator(f"#finding-{duplicate['id']}")
    dup.screenshot(path=str(screens / "plan-finding.png"))
    pieces = dup.locator("figure.piece")
    assert pieces.count() >= 2
    added = dup.locator("tr.add").first
    numbers = [n.strip() for n in added.locator("td.ln").all_inner_texts()]
    assert numbers[0] == "" and numbers[1].isdigit()
    assert added.locator("td.tx").evaluate("e => getComputedStyle(e).backgroundColor") == (
        "rgb(230, 255, 236)"
    )
    assert page.locator("tr.del td.tx").count() > 0  # somewhere a branch removed lines
    # panes wrap long lines, or widen to the whole row on request
    first = pieces.first
    text_cell = first.locator("td.tx").first
    assert text_cell.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"
    narrow = first.bounding_box()["width"]
    first.locator("button.widen").click()
    assert "wide" in (first.get_attribute("class") or "")
    assert text_cell.evaluate("e => getComputedStyle(e).whiteSpace") == "pre"
    assert first.bounding_box()["width"] > narrow * 1.5
    first.locator("button.widen").click()
    assert "wide" not in (first.get_attribute("class") or "")

    # finding ids in the text are links that go to the finding
    links = page.locator("#overlap + table a[href^='#finding-']")
    assert links.count() > 0
    target = links.first.get_attribute("href")
    links.first.click()
    assert page.evaluate("location.hash") == target

    # the patches: diff, validation, and the command that applies one
    patches = page.locator("#patches ~ section.patch")
    applied = [p for p in plan["patches"] if p["status"] in ("applies", "repaired")]
    assert applied
    first_patch = page.locator(f"#patch-{applied[0]['id']}")
    first_patch.scroll_into_view_if_needed()
    first_patch.screenshot(path=str(screens / "plan-patch.png"))
    assert patches.count() == len(plan["patches"])
    assert "Verdict: applies" in first_patch.locator("ul.validation").inner_text()
    assert "Tests: passed" in first_patch.locator("ul.validation").inner_text()
    assert first_patch.locator("pre.apply").inner_text().strip() == (
        f"idealize apply {run} {applied[0]['id']}"
    )
    assert first_patch.locator("tr.add").count() >= 1 and first_patch.locator("tr.del").count() >= 1

    # usage and cost
    usage = page.locator("#usage ~ .stats").first.inner_text()
    assert f"{plan['usage']['input_tokens']:,}" in usage and "cost" in usage

    # the kind filter still works
    page.click("button[data-kind=phantom_dependency]")
    visible = [
        f["id"] for f in plan["findings"] if page.locator(f"#finding-{f['id']}").is_visible()
    ]
    assert visible == [f["id"] for f in plan["findings"] if f["kind"] == "phantom_dependency"]
    assert page.get_attribute("html", "data-findings") == str(len(plan["findings"]))
    assert errors == []


def test_the_eval_page(tmp_path: Path, browser_page: tuple[Any, list[str], list[str]]) -> None:
    page, errors, requests = browser_page
    config = tmp_path / "eval.toml"
    config.write_text(
        'variants = ["idealized", "critique"]\nmodels = ["fake/demo", "fake/garbage"]\n'
        '[[cases]]\nsample = "ts-settings"\nlanding = "unmerged"\n'
    )
    out = tmp_path / "eval"
    made = runner.invoke(app, ["eval", str(config), "--out", str(out), "-q"])
    assert made.exit_code == 0, made.output
    records = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
    page.goto((out / "report.html").as_uri())
    screens = _screens(tmp_path)
    page.screenshot(path=str(screens / "eval-page.png"), full_page=True)
    assert all(url.startswith(("file:", "data:", "about:")) for url in requests), requests

    # axis ticks sit where they say
    ticks = page.locator("#recall-chart text.tick[data-value]")
    assert ticks.all_text_contents() == ["0", "0.25", "0.5", "0.75", "1"]
    xs = [float(t.get_attribute("x") or 0) for t in ticks.all()]
    steps = [round(b - a, 1) for a, b in itertools.pairwise(xs)]
    assert len(set(steps)) == 1 and steps[0] > 0
    for bar in page.locator("#recall-chart rect.bar").all():
        name = bar.get_attribute("data-variant")
        recall = json.loads(page.locator("#results").inner_text())["variants"][name]["recall"]
        width = float(bar.get_attribute("width") or 0)
        assert abs(width - recall["estimate"] * (xs[-1] - xs[0])) < 1

    # a real table that sorts
    table = page.locator("table#variants")
    header = table.locator("th", has_text="recall")
    header.click()
    assert header.get_attribute("aria-sort") == "ascending"
    values = [
        float(v or "-1")
        for v in table.locator("tbody tr td:nth-child(3)").evaluate_all(
            "cells => cells.map(c => c.getAttribute('data-value'))"
        )
    ]
    assert values == sorted(values)
    table.locator("th", has_text="variant").click()
    assert table.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.variant)") == [
        "critique",
        "idealized",
    ]
    table.locator("th", has_text="variant").click()
    assert table.locator("th", has_text="variant").get_attribute("aria-sort") == "descending"
    assert table.locator("tbody tr").first.get_attribute("data-variant") == "idealized"

    # per case and cell: the prompt, the answer and how it was scored
    cells = page.locator("#cases a[data-cell]")
    assert cells.count() == len(records)
    garbage = page.locator("#cases tr", has_text="fake/garbage").locator("a[data-cell]").first
    cell_id = garbage.get_attribute("data-cell")
    garbage.click()
    detail = page.locator(f"details#{cell_id}")
    # the page opens the cell on `hashchange`, which fires after the click returns:
    # wait for it (up to five seconds) rather than read the attribute at once
    detail.and_(page.locator("details[open]")).wait_for(timeout=5000)
    detail.screenshot(path=str(screens / "eval-cell.png"))
    scored = detail.locator("ul.score").inner_text()
    assert "Recall: 0.00" in scored and "missed:" in scored and "Answers parsed: 0 of" in scored
    prompt = detail.locator("details.prompt pre").first
    answer = detail.locator("details.answer pre").first
    assert prompt.is_visible() and answer.is_visible()
    record = next(
        r for r in records if r["model"] == "fake/garbage" and r["case"] in detail.inner_text()
    )
    assert answer.inner_text().strip() in {v.strip() for v in record["responses"].values()}
    assert len(prompt.inner_text()) > 200
    assert errors == []

"""After the plan: ask for edits per unit, check them, validate them in a throwaway worktree."""

from __future__ import annotations

from dataclasses import replace

from idealize.config import Config
from idealize.errors import ProviderError
from idealize.llm.calls import Caller
from idealize.llm.pack import Pack
from idealize.llm.prompts import Prompts
from idealize.patches.check import check_patch
from idealize.patches.sandbox import validate_in_worktree
from idealize.repo.git import Git
from idealize.runfolder import Recorder
from idealize.types import PatchRecord, Plan


def run_patch_stage(
    git: Git,
    plan: Plan,
    packs: dict[str, Pack],
    prompts: Prompts,
    caller: Caller,
    config: Config,
    recorder: Recorder,
) -> Plan:
    records: list[PatchRecord] = []
    units = {u.id: u for u in plan.units}
    commit = plan.target_head
    reader = _Reader(git, commit)
    for review in plan.reviews:
        pack = packs.get(review.unit_id)
        if (
            pack is None
            or review.status == "skipped"
            or (review.status != "ok" and not pack.findings)
        ):
            continue
        if review.status != "ok":
            # the model's plan did not parse: the static recommendations are the plan
            review = replace(
                review, decision=" ".join(f.recommendation for f in pack.findings), steps=()
            )
        rendered = prompts.render_named(
            "_patch",
            review.unit_id,
            "edit",
            {
                "pack": pack,
                "unit": pack.unit,
                "review": review,
                "allow_outside": config.allow_outside_edits,
            },
            step="patch",
        )
        recorder.prompt(rendered)
        pid = f"P{len(records) + 1}"
        try:
            answer = caller.call(
                rendered.request(config.max_tokens),
                rendered.template_hash,
                rendered.tokens,
                config.epoch,
            )
        except ProviderError as exc:
            records.append(PatchRecord(pid, review.unit_id, "rejected", reason=exc.message))
            continue
        recorder.response(review.unit_id, "patch", answer.text)
        if "<<<<<<< SEARCH" not in answer.text and "+++ " not in answer.text:
            records.append(
                PatchRecord(pid, review.unit_id, "none", reason="the model proposed no edits")
            )
            continue
        verdict = check_patch(git.root, answer.text, read=reader)
        unit = units.get(review.unit_id)
        outside = sorted(set(verdict.files) - {m.path for m in unit.members}) if unit else []
        if outside and verdict.status != "rejected" and not config.allow_outside_edits:
            records.append(
                PatchRecord(
                    pid,
                    review.unit_id,
                    "rejected",
                    reason="edits files outside the unit: "
                    + ", ".join(outside)
                    + " (--allow-outside-edits accepts them)",
                    files=verdict.files,
                )
            )
            continue
        if verdict.status == "rejected":
            records.append(
                PatchRecord(
                    pid, review.unit_id, "rejected", reason=verdict.reason, files=verdict.files
                )
            )
            continue
        check = validate_in_worktree(
            git.root, commit, verdict.new_contents, config.verify, config.verify_timeout
        )
        record = PatchRecord(
            pid,
            review.unit_id,
            verdict.status,  # type: ignore[arg-type]
            layers=verdict.layers,
            reason=None if check.parses else f"does not parse: {check.detail}",
            files=verdict.files,
            parses=check.parses,
            verify=check.verify,
            verify_detail=check.detail,
            diff=verdict.diff,
        )
        records.append(record)
        if recorder.folder is not None:
            folder = recorder.folder / "patches"
            folder.mkdir(exist_ok=True)
            (folder / f"{pid}.diff").write_text(verdict.diff, encoding="utf-8")
    applied = sum(1 for r in records if r.status in ("applies", "repaired"))
    note = (
        f"Patches: {applied} of {len(records)} applied"
        + (
            f", {sum(1 for r in records if r.verify == 'passed')} passed `{config.verify}`"
            if config.verify
            else ""
        )
        + " (each in a throwaway worktree; your working tree was not touched)."
    )
    return replace(plan, patches=tuple(records), notes=(*plan.notes, note))


class _Reader:
    """Files as they are at the plan's commit (what the edits are checked against)."""

    def __init__(self, git: Git, commit: str) -> None:
        self._git = git
        self._commit = commit

    def __call__(self, path: str) -> str | None:
        raw = self._git.run("show", f"{self._commit}:{path}", check=False)
        return raw.decode("utf-8") if raw else None

"""Findings a maintainer can trust (issue 10): each class of wrong finding seen on real
histories, on a small repository that shows it."""

from __future__ import annotations

import pytest

from idealize.config import Config
from idealize.pipeline import run
from idealize.types import Plan
from tests.conftest import Repo
from tests.e2e.history import (
    WRAPPER,
    any_tier,
    branch,
    findings,
    merge,
    merge_all,
    squash,
    start,
)

CONFIG = """class Config:
    def __init__(self, path):
        self.path = path

    def load_settings(self):
        with open(self.path) as fh:
            return fh.read()
"""


def test_words_are_not_uses(repo: Repo) -> None:
    """Class 1: a removed name in a comment, a docstring, a string, a markdown file, a
    method of another type, or a same-named module elsewhere is not a use of it."""
    start(
        repo,
        {
            "app/__init__.py": "",
            "app/config.py": CONFIG,
            "app/types.py": "Id = int\n",
            "core/__init__.py": "",
            "core/types.py": "Name = str\n",
        },
    )
    branch(
        repo,
        "agent/drop-load",
        {
            "app/config.py": CONFIG.replace(
                "    def load_settings(self):\n        with open(self.path) as fh:\n            return fh.read()\n",
                "    def read_text(self):\n        with open(self.path) as fh:\n            return fh.read()\n",
            ),
            "app/types.py": None,
        },
        "Rename load_settings and drop app/types",
    )
    branch(
        repo,
        "agent/docs",
        {
            "app/report.py": (
                '"""Call load_settings() before reporting."""\n'
                "from core.types import Name\n\n\n"
                "def report(cfg, lock):\n"
                "    # we used to call load_settings here\n"
                '    label = "load_settings"\n'
                "    lock.load_settings_cache = None\n"
                "    return label\n"
            ),
            "docs/config.md": "Use `Config.load_settings()` to read the file.\n",
        },
        "Document reporting",
    )
    plan = merge_all(repo, "agent/drop-load", "agent/docs")
    assert findings(plan, "phantom_dependency") == [], plan.findings
    assert not any(f.kind == "phantom_dependency" for f in plan.findings)


def test_a_use_updated_by_the_removing_branch_is_not_a_phantom(repo: Repo) -> None:
    """Class 2: re-checked at the target."""
    start(
        repo,
        {
            "app/__init__.py": "",
            "app/api.py": "def fetch_rows(db):\n    return db.rows()\n",
            "app/jobs.py": "from app.api import fetch_rows\n\n\ndef job(db):\n    return fetch_rows(db)\n",
        },
    )
    branch(
        repo,
        "agent/rename",
        {
            "app/api.py": "def load_rows(db):\n    return db.rows()\n",
            "app/jobs.py": "from app.api import load_rows\n\n\ndef job(db):\n    return load_rows(db)\n",
        },
        "Rename fetch_rows to load_rows",
    )
    branch(repo, "agent/other", {"app/other.py": "def other():\n    return 1\n"}, "Other")
    plan = merge_all(repo, "agent/rename", "agent/other")
    assert not any(f.kind == "phantom_dependency" for f in plan.findings), plan.findings


def test_a_phantom_fixed_before_head_is_resolved_since(repo: Repo) -> None:
    """Class 2: drift that held when it landed but not at HEAD is not a finding."""
    start(
        repo, {"app/__init__.py": "", "app/api.py": "def fetch_rows(db):\n    return db.rows()\n"}
    )
    branch(
        repo,
        "agent/rename",
        {"app/api.py": "def load_rows(db):\n    return db.rows()\n"},
        "Rename fetch_rows",
    )
    branch(
        repo,
        "agent/user",
        {
            "app/user.py": "from app.api import fetch_rows\n\n\ndef use(db):\n    return fetch_rows(db)\n"
        },
        "Use fetch_rows",
    )
    for name in ("agent/rename", "agent/user"):
        repo.git("merge", "-q", "--no-ff", "-m", f"Merge branch '{name}'", name)
    repo.write(
        "app/user.py", "from app.api import load_rows\n\n\ndef use(db):\n    return load_rows(db)\n"
    )
    repo.commit("Follow the rename")
    plan = run(Config(repo=repo.path, since="base"))
    phantoms = [f for f in plan.findings if f.kind == "phantom_dependency"]
    assert [f.status for f in phantoms] == ["resolved"], phantoms
    assert findings(plan) == []


def test_a_method_moved_to_a_base_class_still_resolves(repo: Repo) -> None:
    """Class 2: a use that resolves through inheritance after a move is no phantom."""
    start(
        repo,
        {
            "app/__init__.py": "",
            "app/shapes.py": "class Shape:\n    pass\n\n\nclass Square(Shape):\n    def area_of_square(self):\n        return 4\n",
        },
    )
    branch(
        repo,
        "agent/base-class",
        {
            "app/shapes.py": "class Shape:\n    def area_of_square(self):\n        return 4\n\n\nclass Square(Shape):\n    pass\n"
        },
        "Move area_of_square to Shape",
    )
    branch(
        repo,
        "agent/user",
        {
            "app/use.py": "from app.shapes import Square\n\n\ndef total():\n    return Square().area_of_square()\n"
        },
        "Use the area",
    )
    plan = merge_all(repo, "agent/base-class", "agent/user")
    assert findings(plan, "phantom_dependency") == [], plan.findings


def test_a_folder_move_is_not_a_duplicate(repo: Repo) -> None:
    """Class 3: `core/` -> `engine/` in one branch; another edits a file of the old folder."""
    body = (
        "def normalize_rows(rows):\n    cleaned = []\n    for row in rows:\n"
        "        key = row.strip().lower()\n        if key and key not in cleaned:\n"
        "            cleaned.append(key)\n    return cleaned\n"
    )
    other = "def count_rows(rows):\n    total = 0\n    for row in rows:\n        if row:\n            total += 1\n    return total\n"
    start(repo, {"core/__init__.py": "", "core/rows.py": body + "\n\n" + other})
    branch(
        repo,
        "agent/move",
        {
            "core": None,
            "engine/__init__.py": "",
            "engine/rows.py": "# moved from core\n" + body + "\n\n" + other,
        },
        "Move core to engine",
    )
    branch(repo, "agent/util", {"app/util.py": "def hello():\n    return 'hi'\n"}, "Add util")
    plan = merge_all(repo, "agent/move", "agent/util")
    assert findings(plan, "duplicate") == [], plan.findings
    pre = run(Config(repo=repo.path, branches=("agent/move",), into="base"))
    assert findings(pre, "duplicate") == [], pre.findings


FIXED = """def parse(text):
    if text is None:
        raise ValueError("empty input: nothing to parse")
    return text.strip()
"""


def test_one_fix_commit_does_not_make_a_ten_commit_branch_a_fix(repo: Repo) -> None:
    """Class 6: fix intent comes from the commits that touched the symbol."""
    start(
        repo, {"app/__init__.py": "", "app/core.py": "def parse(text):\n    return text.strip()\n"}
    )
    repo.git("checkout", "-q", "-b", "agent/feature", "base")
    repo.write("app/core.py", FIXED.replace("empty input", "no input"))
    repo.commit("Add input validation to parse")
    for n in range(8):
        repo.write(f"app/extra{n}.py", f"def extra{n}():\n    return {n}\n")
        repo.commit(f"Add extra {n}")
    repo.write("README.md", "typo fixed\n")
    repo.commit("Fix typo in README")
    repo.git("checkout", "-q", "main")
    branch(repo, "agent/fix", {"app/core.py": FIXED}, "Fix crash on empty input")
    plan = run(Config(repo=repo.path, branches=("agent/feature", "agent/fix"), into="main"))
    assert findings(plan, "double_fix") == [], plan.findings
    # the same two changes, each written by a commit that says it fixes the crash, are one
    # defect fixed twice
    repo.git("checkout", "-q", "-b", "agent/fix2", "base")
    repo.write(
        "app/core.py",
        FIXED.replace(
            "    return text.strip()", "    text = text.replace('\\r', '')\n    return text.strip()"
        ),
    )
    repo.commit("Fix crash on empty input in parse")
    repo.git("checkout", "-q", "main")
    both = run(Config(repo=repo.path, branches=("agent/fix2", "agent/fix"), into="main"))
    assert findings(both, "double_fix") != [], both.findings


def test_a_cause_touched_by_five_branches_is_one_finding(repo: Repo) -> None:
    """Class 7: one removal, five branches using it: one finding that lists them all."""
    start(
        repo, {"app/__init__.py": "", "app/session.py": "def open_session(url):\n    return url\n"}
    )
    branch(
        repo,
        "agent/remove",
        {"app/session.py": "def connect(url):\n    return url\n"},
        "Replace open_session",
    )
    users = []
    for n in range(5):
        name = f"agent/user{n}"
        users.append(name)
        branch(
            repo,
            name,
            {
                f"app/u{n}.py": f"from app.session import open_session\n\n\ndef u{n}():\n    return open_session('x')\n"
            },
            f"User {n}",
        )
    plan = merge_all(repo, "agent/remove", *users)
    phantoms = [f for f in plan.findings if f.kind == "phantom_dependency" and f.status == "open"]
    assert len(phantoms) == 1, [f.title for f in phantoms]
    branches = {loc.branch for loc in phantoms[0].locations}
    assert set(users) <= branches


def test_no_placeholder_text_and_every_location_has_a_line(repo: Repo, sample_plan: object) -> None:
    """Class 8: no title with a placeholder, no empty verdict, every location a line."""
    plans: list[Plan] = []
    for name, variant in (
        ("py-model-hub", "merge"),
        ("py-agent-drift", "squash"),
        ("ts-settings", "unmerged"),
    ):
        plans.append(sample_plan(name, variant))  # type: ignore[operator]
    for plan in plans:
        for f in plan.findings:
            assert "the new mechanism" not in f.title and "``" not in f.title, f.title
            for loc in f.locations:
                assert loc.start_line is not None, (f.id, loc)
                if loc.symbol is None:
                    assert loc.snippet, (f.id, loc)
        for m in plan.modules:
            assert "only , " not in m.verdict and m.verdict.strip(), m.verdict


POLICY = """def decide(lines, limit):
    if not lines:
        return {"compact": False, "reason": "empty"}
    kept = min(len(lines), limit)
    return {"compact": kept < len(lines), "reason": "limit"}
"""


def test_a_change_on_top_of_a_symbol_another_pr_created_is_not_a_double_fix(repo: Repo) -> None:
    """Real histories (mux #1926, #1938): one PR writes a policy, the next adds a rule to it;
    both say fix and share the first one's lines. That is a follow-up, not a second fix."""
    start(repo, {"app/__init__.py": "", "app/run.py": "def run(lines):\n    return lines\n"})
    squash(
        repo,
        "agent/policy",
        {"app/policy.py": POLICY},
        "fix: compaction policy keeps bash output within the limit (#11)",
    )
    squash(
        repo,
        "agent/markers",
        {
            "app/policy.py": POLICY.replace(
                "    kept = min",
                '    if any(line.startswith("<<<<<<<") for line in lines):\n'
                '        return {"compact": False, "reason": "conflict markers"}\n'
                "    kept = min",
            )
        },
        "fix: compaction policy keeps conflict markers in bash output (#12)",
    )
    plan = run(Config(repo=repo.path, since="base"))
    assert [f.title for f in plan.findings if f.kind == "double_fix"] == [], plan.findings


SERVICE = """class CoderService:
    def list_presets(self, template):
        return self.run(["templates", "presets", template])

    def list_templates(self):
        return self.run(["templates", "list"])

    def info(self):
        return {"presets": self.list_presets("x"), "templates": self.list_templates()}

    def run(self, args):
        return args
"""


def test_a_wrapper_is_a_candidate_and_one_cause_per_pair_of_branches(repo: Repo) -> None:
    """Real histories (mux #2119, #2145): a fix in two methods and a change of the method
    that calls both, doing the same operation. On eleven judged histories no such pair was
    one defect fixed twice: it is one candidate for the pair of branches, not a finding per
    method."""
    start(repo, {"app/__init__.py": "", "app/coder.py": SERVICE})
    guarded = SERVICE.replace(
        '        return self.run(["templates", "presets", template])',
        '        out = self.run(["templates", "presets", template])\n'
        '        return out.split(",") if out else "Unknown error: coder runtime missing"',
    ).replace(
        '        return self.run(["templates", "list"])',
        '        out = self.run(["templates", "list"])\n'
        '        return out.split(",") if out else "Unknown error: coder runtime missing"',
    )
    branch(repo, "agent/runtime-info", {"app/coder.py": guarded}, "Fix coder runtime info errors")
    gated = SERVICE.replace(
        '        return {"presets": self.list_presets("x"), "templates": self.list_templates()}',
        '        version = self.run(["version"])\n'
        '        if not version.split(","):\n'
        '            return "Unknown error: coder runtime missing"\n'
        '        return {"presets": self.list_presets("x"), "templates": self.list_templates()}',
    )
    branch(repo, "agent/gate", {"app/coder.py": gated}, "Fix coder runtime gating errors")
    plan = merge_all(repo, "agent/runtime-info", "agent/gate")
    fixes = [f for f in plan.findings if f.kind == "double_fix"]
    assert all(f.tier == "candidate" for f in fixes), [(f.title, f.tier) for f in fixes]
    assert len(fixes) <= 1, [f.title for f in fixes]


TYPES = """export type ExecutorProfileId = { executor: string, variant: string | null, };

export type FollowUpRequest = {
  prompt: string,
  executor_profile_id: ExecutorProfileId,
};

export type RunAgentSetupRequest = { executor_profile_id: ExecutorProfileId, };
"""


def test_a_member_another_type_declares_on_one_line_is_not_a_phantom(repo: Repo) -> None:
    """vibe-kanban #2571: a field renamed in one generated type, while another type declares
    a field of the same name in a one-line type literal: nothing breaks."""
    setup = (
        'import type { RunAgentSetupRequest } from "../shared/types";\n\n'
        "export function setup(id: RunAgentSetupRequest) {\n"
        "  return id.executor_profile_id;\n}\n"
    )
    start(repo, {"shared/types.ts": TYPES, "src/setup.ts": setup})
    branch(
        repo,
        "agent/executor-config",
        {"shared/types.ts": TYPES.replace("  executor_profile_id:", "  executor_config:")},
        "Rename the follow-up request's executor_profile_id to executor_config",
    )
    plan = merge_all(repo, "agent/executor-config")
    assert findings(plan, "phantom_dependency") == [], plan.findings


DURATION = '''def parse_duration(text):
    """Seconds in "1h30m", "45s" or "2d"."""
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    total, number = 0, ""
    for ch in text.strip().lower():
        if ch.isdigit():
            number += ch
        elif ch in units and number:
            total += int(number) * units[ch]
            number = ""
        else:
            raise ValueError(f"bad duration: {text!r}")
    return total
'''


def test_a_group_that_lost_a_copy_is_a_finding_while_the_rest_holds_together(
    repo: Repo,
) -> None:
    """Three branches paste one function; after merging, one copy is deleted. The two left
    are still one text: still a finding. When the two left have also drifted apart since,
    they were still copies of each other when they landed: a finding that says so, not
    "identical code in 3 places". (That the rest is a candidate when it held together only
    through the copy that is gone is in test_trust_sequence.)"""
    start(repo, {"README.md": "x\n"})
    for n, path in enumerate(("jobs/timeouts.py", "api/limits.py", "cli/flags.py")):
        branch(repo, f"agent/{n}", {path: DURATION}, f"Parse durations in {path}")
    merge(repo, "agent/0", "agent/1", "agent/2")
    repo.git("rm", "-q", "cli/flags.py")
    repo.commit("cli: use the jobs parser")
    plan = run(Config(repo=repo.path, since="base"))
    assert [f.tier for f in plan.findings if f.kind == "duplicate"] == ["finding"]

    drifted = DURATION.replace('raise ValueError(f"bad duration: {text!r}")', "return None")
    repo.write("api/limits.py", drifted.replace("total += int", "total = total + int"))
    repo.commit("api: lenient durations")
    plan = run(Config(repo=repo.path, since="base"))
    dups = [f for f in plan.findings if f.kind == "duplicate" and f.status == "open"]
    assert [f.tier for f in dups] == ["finding"], [(f.title, f.tier) for f in dups]
    assert dups[0].evidence[0] == "identical code when they landed", dups[0].evidence
    assert len(dups[0].locations) == 2


SETTINGS = """class Settings:
    def __init__(self, path):
        self.path = path
        self.values = {}

    def save_settings(self, values):
        self.values.update(values)
        with open(self.path, "w") as fh:
            fh.write(repr(self.values))
"""
STORE = """class ServerStore:
    def __init__(self, path):
        self.path = path
        self.servers = []

    def save_settings(self):
        with open(self.path, "w") as fh:
            fh.write(repr(self.servers))

    def add(self, server):
        self.servers.append(server)
        self.save_settings()

    def remove(self, server):
        self.servers.remove(server)
        self.save_settings()
"""
STORE_NEW = """from app.persist import persist_servers


class ServerStore:
    def __init__(self, path):
        self.path = path
        self.servers = []

    def add(self, server):
        self.servers.append(server)
        persist_servers(self.path, self.servers)

    def remove(self, server):
        self.servers.remove(server)
        persist_servers(self.path, self.servers)
"""
PERSIST = """def persist_servers(path, servers):
    with open(path, "w") as fh:
        fh.write(repr(sorted(servers)))
"""


@pytest.mark.parametrize(("clash", "found"), [(False, 1), (True, 0)], ids=["calls", "name-clash"])
def test_a_branch_deleting_its_own_same_named_method_replaces_nothing(
    repo: Repo, clash: bool, found: int
) -> None:
    """mux: #2135 deleted the private `MCPConfigService.saveConfig` and its calls, while
    other PRs extended `Config.saveConfig`: reported as one replacing what the others
    extend. Without the clash (the calls went to `Settings.save_settings`), it is drift."""
    repo.write("app/__init__.py", "")
    repo.write("app/settings.py", SETTINGS)
    calls = "self.save_settings()" if clash else "Settings(self.path).save_settings({})"
    start(repo, {"app/store.py": STORE.replace("self.save_settings()", calls)})
    branch(
        repo,
        "agent/persist",
        {"app/store.py": STORE_NEW, "app/persist.py": PERSIST},
        "Persist servers in one place",
    )
    versioned = SETTINGS.replace(
        "        self.values.update(values)\n",
        "        self.values.update(values)\n"
        "        self.values['version'] = 2\n"
        "        self.values['saved'] = True\n",
    )
    branch(repo, "agent/settings", {"app/settings.py": versioned}, "Version the settings file")
    plan = merge_all(repo, "agent/persist", "agent/settings")
    assert len(findings(plan, "divergence")) == found, plan.findings


ZOD_BEFORE = """export interface WorkspaceNameState {
  generatedIdentity: string;
  title: string;
}

export function describe(state: WorkspaceNameState): string {
  return state.title;
}
"""
ZOD_AFTER = """import { z } from "zod";

const WorkspaceIdentitySchema = z.string().min(1);

export const WorkspaceNameStateSchema = z.object({
  generatedIdentity: WorkspaceIdentitySchema.nullable(),
  title: z.string(),
});

export type WorkspaceNameState = z.infer<typeof WorkspaceNameStateSchema>;

export function describe(state: WorkspaceNameState): string {
  return state.title;
}
"""
ZOD_USE = """import { WorkspaceNameState } from "./state";

export function identityOf(state: WorkspaceNameState): string {
  return state.generatedIdentity.trim();
}
"""


def test_an_interface_turned_into_a_zod_schema_keeps_its_members(repo: Repo) -> None:
    """mux: #1993 turned `interface WorkspaceNamePersistedState` into a zod schema and a
    `z.infer` alias; `generatedIdentity` was reported removed, though the schema declares it."""
    start(repo, {"src/state.ts": ZOD_BEFORE})
    branch(repo, "agent/zod", {"src/state.ts": ZOD_AFTER}, "Validate the persisted state with zod")
    branch(repo, "agent/identity", {"src/identity.ts": ZOD_USE}, "Read the generated identity")
    plan = merge_all(repo, "agent/zod", "agent/identity")
    assert findings(plan, "phantom_dependency") == [], plan.findings


DEPRECATED_AGENT = """class TemporalAgent:
    def __init__(self, name):
        self.name = name

    def run(self, prompt):
        return self.name + ": " + prompt
"""
AGENT_TESTS = """from app.agent import TemporalAgent


def test_temporal_agent_runs():
    agent = TemporalAgent("a")
    assert agent.run("hi") == "a: hi"
"""


def test_a_test_expecting_a_deprecation_warning_deprecates_nothing(repo: Repo) -> None:
    """pydantic-ai: tests that wrapped a deprecated agent in `pytest.warns(...)` were read
    as deprecated themselves, and the tests other PRs extended as a replaced mechanism."""
    start(
        repo,
        {
            "app/__init__.py": "",
            "app/agent.py": DEPRECATED_AGENT,
            "tests/test_agent.py": AGENT_TESTS,
        },
    )
    branch(
        repo,
        "agent/durability",
        {
            "app/durability.py": "class TemporalDurability:\n    def __init__(self, agent):\n        self.agent = agent\n\n    def wrap(self):\n        return self.agent\n",
            "tests/test_agent.py": AGENT_TESTS.replace(
                '    agent = TemporalAgent("a")\n',
                '    with pytest.warns(DeprecationWarning):  # use TemporalDurability instead\n        agent = TemporalAgent("a")\n    wrapped = TemporalDurability(agent)\n    assert wrapped.wrap() is agent\n',
            ).replace(
                "from app.agent import TemporalAgent",
                "import pytest\n\nfrom app.agent import TemporalAgent\nfrom app.durability import TemporalDurability",
            ),
        },
        "Add TemporalDurability",
    )
    branch(
        repo,
        "agent/tests",
        {
            "tests/test_agent.py": AGENT_TESTS.replace(
                '    assert agent.run("hi") == "a: hi"\n',
                '    assert agent.run("hi") == "a: hi"\n    assert agent.run("yo") == "a: yo"\n    assert agent.name == "a"\n',
            ),
        },
        "More checks of the temporal agent",
    )
    plan = merge_all(repo, "agent/durability", "agent/tests")
    assert findings(plan, "divergence") == [], plan.findings


ADAPTER = '''from dataclasses import dataclass


@dataclass
class UIAdapter:
    """Turns an agent run into events for a chat UI."""

    run_input: dict
    allow_uploaded_files: bool = False

    def sanitize_messages(self, messages):
        return [m for m in messages if m]
'''


def test_a_deprecated_field_does_not_deprecate_its_class(repo: Repo) -> None:
    """pydantic-ai: #6232 renamed the `preserve_file_data` argument of `UIAdapter` and marked
    the old one deprecated inside the class body; all of `UIAdapter` was read as replaced
    while #6169 extended it."""
    start(repo, {"app/__init__.py": "", "app/ui.py": ADAPTER})
    renamed = ADAPTER.replace(
        "    allow_uploaded_files: bool = False\n",
        "    allow_uploaded_files: bool = False\n"
        "    preserve_file_data: bool | None = None\n"
        '    """Deprecated: use `allow_uploaded_files` instead."""\n',
    )
    branch(repo, "agent/rename", {"app/ui.py": renamed}, "Rename preserve_file_data")
    extended = ADAPTER.replace(
        "        return [m for m in messages if m]\n",
        "        kept = [m for m in messages if m]\n"
        "        if not self.allow_uploaded_files:\n"
        '            kept = [m for m in kept if m.get("kind") != "file"]\n'
        "        return kept\n",
    )
    branch(repo, "agent/sanitize", {"app/ui.py": extended}, "Drop uploaded files")
    plan = merge_all(repo, "agent/rename", "agent/sanitize")
    assert findings(plan, "divergence") == [], plan.findings


def test_importing_a_warning_class_deprecates_nothing(repo: Repo) -> None:
    """pydantic-ai: `from pydantic_ai._warnings import PydanticAIDeprecationWarning` at the
    top of a module was read as the module's opening docstring deprecating all of it."""
    start(
        repo,
        {
            "app/__init__.py": "",
            "app/agent.py": "class Agent:\n    def run(self, prompt):\n        return prompt\n",
            "app/warnings.py": "class AppDeprecationWarning(DeprecationWarning):\n    pass\n",
            "app/durable.py": WRAPPER,
        },
    )
    imports = (
        "from app.warnings import AppDeprecationWarning\n"
        "from app.capability import DurableCapability\n"
    )
    branch(
        repo,
        "agent/capability",
        {
            "app/capability.py": "class DurableCapability:\n    def wrap(self, agent):\n        return agent\n",
            "app/durable.py": imports + WRAPPER,
        },
        "Add the durable capability",
    )
    extended = WRAPPER.replace(
        "        return self.agent.run(prompt)\n",
        "        answer = self.agent.run(prompt)\n        self.last = answer\n        return answer\n",
    )
    branch(repo, "agent/remember", {"app/durable.py": extended}, "Remember the last answer")
    plan = merge_all(repo, "agent/capability", "agent/remember")
    assert findings(plan, "divergence") == [], plan.findings


PROVIDER = """from typing import overload


class Provider:
    @overload
    def __init__(self, *, api_key: str) -> None: ...

    @overload
    def __init__(self, *, api_key: str, http_client: object) -> None: ...

    def __init__(self, *, api_key: str, http_client: object = None) -> None:
        self.api_key = api_key
        self.http_client = http_client
"""


def test_an_overload_added_before_others_removes_no_parameter(repo: Repo) -> None:
    """pydantic-ai #6142: two new `HerokuProvider.__init__` overloads shifted the ordinals of
    the ones after them, and the third signature, now without `http_client`, was read as
    that signature having lost the parameter that the fifth still takes."""
    start(repo, {"app/__init__.py": "", "app/provider.py": PROVIDER})
    more = PROVIDER.replace(
        "    @overload\n    def __init__(self, *, api_key: str, http_client",
        "    @overload\n    def __init__(self, *, api_key: str, base_url: str) -> None: ...\n\n"
        "    @overload\n    def __init__(self, *, api_key: str, http_client",
    ).replace(
        "api_key: str, http_client: object = None)",
        "api_key: str, base_url: str = '', http_client: object = None)",
    )
    branch(repo, "agent/base-url", {"app/provider.py": more}, "Accept a base URL")
    branch(
        repo,
        "agent/client",
        {
            "app/client.py": "from app.provider import Provider\n\n\ndef make(client):\n    return Provider(api_key='k', http_client=client)\n"
        },
        "Build a provider with a client",
    )
    plan = merge_all(repo, "agent/base-url", "agent/client")
    assert findings(plan, "phantom_dependency") == [], plan.findings


def _session(extra: str = "") -> str:
    """browser-use's `BrowserSession`: overloads whose parameter lists run for dozens of
    lines, with comment headings between the parameters."""
    local = "".join(
        f"        option_{i}: int | None = None,\n" for i in range(52)
    )  # overload 2: 60 lines, 61 with the new one
    return (
        "from typing import overload\n\n\nclass Session:\n"
        "    # Overload 1: cloud mode\n    @overload\n    def __init__(\n        self,\n        *,\n"
        "        # Cloud parameters\n        cloud_id: str | None = None,\n"
        f"{extra}{local}    ) -> None: ...\n\n"
        "    # Overload 2: local mode\n    @overload\n    def __init__(\n        self,\n        *,\n"
        "        # Core configuration for local\n        cdp_url: str | None = None,  # where\n"
        f"{local}{extra}        headless: bool | None = None,\n    ) -> None: ...\n\n"
        "    def __init__(\n        self,\n        *,\n        cdp_url: str | None = None,\n"
        f"{local}{extra}        headless: bool | None = None,\n    ) -> None:\n"
        "        self.cdp_url, self.headless = cdp_url, headless\n"
    )


def test_a_parameter_added_to_long_signatures_removes_none(repo: Repo) -> None:
    """browser-use #4155 added `captcha_solver` to every `BrowserSession.__init__` overload;
    the second one grew past the 60 lines a header was read from, so all its parameters
    (`headless`, `cdp_url`) looked removed while code on the target still passes them."""
    start(
        repo,
        {
            "app/__init__.py": "",
            "app/session.py": _session(),
            "app/run.py": "from app.session import Session\n\n\ndef run():\n"
            "    return Session(cdp_url='ws://x', headless=True)\n",
        },
    )
    captcha = "        captcha_solver: bool | None = None,\n"
    branch(repo, "agent/captcha", {"app/session.py": _session(captcha)}, "Solve captchas")
    branch(repo, "agent/docs", {"README.md": "# app\n"}, "Document the app")
    plan = merge_all(repo, "agent/captcha", "agent/docs")
    assert findings(plan, "phantom_dependency") == [], plan.findings


STYLES = """class Styles:
    def __init__(self):
        self.bold = True

    def help(self, text):
        return text.upper()
"""
DIALOGS = """from app.styles import Styles


def draw_quit(width):
    styles = Styles()
    return styles.help("quit").center(width)


def draw_confirm(width):
    styles = Styles()
    return styles.help("confirm").center(width)
"""


def test_a_helper_that_keeps_every_use_of_a_mechanism_replaces_nothing(repo: Repo) -> None:
    """crush: a branch moved dialog footers into `renderDialogHelp`, which renders with
    `Styles` as the footers did; read as replacing `Styles` while others extended it, with
    none of its uses moved off it. Not even a lead: the claim is false."""
    start(repo, {"app/__init__.py": "", "app/styles.py": STYLES, "app/dialogs.py": DIALOGS})
    footer = (
        "from app.styles import Styles\n\n\ndef render_footer(text, width):\n"
        "    styles = Styles()\n    styles.bold = False\n    return styles.help(text).center(width)\n"
    )
    dialogs = (
        "from app.styles import Styles\nfrom app.footer import render_footer\n\n\n"
        "def draw_quit(width):\n    return render_footer('quit', width)\n\n\n"
        "def draw_confirm(width):\n    return render_footer('confirm', width)\n"
    )
    branch(repo, "agent/footer", {"app/footer.py": footer, "app/dialogs.py": dialogs}, "One footer")
    richer = STYLES.replace(
        "        return text.upper()\n",
        "        if self.bold:\n            text = f'**{text}**'\n        return text.upper().strip()\n",
    )
    branch(repo, "agent/bold", {"app/styles.py": richer}, "Bold help text")
    merge(repo, "agent/footer", "agent/bold")
    plan = run(Config(repo=repo.path, since="base"))
    assert [f.title for f in plan.findings if f.kind == "divergence"] == [], plan.findings


ROWS = """def fetch_rows(db, table, limit=100):
    cursor = db.cursor()
    cursor.execute(f"SELECT * FROM {table} LIMIT {limit}")
    return cursor.fetchall()
"""


def _callers(moved: int) -> str:
    head = "from app.rows import fetch_rows\nfrom app.paged import fetch_paged\n"
    calls = [
        f"\n\ndef report_{n}(db):\n"
        + (
            f"    return fetch_paged(db, 'table_{n}', page=1)\n"
            if n < moved
            else f"    return fetch_rows(db, 'table_{n}')\n"
        )
        for n in range(20)
    ]
    return head + "".join(calls)


@pytest.mark.parametrize(("moved", "lead"), [(1, False), (4, True)], ids=["5%", "20%"])
def test_moving_a_twentieth_of_a_mechanisms_uses_replaces_nothing(
    repo: Repo, moved: int, lead: bool
) -> None:
    """gemini-cli: a branch moved 1% of `CoreToolCallStatus`'s uses to a new error schema
    and was read as replacing it while another branch extended it. All nine judged leads
    that moved under a tenth of the uses were FALSE; moving a fifth is still a lead."""
    start(repo, {"app/__init__.py": "", "app/rows.py": ROWS, "app/reports.py": _callers(0)})
    paged = (
        "def fetch_paged(db, table, page=1, size=50):\n    cursor = db.cursor()\n"
        "    offset = (page - 1) * size\n"
        '    cursor.execute(f"SELECT * FROM {table} LIMIT {size} OFFSET {offset}")\n'
        "    return cursor.fetchall()\n"
    )
    branch(
        repo,
        "agent/paged",
        {"app/paged.py": paged, "app/reports.py": _callers(moved)},
        "Paged reports",
    )
    ordered = ROWS.replace("LIMIT {limit}", "ORDER BY id LIMIT {limit}")
    branch(repo, "agent/ordered", {"app/rows.py": ordered}, "Order rows by id")
    merge(repo, "agent/paged", "agent/ordered")
    plan = run(Config(repo=repo.path, since="base"))
    titles = [f.title for f in plan.findings if f.kind == "divergence"]
    assert bool(titles) is lead, titles


SESSION_SERVICE = """class SessionService:
    def __init__(self, store):
        self.store = store

    def append_event(self, session, event):
        events = self.store.setdefault(session, [])
        events.append(event)
        return len(events)
"""


def _executor(uses: int, moved: bool) -> str:
    call = "self.state.record(event)" if moved else "self.sessions.append_event(session, event)"
    methods = "".join(
        f"\n    def on_{n}(self, session, event):\n        event['step'] = {n}\n        {call}\n"
        for n in range(uses)
    )
    return "class Executor:\n    def __init__(self, sessions, state):\n" + (
        "        self.sessions = sessions\n        self.state = state\n" + methods
    )


@pytest.mark.parametrize(("uses", "finding"), [(1, False), (3, True)], ids=["its-one-use", "all-3"])
def test_moving_a_mechanisms_only_use_is_no_replacement(
    repo: Repo, uses: int, finding: bool
) -> None:
    """kagent: #2396 dropped the one explicit call of the session service's `append_event`
    (the framework calls it the rest of the time), read as replacing it while #2362
    extended it (FALSE): a lead at most. Moving every one of three uses is a replacement."""
    start(
        repo,
        {
            "app/__init__.py": "",
            "app/sessions.py": SESSION_SERVICE,
            "app/executor.py": _executor(uses, moved=False),
        },
    )
    state = (
        "class ExecutionState:\n    def __init__(self):\n        self.events = []\n\n"
        "    def record(self, event):\n        self.events.append(dict(event))\n"
        "        return len(self.events)\n"
    )
    branch(
        repo,
        "agent/state",
        {"app/state.py": state, "app/executor.py": _executor(uses, moved=True)},
        "Keep execution state in the executor",
    )
    stamped = SESSION_SERVICE.replace(
        "        events.append(event)\n",
        "        event = {**event, 'at': len(events)}\n        events.append(event)\n",
    )
    branch(repo, "agent/stamp", {"app/sessions.py": stamped}, "Stamp session events")
    merge(repo, "agent/state", "agent/stamp")
    plan = run(Config(repo=repo.path, since="base"))
    tiers = [f.tier for f in plan.findings if f.kind == "divergence" and f.status == "open"]
    assert tiers == (["finding"] if finding else ["candidate"]), [
        (f.title, f.evidence) for f in plan.findings
    ]


def test_definitions_copied_from_one_file_to_another_are_one_finding(repo: Repo) -> None:
    """cline: nine methods of one account service, pasted by one branch into a new SDK
    file that another branch also grew, were reported as nine findings. One cause, told
    once, every copy listed inside it."""
    size = (
        DURATION.replace("parse_duration", "parse_size")
        .replace(
            '{"d": 86400, "h": 3600, "m": 60, "s": 1}', '{"g": 1 << 30, "m": 1 << 20, "k": 1 << 10}'
        )
        .replace("bad duration", "bad size")
    )
    rate = (
        DURATION.replace("parse_duration", "parse_rate")
        .replace('{"d": 86400, "h": 3600, "m": 60, "s": 1}', '{"s": 1, "m": 60, "h": 3600}')
        .replace("bad duration", "bad rate")
    )
    helpers = DURATION + "\n\n" + size + "\n\n" + rate
    start(repo, {"app/__init__.py": "", "app/units.py": helpers})
    branch(repo, "agent/sdk", {"sdk/units.py": helpers}, "SDK: unit parsers")
    branch(repo, "agent/other", {"app/other.py": "def other():\n    return 1\n"}, "Other work")
    merge(repo, "agent/sdk", "agent/other")
    plan = run(Config(repo=repo.path, since="base"))
    dups = [f for f in plan.findings if f.kind == "duplicate" and f.tier == "finding"]
    assert len(dups) == 1, [f.title for f in dups]
    assert dups[0].title.startswith("`app/units.py` and `sdk/units.py` hold the same 3"), dups[0]
    assert sorted(loc.symbol or "" for loc in dups[0].locations) == sorted(
        ["parse_duration", "parse_size", "parse_rate"] * 2
    )


@pytest.mark.parametrize(("source", "phantom"), [("desktop/src/config.cts", False), (None, True)])
def test_an_import_of_a_compiled_file_means_its_typescript_source(
    repo: Repo, source: str | None, phantom: bool
) -> None:
    """open-swe: `require("./config.cjs")` after config.cjs became config.cts loads the
    compiled config.cts (TypeScript maps `.js`, `.cjs`, `.mjs` to `.ts`, `.cts`, `.mts`),
    so the module is not gone; deleted outright, it is."""
    config = (
        'exports.appUrl = function appUrl(path) {\n  return "https://app.example.com" + path;\n};\n'
    )
    start(repo, {"desktop/src/config.cjs": config, "desktop/src/main.cts": "export {};\n"})
    edits: dict[str, str | None] = {"desktop/src/config.cjs": None}
    if source is not None:
        edits[source] = config.replace("exports.appUrl = function", "export function").replace(
            "};\n", "}\n"
        )
    branch(repo, "agent/typescript-config", edits, "Move the desktop config to TypeScript")
    branch(
        repo,
        "agent/window",
        {
            "desktop/src/window.cts": (
                'const { appUrl } = require("./config.cjs");\n\n'
                "export function openWindow(win) {\n"
                '  return win.loadURL(appUrl("/threads"));\n'
                "}\n"
            )
        },
        "Open the threads window",
    )
    plan = merge_all(repo, "agent/typescript-config", "agent/window")
    assert bool(findings(plan, "phantom_dependency")) is phantom, plan.findings


FLAGS = """def strip_reporter_flags(argv):
    kept = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ("--reporter", "-r"):
            skip = True
            continue
        if arg.startswith("--reporter="):
            continue
        kept.append(arg)
    return kept
"""


def test_a_deleted_copy_is_not_found_again_in_its_original(repo: Repo) -> None:
    """Class 3, stagehand: #1796 copied server-v3 into a new server-v4, which #2151 deleted.
    The v4 copy is gone at HEAD; it was not moved onto the v3 original, which was there
    before the range, so what is left is code that was already there: resolved since."""
    start(
        repo,
        {
            "pkg/__init__.py": "",
            "pkg/flags_v3.py": FLAGS,
            "pkg/e2e.py": FLAGS.replace("strip_reporter_flags", "strip_e2e_flags"),
        },
    )
    branch(
        repo,
        "agent/server-v4",
        {"pkg/v4/__init__.py": "", "pkg/v4/flags.py": FLAGS},
        "Add server v4",
    )
    merge(repo, "agent/server-v4")
    landed = run(Config(repo=repo.path, since="base"))
    assert len(findings(landed, "duplicate")) == 1  # the copy, while it is there
    branch(repo, "agent/drop-v4", {"pkg/v4": None}, "Drop server v4", start="main")
    plan = merge_all(repo, "agent/drop-v4")
    assert findings(plan, "duplicate") == [], plan.findings
    (copy,) = [f for f in plan.findings if f.kind == "duplicate"]
    assert copy.status == "resolved"


PROCESS = """class FallbackProcess:
    \"\"\"A process for event loops without subprocess support.\"\"\"

    def __init__(self, popen):
        self.popen = popen
        self.stdout = popen.stdout
        self.stderr = popen.stderr

    def close(self):
        self.stdout.close()
        if self.stderr:
            self.stderr.close()
"""

SPAWN = """import sys

from app.process import FallbackProcess


def spawn(popen, errlog=sys.stderr):
    print("spawning", file=sys.stderr)
    return FallbackProcess(popen)
"""


def test_a_modules_attribute_is_no_removed_field(repo: Repo) -> None:
    """MCP Python SDK #2773: the `stderr` field went from `FallbackProcess`, and
    `errlog=sys.stderr` in a file that uses the class was read as a use of it."""
    start(repo, {"app/__init__.py": "", "app/process.py": PROCESS, "app/spawn.py": SPAWN})
    without = (
        PROCESS.replace("        self.stderr = popen.stderr\n", "")
        .replace("        if self.stderr:\n            self.stderr.close()\n", "")
        .replace("without subprocess support", "without subprocesses; stderr is inherited")
    )
    branch(repo, "agent/no-stderr", {"app/process.py": without}, "Stop keeping stderr")
    plan = merge_all(repo, "agent/no-stderr")
    assert findings(plan, "phantom_dependency") == [], plan.findings


STRING_TOOLS = """def set_value(client, key, value):
    return client.set(key, value)


def get_value(client, key):
    return client.get(key)
"""


@pytest.mark.parametrize(
    ("imported", "broken"),
    [("import string", False), ("import valkey.tools.string as string", True)],
    ids=["the-standard-library", "the-deleted-module"],
)
def test_a_standard_library_module_is_no_removed_module_of_its_name(
    repo: Repo, imported: str, broken: bool
) -> None:
    """awslabs/mcp #4024 deleted `valkey/tools/string.py`; `import string` in other servers
    (for `string.Formatter`) was read as an import of it. An absolute import of a standard
    library module is the standard library's; an import of the deleted module is broken."""
    query = f"{imported}\n\n\ndef render(template, **values):\n"
    query += "    return string.Formatter().format(template, **values)\n"
    start(
        repo,
        {
            "valkey/__init__.py": "",
            "valkey/tools/__init__.py": "",
            "valkey/tools/string.py": STRING_TOOLS,
            "dsql/__init__.py": "",
            "dsql/query.py": query,
        },
    )
    branch(repo, "agent/no-string", {"valkey/tools/string.py": None}, "Drop the string tools")
    branch(repo, "agent/docs", {"README.md": "# servers\n"}, "Docs")
    plan = merge_all(repo, "agent/no-string", "agent/docs")
    assert bool(findings(plan, "phantom_dependency")) is broken, plan.findings


SESSIONS = """class ClientSession:
    async def call_tool(self, name, arguments=None, allow_input_required=False):
        return (name, arguments, allow_input_required)


class Client:
    def __init__(self):
        self.session = ClientSession()

    async def call_tool(self, name, arguments=None, allow_input_required=False):
        return await self.session.call_tool(name, arguments, allow_input_required)
"""

USES_SESSION = """from app.client import Client


async def ask(client: Client):
    return await client.session.call_tool("delete", {}, allow_input_required=True)
"""


def test_a_parameter_another_types_method_still_takes_is_no_phantom(repo: Repo) -> None:
    """MCP Python SDK #2998: `allow_input_required` went from `Client.call_tool` only; the
    uses call `ClientSession.call_tool`, which still takes it. The receiver's type is not
    known, so it is no verified finding."""
    start(repo, {"app/__init__.py": "", "app/client.py": SESSIONS})
    narrowed = SESSIONS.replace(
        "    async def call_tool(self, name, arguments=None, allow_input_required=False):\n"
        "        return await self.session.call_tool(name, arguments, allow_input_required)\n",
        "    async def call_tool(self, name, arguments=None):\n"
        "        return await self.session.call_tool(name, arguments)\n",
    )
    branch(repo, "agent/narrow", {"app/client.py": narrowed}, "Client.call_tool: no input")
    branch(repo, "agent/ask", {"app/ask.py": USES_SESSION}, "Ask before deleting")
    plan = merge_all(repo, "agent/narrow", "agent/ask")
    assert findings(plan, "phantom_dependency") == [], plan.findings


DASHBOARD = """class DashboardAPI:
    def __init__(self, config):
        self.config = config

    def run(self, host, port):
        return serve(self.config, host, port)


def serve(config, host, port):
    return (config, host, port)
"""

TRAY = """from flask import Flask

from app.dashboard import DashboardAPI


class TrayManager:
    def __init__(self, config):
        self._app = {built}
        self.config = config

    def start(self):
        return self._app.run(host="127.0.0.1", port=8000)
"""


@pytest.mark.parametrize(
    ("built", "broken"),
    [("Flask(__name__)", False), ("DashboardAPI(config)", True)],
    ids=["a-flask-app", "the-dashboard"],
)
def test_a_receiver_whose_type_the_file_states_calls_that_types_method(
    repo: Repo, built: str, broken: bool
) -> None:
    """oraios/serena: a branch took `host` off `SerenaDashboardAPI.run`; the tray manager's
    `self._app.run(host=...)` calls Flask's `run` (`self._app = Flask(__name__)`), which
    still takes it. Built as the dashboard, the same call is broken."""
    start(repo, {"app/__init__.py": "", "app/dashboard.py": DASHBOARD})
    narrowed = DASHBOARD.replace(
        "    def run(self, host, port):\n        return serve(self.config, host, port)",
        "    def run(self, port):\n        return serve(self.config, self.config.host, port)",
    )
    branch(repo, "agent/host-in-config", {"app/dashboard.py": narrowed}, "Host from config")
    branch(repo, "agent/tray", {"app/tray.py": TRAY.format(built=built)}, "Add a tray icon")
    plan = merge_all(repo, "agent/host-in-config", "agent/tray")
    assert bool(findings(plan, "phantom_dependency")) is broken, plan.findings


KEY_GO = """package tea

type KeyType int

type Key struct {
	Type KeyType
	Code rune
	Text string
}

func (k Key) String() string {
	if k.Type == 0 {
		return k.Text
	}
	return string(k.Code)
}
"""

PAGINATOR_EXAMPLE = """package main

import (
	"fmt"

	"charm.land/bubbles/v2/paginator"
	tea "example.com/tea"
)

func newModel() {
	p := {built}
	p.Type = 1
	fmt.Println(p, tea.Key{}, paginator.Dots)
}

func main() {
	p := tea.NewProgram(nil)
	p.Run()
}
"""


@pytest.mark.parametrize(
    ("built", "broken"),
    [("paginator.New()", False), ("tea.Key{}", True)],
    ids=["another-packages-value", "the-key"],
)
def test_a_field_read_on_another_packages_value_is_not_a_use(
    repo: Repo, built: str, broken: bool
) -> None:
    """charmbracelet/bubbletea: v2-exp took `Type` off `tea.Key`, and the paginator example's
    `p.Type = paginator.Dots` (with `p := paginator.New()`, a value of the bubbles package)
    was read as a use of it (`main`'s own `p`, a `tea` program, is another variable). Built
    as a `tea.Key`, the same line is broken."""
    example = PAGINATOR_EXAMPLE.replace("{built}", built)
    start(
        repo,
        {
            "go.mod": "module example.com/tea\n\ngo 1.22\n",
            "key.go": KEY_GO,
            "examples/paginator/main.go": example,
        },
    )
    typeless = KEY_GO.replace("\tType KeyType\n", "").replace(
        "\tif k.Type == 0 {", "\tif k.Code == 0 {"
    )
    branch(repo, "v2-exp", {"key.go": typeless}, "Keys without a type")
    branch(repo, "agent/docs", {"README.md": "# tea\n"}, "A readme")
    plan = merge_all(repo, "v2-exp", "agent/docs")
    assert bool(findings(plan, "phantom_dependency")) is broken, plan.findings


SETTINGS_PY = """from dataclasses import dataclass


@dataclass
class Settings:
    retry_budget: int = 3
    region: str = "eu"
"""

CLIENT_PY = """from requests import Session

from app.settings import Settings


def configure(settings: Settings):
    client = {built}
    return client.retry_budget, settings.region
"""


@pytest.mark.parametrize(
    ("built", "broken"),
    [("Session()", False), ("Settings()", True)],
    ids=["another-class", "the-settings"],
)
def test_a_field_read_on_a_value_of_another_class_is_not_a_use(
    repo: Repo, built: str, broken: bool
) -> None:
    """The Python side of the rule above: `client = Session()` then `client.retry_budget`
    reads another class's attribute, not the one a branch took off `Settings`."""
    start(
        repo,
        {
            "app/__init__.py": "",
            "app/settings.py": SETTINGS_PY,
            "app/client.py": CLIENT_PY.replace("{built}", built),
        },
    )
    trimmed = SETTINGS_PY.replace("    retry_budget: int = 3\n", "")
    branch(repo, "agent/no-budget", {"app/settings.py": trimmed}, "Drop the retry budget")
    branch(repo, "agent/docs", {"README.md": "# app\n"}, "A readme")
    plan = merge_all(repo, "agent/no-budget", "agent/docs")
    assert bool(findings(plan, "phantom_dependency")) is broken, plan.findings


STATELESS = '''class ServerSession:
    def create_message(self, messages, max_tokens):
        """Ask the client to sample."""
        return {"messages": messages, "max_tokens": max_tokens}
'''


def test_a_deprecation_warnings_category_replaces_nothing(repo: Repo) -> None:
    """MCP Python SDK #2926 deprecated `create_message` with `category=MCPDeprecationWarning`,
    a warning class it added; that class was read as the replacement while #2928 extended
    `create_message`."""
    start(repo, {"app/__init__.py": "", "app/session.py": STATELESS})
    deprecated = (
        "from typing_extensions import deprecated\n\n"
        "from app.exceptions import MCPDeprecationWarning\n\n\n"
        + STATELESS.replace(
            "    def create_message",
            '    @deprecated("sampling will leave the protocol", category=MCPDeprecationWarning)\n'
            "    def create_message",
        )
    )
    branch(
        repo,
        "agent/deprecate",
        {
            "app/exceptions.py": "class MCPDeprecationWarning(DeprecationWarning):\n    pass\n",
            "app/session.py": deprecated,
        },
        "Deprecate sampling",
    )
    extended = STATELESS.replace(
        '        return {"messages": messages, "max_tokens": max_tokens}\n',
        "        if not messages:\n"
        '            raise ValueError("nothing to sample")\n'
        '        return {"messages": list(messages), "max_tokens": min(max_tokens, 4096)}\n',
    )
    branch(repo, "agent/stop", {"app/session.py": extended}, "Sampling takes stop sequences")
    plan = merge_all(repo, "agent/deprecate", "agent/stop")
    assert findings(plan, "divergence") == [], plan.findings


SKILLS_ROUTER = '''from app.service import get_skills_catalog as service_get_marketplace_catalog
from app.web import CatalogResponse, router


@router.get("/marketplace", response_model=CatalogResponse)
def get_marketplace_catalog() -> CatalogResponse:
    """Get the marketplace catalog with installation status.

    Returns the skills of the extensions marketplace, along with their
    installation status, from the extensions repository.

    This enables front-end applications to display a "Marketplace" tab
    with what can be installed and what already is.

    Returns:
        CatalogResponse containing the list of available entries.
    """
    return CatalogResponse(skills=service_get_marketplace_catalog())
'''


def test_one_line_routes_to_different_services_are_no_copy(repo: Repo) -> None:
    """OpenHands agent SDK #3847: the plugins router's `get_marketplace_catalog` is one
    `return` of the plugin service's catalog, under the name and route path of the skills
    router's, which returns the skill service's: two routes to two services (judged
    FALSE), not a copy to merge."""
    service = (
        "def get_skills_catalog():\n    return [{'name': 'lint', 'installed': False}]\n\n\n"
        "def get_plugins_catalog():\n    return [{'name': 'jira', 'installed': True}]\n"
    )
    web = "class CatalogResponse(dict):\n    pass\n\n\nclass Router:\n    def get(self, path, response_model=None):\n        return lambda f: f\n\n\nrouter = Router()\n"
    start(
        repo,
        {
            "app/__init__.py": "",
            "app/service.py": service,
            "app/web.py": web,
            "app/skills_router.py": SKILLS_ROUTER,
        },
    )
    plugins = (
        SKILLS_ROUTER.replace(
            "get_skills_catalog as service_get_marketplace_catalog",
            "get_plugins_catalog as service_get_plugins_marketplace_catalog",
        )
        .replace(
            "skills=service_get_marketplace_catalog()",
            "plugins=service_get_plugins_marketplace_catalog()",
        )
        .replace("Returns the skills", "Returns the plugins")
    )
    branch(repo, "agent/plugins", {"app/plugins_router.py": plugins}, "A plugins marketplace")
    plan = merge_all(repo, "agent/plugins")
    assert findings(plan, "duplicate") == [], plan.findings


IMPORT_MAP = """export const IMPORT_MAP: Record<string, string> = {
  '@sdk/server/index.js': '@sdk/server',
  '@sdk/client/index.js': '@sdk/client',
  '@sdk/types.js': '@sdk/core',
};
"""

IMPORT_PATHS = """import { IMPORT_MAP } from '../mappings/importMap';

export function importPathsTransform(source: string): string {
  const target = IMPORT_MAP[source];
  return target === undefined ? source : target;
}
"""

MOCK_PATHS = """import { IMPORT_MAP } from '../mappings/importMap';

export function resolveTarget(path: string): string | undefined {
  const mapped = IMPORT_MAP[path];
  if (mapped) {
    return mapped;
  }
  return undefined;
}
"""


def test_callers_moved_onto_a_layer_over_the_mechanism_replace_nothing(repo: Repo) -> None:
    """MCP TypeScript SDK #2354 moved every lookup of `IMPORT_MAP` into a new
    `lookupImportMapping` beside it, which reads `IMPORT_MAP`; read as replacing the map
    while #2286 added entries to it (judged FALSE)."""
    start(
        repo,
        {
            "src/mappings/importMap.ts": IMPORT_MAP,
            "src/transforms/importPaths.ts": IMPORT_PATHS,
            "src/transforms/mockPaths.ts": MOCK_PATHS,
        },
    )
    layered = IMPORT_MAP + (
        "\nexport function lookupImportMapping(source: string): string | undefined {\n"
        "  const exact = IMPORT_MAP[source];\n"
        "  if (exact !== undefined) {\n    return exact;\n  }\n"
        "  return IMPORT_MAP[source.replace(/\\.js$/, '') + '.js'];\n}\n"
    )
    branch(
        repo,
        "agent/lookup",
        {
            "src/mappings/importMap.ts": layered,
            "src/transforms/importPaths.ts": IMPORT_PATHS.replace(
                "import { IMPORT_MAP }", "import { lookupImportMapping }"
            ).replace("IMPORT_MAP[source]", "lookupImportMapping(source)"),
            "src/transforms/mockPaths.ts": MOCK_PATHS.replace(
                "import { IMPORT_MAP }", "import { lookupImportMapping }"
            ).replace("IMPORT_MAP[path]", "lookupImportMapping(path)"),
        },
        "Look import paths up with or without their extension",
    )
    extended = IMPORT_MAP.replace(
        "  '@sdk/types.js': '@sdk/core',\n",
        "  '@sdk/types.js': '@sdk/core',\n  '@sdk/shared/auth.js': '@sdk/core/auth',\n"
        "  '@sdk/server/auth/router.js': '@sdk/server-legacy/auth',\n",
    )
    branch(repo, "agent/auth-paths", {"src/mappings/importMap.ts": extended}, "Map the auth paths")
    plan = merge_all(repo, "agent/lookup", "agent/auth-paths")
    assert findings(plan, "divergence") == [], plan.findings


LOG = (
    "def log_debug(message):\n    print(message)\n\n\ndef log_error(message):\n    print(message)\n"
)

REDIS = """from app.log import log_debug, log_error


class RedisDb:
    def __init__(self, client):
        self.client = client

    def delete_session(self, session_id, user_id=None):
        try:
            record = self._get_record("sessions", session_id)
            if record is None:
                log_debug(f"No session found with id {session_id}")
                return False
            if user_id is not None and record.get("user_id") != user_id:
                log_debug(f"Session {session_id} does not belong to user {user_id}")
                return False
            self._delete_record("sessions", session_id, index_fields=["user_id", "agent_id", "team_id"])
            log_debug(f"Deleted session {session_id}")
            return True
        except Exception as e:
            log_error(f"Error deleting session {session_id}: {e}")
            raise

    def delete_user_memory(self, memory_id, user_id=None):
        try:
            record = self._get_record("memories", memory_id)
            if record is None:
                log_debug(f"No memory found with id {memory_id}")
                return False
            if user_id is not None and record.get("user_id") != user_id:
                log_debug(f"Memory {memory_id} does not belong to user {user_id}")
                return False
            self._delete_record("memories", memory_id, index_fields=["user_id", "agent_id", "team_id"])
            log_debug(f"Deleted user memory {memory_id}")
            return True
        except Exception as e:
            log_error(f"Error deleting user memory {memory_id}: {e}")
            raise

    def delete_eval_run(self, eval_run_id):
        try:
            if self._get_record("evals", eval_run_id) is None:
                log_debug(f"No eval run found with id {eval_run_id}")
                return False
            self._delete_record("evals", eval_run_id, index_fields=["agent_id", "team_id", "model_id"])
            log_debug(f"Deleted eval run {eval_run_id}")
            return True
        except Exception as e:
            log_error(f"Error deleting eval run {eval_run_id}: {e}")
            raise

    def get_session(self, session_id):
        return self._get_record("sessions", session_id)

    def get_user_memory(self, memory_id):
        return self._get_record("memories", memory_id)

    def get_eval_run(self, eval_run_id):
        return self._get_record("evals", eval_run_id)

    def get_knowledge(self, knowledge_id):
        return self._get_record("knowledge", knowledge_id)

    def get_trace(self, trace_id):
        return self._get_record("traces", trace_id)

    def _get_record(self, table, key):
        return self.client.get(f"{table}:{key}")

    def _delete_record(self, table, key, index_fields):
        self.client.delete(f"{table}:{key}")
"""


def test_a_ported_backends_methods_pair_with_their_own_counterparts(repo: Repo) -> None:
    """agno #8141 ported the Redis storage backend to Valkey: each new method was matched
    with Redis's other methods of one shape (`ValkeyDb.delete_user_memory` with
    `RedisDb.delete_session`), seven groups judged FALSE. Each method's counterpart is the
    Redis method of its own name, defined in that very file (and one type's methods under
    another type's names are implementations of one interface, not copies)."""
    start(repo, {"app/__init__.py": "", "app/log.py": LOG, "app/redis_db.py": REDIS})
    valkey = REDIS.replace("class RedisDb", "class ValkeyDb").replace(
        'self.client.get(f"{table}:{key}")', "self.client.execute('GET', f\"{table}:{key}\")"
    )
    branch(repo, "agent/valkey", {"app/valkey_db.py": valkey}, "A Valkey backend")
    plan = merge_all(repo, "agent/valkey")
    mixed = [
        f.title
        for f in plan.findings
        if f.kind == "duplicate"
        and len({(loc.symbol or "").rsplit(".", 1)[-1] for loc in f.locations}) > 1
        and "hold the same" not in f.title
    ]
    assert mixed == [], plan.findings


RUN_SYNC = '''import asyncio


def run_sync(db, query):
    """Insert the demo documents, then search them."""
    db.create()
    for doc in ["Pad Thai", "Tom Yum", "Green Curry"]:
        db.insert(doc)
    results = db.search(query, limit=3)
    for result in results:
        print(result)
    db.drop()
    return results
'''


def test_identical_copies_in_example_scripts_are_leads(repo: Repo) -> None:
    """agno: one `run_sync` pasted into three cookbook scripts was a finding (judged
    DEBATABLE: each script is meant to be read and run on its own); a copy involving
    example code was already a lead when not identical."""
    start(repo, {"cookbook/vector_dbs/redis_db.py": RUN_SYNC})
    branch(
        repo, "agent/valkey-cookbook", {"cookbook/vector_dbs/valkey_db.py": RUN_SYNC}, "Valkey demo"
    )
    branch(
        repo,
        "agent/cassandra-cookbook",
        {"cookbook/vector_dbs/cassandra_db.py": RUN_SYNC},
        "Cassandra demo",
    )
    plan = merge_all(repo, "agent/valkey-cookbook", "agent/cassandra-cookbook")
    assert findings(plan, "duplicate") == [], plan.findings
    assert any(f.kind == "duplicate" and f.tier == "candidate" for f in plan.findings)


UI_WORKER = '''class UIWorker:
    def ui_job_group(
        self,
        *worker_names: str,
        name: str | None = None,
        label: str | None = None,
        cancellable: bool = True,
    ) -> "JobGroup":
        """Start a client-visible job group."""
        return JobGroup(worker_names, name=name, label=label, cancellable=cancellable)


class JobGroup:
    def __init__(self, workers, name=None, label=None, cancellable=True):
        self.workers, self.name, self.label, self.cancellable = workers, name, label, cancellable
'''


def test_a_multi_line_deprecation_above_a_method_removes_no_parameter(repo: Repo) -> None:
    """pipecat #5221 put a three-line `@deprecated(...)` above `ui_job_group`; its message
    was read as the method's parameter list, so every parameter seemed removed while tests
    still passed `label=` (judged FALSE: the method takes them all at HEAD)."""
    start(
        repo,
        {
            "app/__init__.py": "",
            "app/ui.py": UI_WORKER,
            "tests/test_ui.py": "from app.ui import UIWorker\n\n\ndef test_label():\n"
            '    assert UIWorker().ui_job_group("w1", label="Research").label == "Research"\n',
        },
    )
    deprecated = "from typing_extensions import deprecated\n\n\n" + UI_WORKER.replace(
        "    def ui_job_group(",
        "    @deprecated(\n"
        '        "`UIWorker.ui_job_group` is deprecated since 1.8.0 and will be removed in 2.0.0. "\n'
        '        "Use `job_group` instead."\n'
        "    )\n"
        "    def ui_job_group(",
    )
    branch(repo, "agent/job-groups", {"app/ui.py": deprecated}, "Deprecate ui_job_group")
    plan = merge_all(repo, "agent/job-groups")
    assert findings(plan, "phantom_dependency") == [], plan.findings


INFERENCE_STT = """from typing import overload


class STT:
    @overload
    def __init__(self, model: str, *, carryover: bool = True) -> None: ...

    @overload
    def __init__(self, model: None = None, *, carryover: bool = True) -> None: ...

    def __init__(self, model=None, *, carryover=True):
        self.model = model
        self.carryover = carryover
"""

PLUGIN_STT = """class STT(object):
    def __init__(
        self,
        api_key,
        carryover=True,
    ):
        self.api_key = api_key
        self.carryover = carryover
"""


def _drop_carryover(text: str) -> str:
    return (
        text.replace(", *, carryover: bool = True)", ")")
        .replace(", *, carryover=True)", ")")
        .replace("        self.carryover = carryover\n", "")
    )


def test_a_same_named_class_imported_from_elsewhere_is_no_caller(repo: Repo) -> None:
    """livekit/agents #6475 took `agent_context_carryover` off the inference `STT` (three
    overloads, reported as three findings), while #6443's tests call the AssemblyAI plugin's
    `STT`, imported inside each test, which still takes it."""
    start(
        repo,
        {
            "app/__init__.py": "",
            "app/inference/__init__.py": "from app.inference.stt import STT\n",
            "app/inference/stt.py": INFERENCE_STT,
            "plugins/assemblyai/__init__.py": "from plugins.assemblyai.stt import STT\n",
            "plugins/assemblyai/stt.py": PLUGIN_STT,
        },
    )
    branch(
        repo,
        "agent/drop-carryover",
        {"app/inference/stt.py": _drop_carryover(INFERENCE_STT)},
        "Inference STT: no carryover",
    )
    uses = (
        "def test_carryover_off():\n"
        "    from plugins.assemblyai import STT\n\n"
        '    assert STT(api_key="k", carryover=False).carryover is False\n'
    )
    branch(repo, "agent/tests", {"tests/test_assemblyai.py": uses}, "Test carryover")
    plan = merge_all(repo, "agent/drop-carryover", "agent/tests")
    assert findings(plan, "phantom_dependency") == [], plan.findings


def test_a_parameter_taken_off_every_overload_is_one_finding(repo: Repo) -> None:
    """The same removal seen from the other side: a caller that does reach the inference
    `STT` (through the package that re-exports it) is one finding, not one per overload."""
    start(
        repo,
        {
            "app/__init__.py": "",
            "app/inference/__init__.py": "from app.inference.stt import STT\n",
            "app/inference/stt.py": INFERENCE_STT,
        },
    )
    branch(
        repo,
        "agent/drop-carryover",
        {"app/inference/stt.py": _drop_carryover(INFERENCE_STT)},
        "Inference STT: no carryover",
    )
    uses = (
        'from app.inference import STT\n\n\ndef make():\n    return STT("nova", carryover=False)\n'
    )
    branch(repo, "agent/make", {"app/make.py": uses}, "Make an STT")
    plan = merge_all(repo, "agent/drop-carryover", "agent/make")
    found = findings(plan, "phantom_dependency")
    assert len(found) == 1, plan.findings
    assert "carryover" in found[0]


EVENT_BUS = """from concurrent.futures import ThreadPoolExecutor


class EventBus:
    def __init__(self):
        self._handlers = []
        self._executor = ThreadPoolExecutor(max_workers=4)

    def emit(self, event):
        for handler in self._handlers:
            self._executor.submit(handler, event)
"""

LAZY_BUS = """import threading
from concurrent.futures import ThreadPoolExecutor


class EventBus:
    def __init__(self):
        self._handlers = []
        self._lock = threading.Lock()
        self._started = False

    def _start(self):
        if self._started:
            return
        with self._lock:
            if self._started:
                return
            self._executor = ThreadPoolExecutor(max_workers=4)
            self._started = True

    def emit(self, event):
        self._start()
        for handler in self._handlers:
            self._executor.submit(handler, event)
"""


def test_a_field_set_later_by_a_lazy_initializer_is_not_removed(repo: Repo) -> None:
    """crewAI #5187 moved `self._sync_executor = ThreadPoolExecutor(...)` from the
    constructor into a lazy initializer that opens with `if self._executor_initialized:`;
    that condition's colon was read as an annotation running on to the next `=`, so the
    field looked gone and the bus's own uses were reported as phantoms."""
    start(repo, {"app/__init__.py": "", "app/bus.py": EVENT_BUS})
    branch(repo, "agent/lazy", {"app/bus.py": LAZY_BUS}, "Start the executor on first emit")
    shutdown = EVENT_BUS + (
        "\n    def shutdown(self, wait=True):\n        self._executor.shutdown(wait=wait)\n"
    )
    branch(repo, "agent/shutdown", {"app/bus.py": shutdown}, "Shut the bus down")
    plan = merge_all(repo, "agent/lazy", "agent/shutdown")
    assert any_tier(plan, "phantom_dependency") == [], plan.findings


BASE_TTS = """class SynthesizeStream:
    def __init__(self, tts):
        self.tts = tts


class TTS:
    def stream(self):
        raise NotImplementedError

    def update_options(self, **options):
        raise NotImplementedError
"""


def _plugin(name: str, option: str, extra: str = "", base: str = "TTS") -> str:
    return (
        "from app import tts\n\n\n"
        "class SynthesizeStream(tts.SynthesizeStream):\n"
        f'    endpoint = "wss://{name}.example.com/v1/stream"\n\n\n'
        f"class TTS(tts.{base}):\n"
        "    def __init__(self, voice, speed=1.0):\n"
        "        self._voice = voice\n"
        "        self._speed = speed\n\n"
        "    def stream(self):\n"
        "        return SynthesizeStream(tts=self)\n\n"
        f"    def update_options(self, voice=None, {option}=None):\n"
        "        if voice is not None:\n"
        "            self._voice = voice\n"
        f"        if {option} is not None:\n"
        f"            self._{option} = {option}\n" + extra
    )


USAGE = """
    def _report_usage(self, seconds, now):
        self._audio_seconds += seconds
        if self._closed or seconds <= 0:
            return None
        if now - self._last_report < 5.0:
            return None
        report = {
            "audio_seconds": round(self._audio_seconds, 3),
            "interval": now - self._last_report,
            "voice": self._voice,
        }
        self._audio_seconds = 0.0
        self._last_report = now
        try:
            self._usage_channel.send_nowait(report)
        except RuntimeError:
            return None
        return report
"""


@pytest.mark.parametrize("base", ["TTS", "BaseTTS"])
def test_one_base_classes_methods_in_each_plugin_are_no_copies(repo: Repo, base: str) -> None:
    """livekit/agents: every speech plugin's `TTS(tts.TTS)` has its own `stream` and
    `update_options`, each building its own module's stream class or setting its own
    options; a new plugin's were reported as copies of the others'. A helper that only two
    plugins carry (Azure's usage report pasted into AWS, judged TRUE) is still one. The
    new plugin may name the base by an alias (xai's `SpeechStream(stt.RecognizeStream)`
    among `SpeechStream(stt.SpeechStream)`s): one class name in every plugin is enough."""
    start(
        repo,
        {
            "app/__init__.py": "",
            "app/tts.py": BASE_TTS,
            "plugins/__init__.py": "",
            "plugins/alpha.py": _plugin("alpha", "speed", USAGE),
            "plugins/beta.py": _plugin("beta", "pitch"),
            "plugins/gamma.py": _plugin("gamma", "rate"),
        },
    )
    delta = _plugin("delta", "emotion", USAGE, base)
    branch(repo, "agent/delta", {"plugins/delta.py": delta}, "Delta TTS")
    plan = merge_all(repo, "agent/delta")
    found = findings(plan, "duplicate")
    assert found and all("_report_usage" in f for f in found), plan.findings
    assert not any("stream" in f or "update_options" in f for f in found), found


RECORDING_MODEL = """export interface Request {
  input: string;
}

export class RecordingModel {
  requests: Request[] = [];
  firstTurnArgs: Request | undefined;

  async getResponse(request: Request): Promise<string> {
    if (!this.firstTurnArgs) {
      this.firstTurnArgs = request;
    }
    this.requests.push(request);
    return 'ok';
  }
}
"""

RECORDING_GETTER = """export interface Request {
  input: string;
}

export class RecordingModel {
  requests: Request[] = [];

  get firstTurnArgs(): Request | undefined {
    return this.requests[0];
  }

  async getResponse(request: Request): Promise<string> {
    this.requests.push(request);
    return 'ok';
  }
}
"""


def test_a_field_turned_into_a_getter_is_still_there(repo: Repo) -> None:
    """openai-agents-js #1640 turned `RecordingModel.firstTurnArgs` into a getter; the
    readers of the field were reported as phantoms. A Python `@property` is the same."""
    start(repo, {"src/model.ts": RECORDING_MODEL})
    branch(repo, "agent/getter", {"src/model.ts": RECORDING_GETTER}, "Derive the first turn")
    uses = (
        "import { RecordingModel } from './model';\n\n"
        "export async function firstInput(model: RecordingModel): Promise<string> {\n"
        "  await model.getResponse({ input: 'hi' });\n"
        "  return model.firstTurnArgs?.input ?? '';\n"
        "}\n"
    )
    branch(repo, "agent/first", {"src/first.ts": uses}, "Read the first input")
    plan = merge_all(repo, "agent/getter", "agent/first")
    assert any_tier(plan, "phantom_dependency") == [], plan.findings


def _vendor(name: str, method: str) -> str:
    return (
        "import json\n\n\n"
        "class ChunkedStream:\n"
        "    def __init__(self, tts, input_text, conn_options=None):\n"
        f'        self.url = "https://api.{name}.example.com/v1/tts"\n'
        "        self.body = json.dumps({'text': input_text, 'voice': tts.voice})\n"
        "        self.conn_options = conn_options\n\n\n"
        "class TTS:\n"
        "    def __init__(self, voice):\n"
        "        self.voice = voice\n\n"
        f"    def {method}(\n"
        "        self,\n"
        "        text: str,\n"
        "        *,\n"
        "        conn_options: dict | None = None,\n"
        "    ) -> ChunkedStream:\n"
        "        return ChunkedStream(tts=self, input_text=text, conn_options=conn_options)\n"
    )


def test_two_factories_of_their_own_modules_classes_are_no_copies(repo: Repo) -> None:
    """livekit/agents: slng's `_synthesize_candidate` (#6442) and fishaudio's and
    simplismart's `synthesize` each return their own module's `ChunkedStream` in one line;
    they were reported as copies (judged FALSE)."""
    start(
        repo,
        {
            "plugins/__init__.py": "",
            "plugins/fish.py": _vendor("fish", "synthesize"),
            "plugins/simple.py": _vendor("simple", "synthesize"),
        },
    )
    slng = _vendor("slng", "_synthesize_candidate")
    branch(repo, "agent/slng", {"plugins/slng.py": slng}, "SLNG TTS with fallback")
    plan = merge_all(repo, "agent/slng")
    assert not [f for f in findings(plan, "duplicate") if "synthesize" in f], plan.findings


LOGGER_TEST_GO = """package transport

import "testing"

type testLogger struct {
	ch chan string
}

func (l testLogger) Infof(format string, v ...any) {
	l.ch <- format
}

func newTestLogger(ch chan string) testLogger {
	return testLogger{ch: ch}
}

func TestStreamLogs(t *testing.T) {
	ch := make(chan string, 1)
	logger := newTestLogger(ch)
	logger.Infof("hello")
	if <-ch != "hello" {
		t.Fatal("no log")
	}
}
"""


def test_a_local_of_the_removed_name_is_no_use(repo: Repo) -> None:
    """mcp-go #892 renamed the test type `testLogger`, while tests of another PR declare
    a local `testLogger := newTestLogger(ch)`; those locals were reported as uses of the
    renamed type. A Python function's nested `def` of a moved function's name is the same."""
    start(
        repo,
        {"go.mod": "module example.com/mcp\n\ngo 1.22\n", "transport/log_test.go": LOGGER_TEST_GO},
    )
    renamed = LOGGER_TEST_GO.replace("testLogger", "channelHandler")
    branch(repo, "agent/rename", {"transport/log_test.go": renamed}, "Rename the test logger")
    uses = (
        "package transport\n\n"
        'import "testing"\n\n'
        "func TestErrorsAreLogged(t *testing.T) {\n"
        "\tch := make(chan string, 1)\n"
        "\ttestLogger := newTestLogger(ch)\n"
        '\ttestLogger.Infof("boom")\n'
        '\tif <-ch != "boom" {\n'
        '\t\tt.Fatal("no log")\n'
        "\t}\n"
        "}\n"
    )
    branch(repo, "agent/errors", {"transport/errors_test.go": uses}, "Log errors")
    plan = merge_all(repo, "agent/rename", "agent/errors")
    assert any_tier(plan, "phantom_dependency") == [], plan.findings


def test_a_nested_def_of_a_removed_name_is_no_use(repo: Repo) -> None:
    """crewAI: a test's nested hook `def validate_file_path(context)` was read as a use of
    the `validate_file_path` another PR moved away."""
    start(
        repo,
        {
            "app/__init__.py": "",
            "app/paths.py": "def validate_file_path(path):\n    return path.strip()\n",
        },
    )
    branch(repo, "agent/move", {"app/paths.py": "X = 1\n"}, "Move path checks to security")
    uses = (
        "def test_hook_sees_the_path():\n"
        "    seen = []\n\n"
        "    def validate_file_path(context):\n"
        "        seen.append(context)\n"
        "        return True\n\n"
        '    assert validate_file_path({"path": "a"})\n'
        "    assert seen\n"
    )
    branch(repo, "agent/hooks", {"tests/test_hooks.py": uses}, "Test tool hooks")
    plan = merge_all(repo, "agent/move", "agent/hooks")
    assert any_tier(plan, "phantom_dependency") == [], plan.findings


MODELS = '''import json
import urllib.request


def fetch_recommended_models(base_url, timeout=10):
    """The models the service recommends, newest first."""
    with urllib.request.urlopen(f"{base_url}/api/v1/models/recommended", timeout=timeout) as r:
        payload = json.loads(r.read().decode("utf-8"))
    models = [m for m in payload.get("models", []) if m.get("enabled", True)]
    models.sort(key=lambda m: m.get("released_at", ""), reverse=True)
    return [{"id": m["id"], "label": m.get("label") or m["id"]} for m in models]
'''


def test_a_copy_that_now_calls_the_original_is_resolved(repo: Repo) -> None:
    """cline: the extension's `fetchAndCacheClineRecommendedModels` copied core's fetch; a
    later change made it call core's `fetchClineRecommendedModels` and only add caching. At
    HEAD it is built on the original, no copy of it."""
    start(repo, {"core/__init__.py": "", "ext/__init__.py": ""})
    branch(repo, "agent/core", {"core/models.py": MODELS}, "Fetch recommended models")
    copy = MODELS.replace("def fetch_recommended_models(", "def fetch_and_cache_models(").replace(
        "    return [", "    CACHE[base_url] = [\n        ", 1
    )
    copy = copy.replace(
        "for m in models]\n",
        "for m in models\n    ]\n    return CACHE[base_url]\n",
    ).replace("import urllib.request\n", "import urllib.request\n\nCACHE = {}\n")
    branch(repo, "agent/cache", {"ext/models.py": copy}, "Cache models")
    merge(repo, "agent/core", "agent/cache")
    assert findings(run(Config(repo=repo.path, since="base")), "duplicate"), "not a copy"
    repo.write(
        "ext/models.py",
        "from core.models import fetch_recommended_models\n\nCACHE = {}\n\n\n"
        "def fetch_and_cache_models(base_url, timeout=10):\n"
        "    if base_url not in CACHE:\n"
        "        CACHE[base_url] = fetch_recommended_models(base_url, timeout=timeout)\n"
        "    return CACHE[base_url]\n",
    )
    repo.commit("Cache on top of core's fetch")
    plan = run(Config(repo=repo.path, since="base"))
    assert findings(plan, "duplicate") == [], plan.findings
    assert [f.resolved for f in plan.findings if f.status == "resolved"] == [
        "one copy now calls the other at HEAD"
    ]


@pytest.mark.parametrize("seconds_later", [False, True], ids=["at-once", "seconds-later"])
def test_a_copy_in_one_file_that_now_calls_the_original_is_resolved(
    repo: Repo, seconds_later: bool
) -> None:
    """claude-code-router: dev/3.0 copied a function into another file; a later change moved
    the copy beside the original and made it a call of it. Two members of one file, one
    calling the other, are a wrapper and what it wraps, not a copy (a call within a larger
    group is a helper the caller and it make up one copy with, and stays). Whether the later
    change is a line of work of its own depends on when it came (a fresh-clone CI run, on a
    busy machine, read "only one copy is left"): the reason is the same either way."""
    start(repo, {"core/__init__.py": ""})
    branch(repo, "agent/core", {"core/models.py": MODELS}, "Fetch recommended models")
    copy = MODELS.replace("def fetch_recommended_models(", "def fetch_models_for_menu(")
    copy = copy.replace(
        "    return [", "    if not models:\n        raise LookupError(base_url)\n    return ["
    )
    branch(repo, "agent/menu", {"core/menu.py": copy}, "Models for the menu")
    merge(repo, "agent/core", "agent/menu")
    assert findings(run(Config(repo=repo.path, since="base")), "duplicate"), "not a copy"
    repo.git("rm", "-q", "core/menu.py")
    repo.write(
        "core/models.py",
        MODELS
        + "\n\ndef fetch_models_for_menu(base_url, timeout=10):\n"
        + "    models = fetch_recommended_models(base_url, timeout=timeout)\n"
        + '    models = [m for m in models if m.get("enabled", True)]\n'
        + "    if not models:\n"
        + "        raise LookupError(base_url)\n"
        + '    return [{"id": m["id"], "label": m.get("label") or m["id"]} for m in models]\n',
    )
    repo.commit("The menu's models come from the models module")
    if seconds_later:
        later = int(repo.git("log", "-1", "--format=%ct").strip()) + 5
        repo.git("commit", "-q", "--amend", "--no-edit", "--date", f"@{later} +0000")
        repo.git("rebase", "-q", "--committer-date-is-author-date", "HEAD~1")
    plan = run(Config(repo=repo.path, since="base"))
    assert findings(plan, "duplicate") == [], plan.findings
    assert [f.resolved for f in plan.findings if f.status == "resolved"] == [
        "one copy now calls the other at HEAD"
    ]


def test_a_removers_own_test_moved_by_a_later_branch_is_no_use(repo: Repo) -> None:
    """mem0 #4741 dropped `async_mode` from the settings and added tests that it is gone;
    #5491 then moved the package, tests and all. The tests at their new path were
    reported as code already on the target still using the field."""
    settings = "export interface Settings {\n  apiKey: string;\n  async_mode?: boolean;\n}\n"
    start(repo, {"sdk/src/types.ts": settings})
    check = (
        "import { Settings } from '../src/types';\n\n"
        "export function checkGone(config: Settings): boolean {\n"
        "  return (config as any).async_mode === undefined;\n"
        "}\n"
    )
    branch(
        repo,
        "agent/drop",
        {
            "sdk/src/types.ts": "export interface Settings {\n  apiKey: string;\n}\n",
            "sdk/tests/contract.ts": check,
        },
        "Drop async_mode from the settings",
    )
    merge(repo, "agent/drop")
    repo.git("mv", "sdk", "integrations")
    repo.commit("Move the sdk under integrations")
    plan = run(Config(repo=repo.path, since="base"))
    assert any_tier(plan, "phantom_dependency") == [], plan.findings


def test_a_branchs_code_moved_by_a_later_branch_is_no_copy_of_itself(repo: Repo) -> None:
    """mem0 #5459 added a plugin and #5491 moved every plugin under integrations/: each
    moved function was read as code already on the target and listed, resolved, as a copy
    of the branch's own function."""
    start(repo, {"README.md": "plugins\n"})
    plugin = "".join(
        f"def step_{n}(state, client):\n"
        f"    record = client.fetch('step-{n}', state['user_id'], retries=3)\n"
        f"    state['history'].append(record['value'] * {n})\n"
        f"    return client.commit(state, label='step-{n}')\n\n\n"
        for n in range(3)
    )
    branch(repo, "agent/plugin", {"plugin/steps.py": plugin}, "Add the plugin")
    merge(repo, "agent/plugin")
    repo.git("checkout", "-q", "-b", "agent/move")
    repo.git("mv", "plugin", "integrations")
    repo.commit("Move the plugins under integrations")
    repo.git("checkout", "-q", "main")
    merge(repo, "agent/move")
    # a later branch works next to the moved code, so the reuse check reads that folder
    later = "def banner(name):\n    return f'== {name} =='\n"
    branch(repo, "agent/banner", {"integrations/banner.py": later}, "Add a banner", "main")
    plan = merge_all(repo, "agent/banner")
    assert any_tier(plan, "duplicate") == [], plan.findings


_EDGES = """from datetime import datetime


class EntityEdge:
    def __init__(self, **fields):
        self.fields = fields


class EpisodicEdge:
    def __init__(self, **fields):
        self.fields = fields


def parse_db_date(value):
    return datetime.fromisoformat(value) if value else None


def get_episodic_edge_from_record(record):
    return EpisodicEdge(
        uuid=record['uuid'],
        source_node_uuid=record['source_node_uuid'],
        target_node_uuid=record['target_node_uuid'],
        group_id=record['group_id'],
        created_at=parse_db_date(record['created_at']),
        valid_at=parse_db_date(record['valid_at']),
        invalid_at=parse_db_date(record['invalid_at']),
        expired_at=parse_db_date(record['expired_at']),
    )
"""


@pytest.mark.parametrize(
    ("built", "tier"), [("EntityEdge", "candidate"), ("EpisodicEdge", "finding")]
)
def test_parsers_of_two_record_kinds_are_no_copies(repo: Repo, built: str, tier: str) -> None:
    """graphiti #1232 added a parser building an `EntityEdge` from a record; it was matched
    with the parser building an `EpisodicEdge` from the same field names. Factories of
    two different classes are leads at most; a parser building the same class is a copy."""
    start(repo, {"app/__init__.py": "", "app/edges.py": _EDGES})
    extra = (
        "        fact=record['fact'],\n        name=record['name'],\n"
        if built == "EntityEdge"
        else ""
    )
    parser = (
        "from app.edges import EntityEdge, EpisodicEdge, parse_db_date\n\n\n"
        "def edge_from_record(record):\n"
        f"    return {built}(\n"
        "        uuid=record['uuid'],\n"
        "        source_node_uuid=record['source_node_uuid'],\n"
        "        target_node_uuid=record['target_node_uuid'],\n"
        f"{extra}"
        "        group_id=record['group_id'],\n"
        "        created_at=parse_db_date(record['created_at']),\n"
        "        valid_at=parse_db_date(record['valid_at']),\n"
        "        invalid_at=parse_db_date(record['invalid_at']),\n"
        "        expired_at=parse_db_date(record['expired_at']),\n"
        "    )\n"
    )
    branch(repo, "agent/parsers", {"app/record_parsers.py": parser}, "Add record parsers")
    plan = merge_all(repo, "agent/parsers")
    tiers = [f.tier for f in plan.findings if f.kind == "duplicate" and f.status == "open"]
    assert tiers == [tier], plan.findings


def test_a_private_name_for_an_interfaces_method_is_still_that_method(repo: Repo) -> None:
    """strands: every model provider has its own `format_request` and `format_chunk`; the
    Responses model, added later, named its own `_format_request` and `_format_chunk`, and
    they were reported as copies of the other providers'."""
    start(
        repo,
        {
            "app/__init__.py": "",
            "app/tts.py": BASE_TTS,
            "plugins/__init__.py": "",
            "plugins/alpha.py": _plugin("alpha", "speed"),
            "plugins/beta.py": _plugin("beta", "pitch"),
            "plugins/gamma.py": _plugin("gamma", "rate"),
        },
    )
    delta = _plugin("delta", "emotion").replace("def update_options", "def _update_options")
    branch(repo, "agent/delta", {"plugins/delta.py": delta}, "Delta TTS")
    plan = merge_all(repo, "agent/delta")
    assert not any("update_options" in f for f in findings(plan, "duplicate")), plan.findings


def _go_provider(name: str, field: str) -> str:
    return (
        f"package {name}\n\n"
        "type options struct {\n"
        "\tbaseURL string\n"
        "\tapiKey  string\n"
        "\theaders map[string]string\n"
        "}\n\n"
        "// Option configures the provider (an alias, as most of fantasy's providers say it).\n"
        "type Option = func(*options)\n\n"
        "// WithBaseURL sets the endpoint the provider calls.\n"
        "func WithBaseURL(baseURL string) Option {\n"
        "\treturn func(o *options) {\n"
        f"\t\to.{field} = baseURL\n"
        "\t\tif o.headers == nil {\n"
        "\t\t\to.headers = map[string]string{}\n"
        "\t\t}\n"
        "\t}\n"
        "}\n"
    )


def test_each_go_packages_functional_option_is_its_own(repo: Repo) -> None:
    """fantasy: every provider package has its own `WithBaseURL(...) Option` over its own
    unexported options; a new provider's was reported as a copy of two others'. A package
    cannot call another's option on its own options."""
    start(
        repo,
        {
            "go.mod": "module example.com/llm\n\ngo 1.22\n",
            "providers/alpha/alpha.go": _go_provider("alpha", "baseURL"),
            "providers/beta/beta.go": _go_provider("beta", "baseURL"),
            "providers/gamma/gamma.go": _go_provider("gamma", "baseURL"),
        },
    )
    # three providers added in parallel; one keeps its endpoints in a list
    listed = _go_provider("epsilon", "baseURL").replace(
        "o.baseURL = baseURL", "o.endpoints = append(o.endpoints, baseURL)"
    )
    added = (
        ("delta", _go_provider("delta", "baseURL")),
        ("epsilon", listed),
        ("zeta", _go_provider("zeta", "apiKey")),
    )
    for name, text in added:
        files = {f"providers/{name}/{name}.go": text}
        branch(repo, f"agent/{name}", files, f"Add the {name} provider")
    plan = merge_all(repo, "agent/delta", "agent/epsilon", "agent/zeta")
    assert not any("WithBaseURL" in f for f in findings(plan, "duplicate")), plan.findings


CHUNK = """import { z } from "zod";

export const ChatResponseChunkSchema = z.object({
  chatId: z.number(),
  streamId: z.number().optional(),
  messages: z.array(z.string()).optional(),
});

export function parseChunk(raw: unknown) {
  return ChatResponseChunkSchema.parse(raw);
}
"""


def test_a_deprecated_key_does_not_deprecate_its_object(repo: Repo) -> None:
    """dyad: #4080 marked one key of a zod schema `@deprecated` (a JSDoc comment inside the
    object, three lines below its first) and added `InvocationRef`; the whole schema was read
    as replaced while #4047 extended it. In TypeScript, Go, Rust and Java a marker documents
    the declaration after it: inside a definition's body it marks a member."""
    start(repo, {"src/chat.ts": CHUNK, "src/use.ts": 'import { parseChunk } from "./chat";\n'})
    marked = CHUNK.replace(
        "  streamId: z.number().optional(),\n",
        "  invocationRef: InvocationRefSchema.optional(),\n"
        "  /** @deprecated Compatibility with main processes predating InvocationRef. */\n"
        "  streamId: z.number().optional(),\n",
    ).replace(
        'import { z } from "zod";\n',
        'import { z } from "zod";\n\n'
        "export const InvocationRefSchema = z.object({\n"
        "  invocationId: z.string().min(1),\n"
        "  attempt: z.number().int(),\n"
        "});\n\n"
        "export type InvocationRef = z.infer<typeof InvocationRefSchema>;\n",
    )
    branch(repo, "agent/invocation-ref", {"src/chat.ts": marked}, "Correlate streams by invocation")
    extended = CHUNK.replace(
        "  messages: z.array(z.string()).optional(),\n",
        "  messages: z.array(z.string()).optional(),\n"
        "  acceptedUserInputRequestId: z.string().optional(),\n",
    )
    branch(repo, "agent/accept", {"src/chat.ts": extended}, "Accept user input requests")
    plan = merge_all(repo, "agent/invocation-ref", "agent/accept")
    assert any_tier(plan, "divergence") == [], plan.findings


READY = """const runningApps = new Map<number, { proxyUrl?: string }>();

export async function waitForReady(appId: number, timeoutMs = 30_000): Promise<void> {
  const startedAt = Date.now();
  while (Date.now() - startedAt < timeoutMs) {
    const app = runningApps.get(appId);
    if (!app) {
      throw new AppError("The app process exited before the preview became ready");
    }
    if (app.proxyUrl) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new AppError("Timed out waiting for the app preview to become ready");
}
"""


def _ready_copied(repo: Repo) -> str:
    """A history where agent/restart copied the runtime's polling loop: its copy's text."""
    start(repo, {"src/errors.ts": "export class AppError extends Error {}\n"})
    branch(repo, "agent/runtime", {"src/runtime.ts": READY}, "Poll until the app is ready")
    copy = READY.replace("waitForReady(", "waitForAppReady(").replace("runningApps", "apps")
    branch(repo, "agent/restart", {"src/restart.ts": copy}, "Let the agent restart apps")
    merge(repo, "agent/runtime", "agent/restart")
    assert findings(run(Config(repo=repo.path, since="base")), "duplicate"), "not a copy"
    return copy


def test_a_copy_that_now_forwards_under_another_name_is_resolved(repo: Repo) -> None:
    """dyad: #4062's `waitForAppReady` copied the runtime's polling loop; a later change made
    it one `return runtime.waitUntilReady(...)`, a service method whose name is neither
    copy's. At HEAD it forwards: nothing copied is left in it."""
    _ready_copied(repo)
    repo.write(
        "src/restart.ts",
        'import { runtime } from "./service";\n\n'
        "export function waitForAppReady(appId: number, timeoutMs?: number): Promise<void> {\n"
        "  return runtime.waitUntilReady(appId, timeoutMs);\n"
        "}\n",
    )
    repo.commit("Restart through the runtime service")
    plan = run(Config(repo=repo.path, since="base"))
    assert findings(plan, "duplicate") == [], plan.findings
    assert [
        f.resolved for f in plan.findings if f.status == "resolved" and f.kind == "duplicate"
    ] == ["the code the copies shared is gone from one of them at HEAD"]


FOOTER = """import type { Version } from "./types";

interface FooterContext {
  chatId: number;
  versions: Version[];
}

export function Footer(ctx: FooterContext) {
  return `${ctx.chatId}: ${ctx.versions.length} versions`;
}
"""

REVERT = """import type { Version } from "./types";

export function getExtraRevertedCommits({
  versions,
  targetOid,
}: {
  versions: Version[];
  targetOid: string;
}): Version[] | null {
  const at = versions.findIndex((version) => version.oid === targetOid);
  return at === -1 ? null : versions.slice(0, at);
}
"""


def test_a_key_of_an_object_another_function_takes_is_no_phantom(repo: Repo) -> None:
    """dyad: #4020 removed `FooterContext.versions`; #4050 passed `versions: freshVersions,`
    in an object to `getExtraRevertedCommits`, whose own destructured parameters declare
    `versions`. The key is that function's, not the removed field."""
    start(
        repo,
        {
            "src/types.ts": "export interface Version {\n  oid: string;\n}\n",
            "src/revert.ts": REVERT,
            "src/footer.ts": FOOTER,
        },
    )
    dropped = FOOTER.replace("  versions: Version[];\n", "").replace(
        ": ${ctx.versions.length} versions", ""
    )
    branch(repo, "agent/footer", {"src/footer.ts": dropped}, "Footer without versions")
    undo = FOOTER + (
        '\nimport { getExtraRevertedCommits } from "./revert";\n\n'
        "export function undoWarning(ctx: FooterContext, freshVersions: Version[], oid: string) {\n"
        "  const extra = getExtraRevertedCommits({\n"
        "    versions: freshVersions,\n"
        "    targetOid: oid,\n"
        "  });\n"
        "  return extra ? `${ctx.chatId} also reverts ${extra.length}` : null;\n"
        "}\n"
    )
    branch(repo, "agent/undo", {"src/footer.ts": undo}, "Warn before undoing extra commits")
    plan = merge_all(repo, "agent/footer", "agent/undo")
    assert any_tier(plan, "phantom_dependency") == [], plan.findings


SWITCH = """import { runGit } from "./git";

export async function handleSwitchBranch(appId: number, branch: string): Promise<void> {
  await runGit(appId, ["checkout", branch]);
}
"""

MANAGER = """import { useState } from "react";
import { ipc } from "./ipc";

export function BranchManager({ appId }: { appId: number }) {
  const [current, setCurrent] = useState("main");

  const handleSwitchBranch = async (branch: string) => {
    await ipc.switchBranch({ appId, branch });
    setCurrent(branch);
  };

  return (
    <select value={current} onChange={(e) => handleSwitchBranch(e.target.value)}>
      <option>{current}</option>
    </select>
  );
}
"""


def test_dropping_a_local_namesake_replaces_no_mechanism(repo: Repo) -> None:
    """dyad: #4061 rewrote `GithubBranchManager` and dropped its own local
    `const handleSwitchBranch = async (...) => ...` with its calls; the exported
    `handleSwitchBranch` of the git handlers, which #4046 extended, was read as replaced. The
    calls a change drops beside the local definition it drops are that local's."""
    start(
        repo,
        {
            "src/git.ts": "export async function runGit(appId: number, args: string[]) {}\n",
            "src/ipc.ts": "export const ipc = { switchBranch: async (_: object) => {} };\n",
            "src/handlers.ts": SWITCH,
            "src/BranchManager.tsx": MANAGER,
        },
    )
    inventory = (
        'import { useQuery } from "@tanstack/react-query";\n'
        'import { ipc } from "./ipc";\n\n'
        "export function useBranchInventory(appId: number) {\n"
        "  return useQuery({\n"
        '    queryKey: ["branches", appId],\n'
        "    queryFn: () => ipc.switchBranch({ appId, list: true }),\n"
        "  });\n"
        "}\n"
    )
    rewritten = (
        'import { useBranchInventory } from "./useBranchInventory";\n\n'
        "export function BranchManager({ appId }: { appId: number }) {\n"
        "  const inventory = useBranchInventory(appId);\n"
        "  return <pre>{JSON.stringify(inventory.data)}</pre>;\n"
        "}\n"
    )
    branch(
        repo,
        "agent/inventory",
        {"src/useBranchInventory.ts": inventory, "src/BranchManager.tsx": rewritten},
        "Project the branch manager from the inventory",
    )
    extended = SWITCH.replace(
        "branch: string): Promise<void> {\n",
        "branch: string, force = false): Promise<void> {\n"
        '  if (force) {\n    await runGit(appId, ["stash"]);\n  }\n',
    )
    branch(repo, "agent/force", {"src/handlers.ts": extended}, "Switch branches by force")
    plan = merge_all(repo, "agent/inventory", "agent/force")
    assert any_tier(plan, "divergence") == [], plan.findings


def test_a_copy_moved_into_a_helper_beside_it_is_still_a_copy(repo: Repo) -> None:
    """mcp-use: `manifests()` became a `.map` over `manifestEntries()`, a new helper in its
    own file that holds the copied code: a body that shrank to a call of its neighbour
    moved the copy, it did not let go of it."""
    copy = _ready_copied(repo)
    helper = copy.replace("export async function waitForAppReady(", "async function pollApp(")
    repo.write(
        "src/restart.ts",
        helper + "\nexport function waitForAppReady(appId: number): Promise<void> {\n"
        "  return pollApp(appId);\n"
        "}\n",
    )
    repo.commit("Poll in a helper")
    plan = run(Config(repo=repo.path, since="base"))
    assert any("waitForAppReady" in t for t in findings(plan, "duplicate")), plan.findings


def _store(cls: str, upserts: dict[str, str], private: tuple[str, ...]) -> str:
    """A storage backend: ten small public operations, the upserts given, and the class's
    own private helpers."""
    ops = "".join(
        f"    def {verb}_{noun}(self, key):\n        return self._call('{cls}.{verb}.{noun}', key)\n\n"
        for verb in ("get", "delete")
        for noun in ("session", "memory", "eval_run", "trace", "schedule")
    )
    helpers = "".join(f"    def {name}(self, *args):\n        return args\n\n" for name in private)
    bodies = "".join(
        "\n".join("    " + line if line else line for line in body.splitlines()) + "\n\n"
        for body in upserts.values()
    )
    return (
        "import json\nimport time\n\nfrom app.records import CulturalKnowledge, UserMemory\n\n\n"
        f"class {cls}:\n{ops}{helpers}{bodies}"
    )


_RECORDS = (
    "class CulturalKnowledge:\n    @classmethod\n    def from_dict(cls, d):\n        return d\n\n\n"
    "class UserMemory:\n    @classmethod\n    def from_dict(cls, d):\n        return d\n"
)
_SIMPLE_UPSERT = "def {name}(self, item):\n    return self._call('{name}', item)\n"


@pytest.mark.parametrize(
    ("kv_names", "reported"),
    [
        (("upsert_cultural_knowledge", "upsert_user_memory"), False),
        (("upsert_culture", "upsert_user_memory"), True),
    ],
    ids=["one-interface", "not-each-others-counterpart"],
)
def test_a_ports_private_helpers_do_not_hide_its_interface(
    repo: Repo, kv_names: tuple[str, str], reported: bool
) -> None:
    """agno: a Valkey backend, ported from the others, has all 53 of Postgres's public
    methods, but its 14 private pipeline helpers brought the share of names the two hold
    below the bar, so its `upsert_user_memory` was matched with Postgres's
    `upsert_cultural_knowledge` (and whole backends with each other): three groups judged
    FALSE. Two methods of one interface are each the other class's namesake's
    counterpart; where one is not (the port calls its own `upsert_culture`), a copied body
    is still a copy."""
    from tests.unit.test_rules import UPSERT_CULTURE, UPSERT_MEMORY

    sql_upserts = {
        "upsert_cultural_knowledge": UPSERT_CULTURE,
        "upsert_user_memory": _SIMPLE_UPSERT.format(name="upsert_user_memory"),
    }
    start(
        repo,
        {
            "app/__init__.py": "",
            "app/records.py": _RECORDS,
            "app/sql.py": _store("SqlStore", sql_upserts, ("_connect", "_row", "_commit")),
        },
    )
    culture, memory = kv_names
    kv_upserts = {
        culture: _SIMPLE_UPSERT.format(name=culture),
        memory: UPSERT_MEMORY.replace("upsert_user_memory", memory),
    }
    private = ("_pipeline", "_exec", "_key", "_scan", "_store_record")
    branch(repo, "agent/kv", {"app/kv.py": _store("KvStore", kv_upserts, private)}, "Kv store")
    plan = merge_all(repo, "agent/kv")
    found = findings(plan, "duplicate")
    assert bool(found) is reported, plan.findings
    if reported:
        assert any("upsert_cultural_knowledge" in f and memory in f for f in found), found


_QUIT_GO = """package dialog

import "example.com/tui/key"

// Quit asks before the program ends.
type Quit struct {
	selectedNo bool
	keyMap     KeyMap
}

// KeyMap holds a dialog's bindings.
type KeyMap struct {
	LeftRight, Enter, Yes, No, Tab key.Binding
}

// NewQuit creates a new quit confirmation dialog.
func NewQuit() *Quit {
	q := &Quit{selectedNo: true}
	q.keyMap.LeftRight = key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("left/right", "switch options"))
	q.keyMap.Enter = key.NewBinding(key.WithKeys("enter", " "), key.WithHelp("enter", "confirm"))
	q.keyMap.Yes = key.NewBinding(key.WithKeys("y", "Y", "ctrl+c"), key.WithHelp("y", "yes"))
	q.keyMap.No = key.NewBinding(key.WithKeys("n", "N"), key.WithHelp("n", "no"))
	q.keyMap.Tab = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "switch options"))
	return q
}
"""

_CONFIRM_GO = """package dialog

import "example.com/tui/key"

// {built} asks one yes/no question inline.
type YesNo struct {{
	question   string
	selectedNo bool
	keyMap     KeyMap
}}

// {name} creates a new confirmation dialog.
func {name}(question string) *{built} {{
	return &{built}{{
		selectedNo: true,
		keyMap: KeyMap{{
			LeftRight: key.NewBinding(key.WithKeys("left", "right", "h", "l"), key.WithHelp("left/right", "switch")),
			Enter:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirm")),
			Yes:       key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
			No:        key.NewBinding(key.WithKeys("n", "N"), key.WithHelp("n", "no")),
			Tab:       key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "switch options")),
		}},
	}}
}}
"""


# the dialogs' other helpers, which make the key names rare in this code base
_KEYS_GO = "package dialog\n\n" + "".join(
    f"// {verb} {noun} keys.\nfunc {verb.title()}{noun.title()}(keys []string) []string {{\n"
    f'\tif len(keys) == 0 {{\n\t\treturn []string{{"{verb}-{noun}"}}\n\t}}\n'
    "\treturn keys\n}\n\n"
    for verb in ("parse", "format", "merge")
    for noun in ("chord", "sequence", "modifier")
)


@pytest.mark.parametrize(
    ("name", "built", "reported"),
    [("NewYesNo", "YesNo", False), ("NewQuitDialog", "Quit", True)],
    ids=["another-type", "the-same-type"],
)
def test_go_constructors_of_other_types_are_no_copies(
    repo: Repo, name: str, built: str, reported: bool
) -> None:
    """crush: an inline yes/no question's constructor binds the same keys as the quit
    dialog's, which builds its `Quit` in a variable it returns; the two were reported as
    copies. A constructor's signature says what it builds: two of other types are alike by
    design. One that builds the same type again is a copy."""
    files = {"go.mod": "module example.com/tui\n\ngo 1.22\n", "dialog/quit.go": _QUIT_GO}
    files["dialog/keys.go"] = _KEYS_GO
    start(repo, {**files, "key/key.go": "package key\n\ntype Binding struct{}\n"})
    text = _CONFIRM_GO.format(name=name, built=built)
    branch(repo, "agent/yesno", {"dialog/yesno.go": text}, "Add an inline yes/no question")
    plan = merge_all(repo, "agent/yesno")
    found = [f for f in findings(plan, "duplicate") if "NewQuit`" in f and name in f]
    assert bool(found) is reported, plan.findings

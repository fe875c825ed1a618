"""Work that saw other work is not parallel drift (issue 10, class 4), even where a squash
merge lost the fork point: a change that rewrites lines another wrote was written on top of
it, and a marker put back restores a replacement, it starts none."""

from __future__ import annotations

import pytest

from idealize.config import Config
from idealize.pipeline import run
from idealize.types import Plan
from tests.conftest import Repo
from tests.e2e.history import WRAPPER, branch, findings, merge, squash, start

AMOUNT = """def parse_amount(text):
    value = text.strip()
    return float(value)
"""

SEPARATORS = """def parse_amount(text):
    value = text.strip()
    # thousands separators come from spreadsheet exports
    cleaned_value = value.replace(",", "")
    if not cleaned_value.replace(".", "", 1).isdigit():
        raise ValueError(f"not an amount: {text!r}")
    return float(cleaned_value)
"""

GUARDED = """def parse_amount(text):
    try:
        value = text.strip()
        cleaned_value = value.replace(",", "")
        if not cleaned_value.replace(".", "", 1).isdigit():
            raise ValueError(f"not an amount: {text!r}")
        return float(cleaned_value)
    except AttributeError as exc:
        raise ValueError(f"not an amount: {text!r}") from exc
"""


def test_a_fix_that_rewrites_another_fix_is_a_follow_up(repo: Repo) -> None:
    """pydantic-ai #6479 and #6519: both squash-merged fixes of one method, the second
    rewording and re-indenting the lines the first wrote. The squash merge hides that the
    second started after the first landed; its diff does not."""
    start(repo, {"app/__init__.py": "", "app/amounts.py": AMOUNT})
    landed = _double_fixes_after(
        repo,
        (
            "agent/separators",
            {"app/amounts.py": SEPARATORS},
            "fix: parse_amount rejects thousands separators (#21)",
        ),
        (
            "agent/none",
            {"app/amounts.py": GUARDED},
            "fix: parse_amount thousands separators crash on None (#22)",
        ),
    )
    assert landed == []


def _double_fixes_after(repo: Repo, *landed: tuple[str, dict[str, str], str]) -> list[str]:
    """Squash-merge pull requests (branch, edits, subject) one after the other; the titles
    of the double fixes reported over all of them."""
    for name, edits, subject in landed:
        squash(repo, name, edits, subject)
    plan = run(Config(repo=repo.path, since="base"))
    return [f.title for f in plan.findings if f.kind == "double_fix"]


GH = """import subprocess


def execute_gh(args):
    command = args[0]
    if command == "pr":
        return subprocess.run(["gh", *args], capture_output=True, text=True).stdout
    return ""


def pr_view(number):
    return execute_gh(["pr", "view", str(number)])
"""


def test_a_replacement_that_trimmed_an_extension_came_after_it(repo: Repo) -> None:
    """gptme #1835 ... #1863: several PRs added native subcommands to `execute_gh`; a later
    PR replaced it with a pass-through and trimmed those subcommands. The replacing PR read
    the extensions it removed: nothing diverged."""
    start(repo, {"app/__init__.py": "", "app/gh.py": GH})
    extended = GH.replace(
        '    return ""\n\n\ndef pr_view',
        '    if command == "issue":\n'
        '        issue_output = subprocess.run(["gh", "issue", *args[1:]], capture_output=True)\n'
        '        return issue_output.stdout.decode("utf-8", "replace")\n'
        '    if command == "run":\n'
        '        run_listing = subprocess.run(["gh", "run", "list", "--limit", "20"])\n'
        "        return str(run_listing.returncode)\n"
        '    return ""\n\n\ndef pr_view',
    )
    squash(repo, "agent/native", {"app/gh.py": extended}, "feat(gh): native issue and run (#31)")
    passthrough = (
        extended.replace(
            '    if command == "issue":\n'
            '        issue_output = subprocess.run(["gh", "issue", *args[1:]], capture_output=True)\n'
            '        return issue_output.stdout.decode("utf-8", "replace")\n',
            "",
        )
        .replace(
            "def execute_gh(args):\n",
            "def execute_gh(args):\n"
            '    """Deprecated: use `passthrough_gh`, which runs any gh command."""\n',
        )
        .replace(
            '    return execute_gh(["pr", "view", str(number)])\n',
            '    return passthrough_gh(["pr", "view", str(number)])\n\n\n'
            "def passthrough_gh(args):\n"
            '    done = subprocess.run(["gh", *args], capture_output=True, text=True)\n'
            "    return done.stdout if done.returncode == 0 else done.stderr\n",
        )
    )
    squash(
        repo, "agent/passthrough", {"app/gh.py": passthrough}, "refactor(gh): pass-through (#32)"
    )
    plan = run(Config(repo=repo.path, since="base"))
    assert findings(plan, "divergence") == [], plan.findings


AGENT = """class Agent:
    def run(self, prompt):
        return prompt


class Durability:
    def wrap(self, agent):
        return agent
"""

LEGACY = WRAPPER.replace("DurableAgent", "LegacyAgent")

MARKER = '@deprecated("Use `Durability` or `durable()` instead")\n'
IMPORT = "from typing_extensions import deprecated\n"


def test_a_restored_deprecation_names_the_branch_that_first_made_it(repo: Repo) -> None:
    """pydantic-ai #4977, #6625, #6631: one PR deprecated the durable agents, a later one
    withdrew the decorator and a third put it back. The replacing branch is the first: the
    third restored its marker and replaced nothing."""
    start(repo, {"app/__init__.py": "", "app/agent.py": AGENT, "app/legacy.py": LEGACY})
    deprecated = IMPORT + LEGACY.replace("class LegacyAgent:", MARKER + "class LegacyAgent:")
    branch(repo, "agent/deprecate", {"app/legacy.py": deprecated}, "Deprecate LegacyAgent")
    extended = LEGACY.replace(
        "        return self.agent.run(prompt)\n",
        "        answer = self.agent.run(prompt)\n"
        "        self.history = [*getattr(self, 'history', []), answer]\n"
        "        return answer\n",
    )
    branch(repo, "agent/history", {"app/legacy.py": extended}, "Keep the answers")
    merge(repo, "agent/deprecate")
    branch(
        repo,
        "agent/withdraw",
        {"app/legacy.py": deprecated.replace(MARKER, "")},
        "Withdraw the deprecation for now",
        start="main",
    )
    merge(repo, "agent/withdraw")
    durable = AGENT + "\n\ndef durable(agent):\n    return Durability().wrap(agent)\n"
    branch(
        repo,
        "agent/restore",
        {"app/legacy.py": deprecated, "app/agent.py": durable},
        "Deprecate again, with a helper",
        start="main",
    )
    merge(repo, "agent/restore", "agent/history")
    plan = run(Config(repo=repo.path, since="base"))
    titles = findings(plan, "divergence")
    assert any(t.startswith("agent/deprecate replaces `LegacyAgent`") for t in titles), titles
    assert not any(t.startswith("agent/restore") for t in titles), titles


MODAL = """def {name}(client, repo, branch):
    if not repo or not branch:
        raise ValueError("pick a repository and a branch first")
    query = client.search("microagents/templates", repo=repo, ref=branch)
    picked = [t for t in query.items if t.kind == "{kind}"]
    if not picked:
        return {{"title": "No templates", "confirm": "confirm-button", "cancel": "cancel-button"}}
    body = render_template(picked[0], target="{target}")
    client.open_pull_request(repo, branch, title="{title}", body=body)
    return {{"title": "{title}", "confirm": "confirm-button", "cancel": "cancel-button"}}
"""


def _modal(name: str, kind: str, target: str, title: str) -> str:
    return "from app.render import render_template\n\n\n" + MODAL.format(
        name=name, kind=kind, target=target, title=title
    )


def test_copies_a_verified_pair_holds_stay_a_finding_when_a_third_copy_goes(repo: Repo) -> None:
    """OpenHands #9866/#9873: two microagent modals copied from an add-modal that a later
    change removed. What is left at HEAD is no longer one text, but the two scored as copies
    of each other on their own: still a finding, with their own evidence."""
    start(
        repo,
        {
            "app/__init__.py": "",
            "app/render.py": "def render_template(t, target):\n    return f'{t}:{target}'\n",
        },
    )
    add = _modal("add_microagent_modal", "microagent", ".openhands/microagents", "Add microagent")
    branch(repo, "agent/add", {"app/add_modal.py": add}, "feat: add microagent modal")
    branch(
        repo,
        "agent/upsert",
        {"app/upsert_modal.py": add.replace("add_microagent_modal", "upsert_microagent_modal")},
        "feat: upsert microagent modal",
    )
    learn = _modal("learn_repo_modal", "knowledge", ".openhands/knowledge", "Learn this repo")
    branch(repo, "agent/learn", {"app/learn_modal.py": learn}, "feat: learn this repo modal")
    merge(repo, "agent/add", "agent/upsert", "agent/learn")
    before = run(Config(repo=repo.path, since="base"))
    assert any("learn_repo_modal" in t for t in findings(before, "duplicate")), before.findings
    branch(repo, "agent/drop-add", {"app/add_modal.py": None}, "chore: drop add modal", "main")
    merge(repo, "agent/drop-add")
    plan = run(Config(repo=repo.path, since="base"))
    [kept] = [f for f in plan.findings if f.kind == "duplicate" and f.status == "open"]
    assert {loc.symbol for loc in kept.locations} == {
        "upsert_microagent_modal",
        "learn_repo_modal",
    }
    assert kept.tier == "finding", kept
    assert not any("identical code" in e for e in kept.evidence), kept.evidence


UPDATE_ISSUE = """import requests


def update_issue(base, issue_id, title=None, status=None, priority=None):
    existing = requests.get(f"{base}/api/remote/issues/{issue_id}").json()
    changes = {}
    if title is not None and title != existing["title"]:
        changes["title"] = title
    if status is not None:
        changes["status_id"] = resolve_status(base, existing["project_id"], status)
    if priority is not None:
        changes["priority"] = priority.lower()
    if not changes:
        return existing
    changed = requests.patch(f"{base}/api/remote/issues/{issue_id}", json=changes)
    changed.raise_for_status()
    return changed.json()["data"]
"""

START_SESSION = """import requests


def start_session(base, repo_id, issue_id=None, prompt=None):
    text = prompt
    if issue_id is not None:
        issue = requests.get(f"{base}/api/remote/issues/{issue_id}").json()
        text = text or issue["description"] or issue["title"]
    if not text:
        raise ValueError("give a prompt, or an issue with a title or description")
    body = {"repo": repo_id, "prompt": text, "executor": "default"}
    created = requests.post(f"{base}/api/workspaces/start", json=body)
    created.raise_for_status()
    workspace = created.json()["workspace"]
    if issue_id is not None:
        requests.post(f"{base}/api/workspaces/{workspace['id']}/link", json={"issue": issue_id})
    return workspace
"""

BACKGROUND = "import requests\n" + "".join(
    f"""

def {verb}_{noun}(base, key):
    response = requests.get(f"{{base}}/api/{noun}s/{{key}}/{verb}")
    response.raise_for_status()
    return response.json()["{noun}"]
"""
    for verb in ("load", "count", "list")
    for noun in ("project", "label", "member", "comment")
)


def _issue_tools(repo: Repo, copies: tuple[str, ...]) -> tuple[Plan, Plan]:
    """`update_issue`, copies of it under other names and `start_session`, each landed from
    its own branch; then the last copy is removed on main. The plans before and after."""
    start(repo, {"app/__init__.py": "", "app/background.py": BACKGROUND})
    branch(repo, "agent/update", {"app/issues.py": UPDATE_ISSUE}, "feat: update issue tool")
    for name in copies:
        copy = UPDATE_ISSUE.replace("def update_issue", f"def {name}_issue")
        branch(repo, f"agent/{name}", {f"app/{name}.py": copy}, f"feat: {name} issue tool")
    branch(repo, "agent/session", {"app/session.py": START_SESSION}, "feat: start session tool")
    merge(repo, "agent/update", *(f"agent/{name}" for name in copies), "agent/session")
    before = run(Config(repo=repo.path, since="base"))
    gone = copies[-1]
    branch(repo, "agent/drop", {f"app/{gone}.py": None}, f"chore: drop {gone} tool", "main")
    merge(repo, "agent/drop")
    return before, run(Config(repo=repo.path, since="base"))


def test_a_pair_held_only_by_one_request_is_a_candidate_once_the_copy_goes(repo: Repo) -> None:
    """vibe-kanban #2772/#2790: two MCP tools that each first fetch one issue were grouped
    with a copy of one of them. One then PATCHes the issue, the other POSTs a workspace:
    the GET they share is a lookup on the way to two operations, not the same request.
    With the copy gone at HEAD, the two are a candidate, saying why."""
    before, plan = _issue_tools(repo, ("edit",))
    assert len(findings(before, "duplicate")) == 1  # the three, held by the copy
    left = [
        f
        for f in plan.findings
        if f.kind == "duplicate"
        and {loc.symbol for loc in f.locations} == {"update_issue", "start_session"}
    ]
    [pair] = left
    assert pair.tier == "candidate", pair
    assert not any(e.startswith("the same request") for e in pair.evidence), pair.evidence
    assert pair.evidence[-1].endswith(": a lead"), pair.evidence


def test_a_member_no_holding_pair_reaches_keeps_the_rest_from_a_finding(repo: Repo) -> None:
    """Three copies of one tool and a fourth tool that only makes the same request; one copy
    goes. The two copies left still hold each other, but not the fourth: a finding would
    claim it as a copy, so the group is a candidate."""
    _, plan = _issue_tools(repo, ("edit", "amend"))
    claimed = [
        f
        for f in plan.findings
        if f.kind == "duplicate"
        and f.tier == "finding"
        and "start_session" in {loc.symbol for loc in f.locations}
    ]
    assert claimed == [], claimed
    # the two copies left still hold each other; the fourth tool is at most a lead
    tiers = {
        frozenset(loc.symbol for loc in f.locations): f.tier
        for f in plan.findings
        if f.kind == "duplicate" and f.status == "open"
    }
    assert tiers.get(frozenset({"update_issue", "edit_issue"})) == "finding", tiers
    assert all(t == "candidate" for m, t in tiers.items() if "start_session" in m), tiers


PROBE = """def probe(worker):
    return worker.status()


def show(worker):
    state = probe(worker)
    return f"{worker.name}: {state}"
"""
PROBE_CACHED = """_CACHE = {}


def probe(worker):
    if worker.restarted:
        _CACHE.pop(worker.name, None)
    return _CACHE.setdefault(worker.name, worker.status())


def refresh_probe(worker, generation):
    cached_generation = _CACHE.get(("generation", worker.name), 0)
    if generation >= cached_generation:
        _CACHE[("generation", worker.name)] = generation
        _CACHE.pop(worker.name, None)
    return probe(worker)


def show(worker):
    state = probe(worker)
    return f"{worker.name}: {state}"
"""


def test_a_fix_written_on_top_of_another_lines_of_work_is_a_follow_up(repo: Repo) -> None:
    """crush: #169 guarded the caller of what bd232ea had fixed, and rewrote the generation
    check bd232ea had added next to it; squash-merged one after the other, eleven pairs of
    their symbols were reported as the same defect fixed twice."""
    start(repo, {"app/__init__.py": "", "app/probe.py": PROBE})
    guarded = (
        PROBE_CACHED.replace(
            "    if generation >= cached_generation:\n",
            "    if generation > cached_generation or worker.restarted:\n",
        )
        .replace(
            '        _CACHE[("generation", worker.name)] = generation\n',
            '        _CACHE[("generation", worker.name)] = max(generation, 0)\n',
        )
        .replace(
            "def show(worker):\n    state = probe(worker)\n",
            "def show(worker):\n    if worker.restarted:\n        _CACHE.pop(worker.name, None)\n"
            "    state = probe(worker)\n",
        )
    )
    landed = _double_fixes_after(
        repo,
        (
            "agent/cache",
            {"app/probe.py": PROBE_CACHED},
            "fix: stale probe results after a worker restart (#31)",
        ),
        (
            "agent/view",
            {"app/probe.py": guarded},
            "fix: stale probe results overwrite the view after a restart (#32)",
        ),
    )
    assert landed == []


WORKTREES = """import threading

_lock = threading.Lock()


def load_worktree(env_id):
    with _lock:
        path = f"/tmp/worktrees/{env_id}"
        return open_worktree(path, create=True)


def open_worktree(path, create):
    return {"path": path, "create": create}
"""

CALLERS = {
    "app/cli.py": "from app.worktrees import load_worktree\n\n\ndef checkout(env_id):\n"
    "    return load_worktree(env_id)\n",
    "app/server.py": "from app.worktrees import load_worktree\n\n\ndef handle(request):\n"
    '    return load_worktree(request["env"])\n',
    "app/export.py": "from app.worktrees import load_worktree\n\n\ndef export(env_id):\n"
    "    tree = load_worktree(env_id)\n    return tree['path']\n",
}

GET_WORKTREE = """

def get_worktree(env_id, ref="HEAD"):
    with _lock:
        path = f"/tmp/worktrees/{env_id}@{ref}"
        return open_worktree(path, create=False)
"""


def _moved_onto_get_worktree(repo: Repo) -> str:
    """Two of three callers of `load_worktree` moved onto a new `get_worktree` (#41,
    squash-merged), and the text of `app/worktrees.py` with `load_worktree` extended, for
    another line of work to land."""
    start(repo, {"app/__init__.py": "", "app/worktrees.py": WORKTREES, **CALLERS})
    replaced = WORKTREES + GET_WORKTREE
    squash(
        repo,
        "agent/refs",
        {
            "app/worktrees.py": replaced,
            "app/cli.py": CALLERS["app/cli.py"]
            .replace("import load_worktree", "import get_worktree")
            .replace("return load_worktree(", "return get_worktree("),
            "app/server.py": CALLERS["app/server.py"]
            .replace("import load_worktree", "import get_worktree")
            .replace("return load_worktree(", "return get_worktree("),
        },
        "feature: create environments from a git ref (#41)",
    )
    return replaced.replace(
        "        return open_worktree(path, create=True)\n",
        "        if not os.path.isdir(path):\n"
        "            os.makedirs(path, exist_ok=True)\n"
        "        return open_worktree(path, create=True)\n",
    ).replace("import threading\n", "import os\nimport threading\n")


@pytest.mark.parametrize("built_on_it", [True, False])
def test_work_that_changed_the_replacement_too_came_after_it(repo: Repo, built_on_it: bool) -> None:
    """dagger/container-use #273 moved most callers of `initializeWorktree` to a new
    `getWorktree`; #274, squash-merged an hour later, changed the lock both use. A change
    to the replacing branch's new code was written on top of it, knowing both: nothing
    diverged. A change to the old mechanism alone, squash-merged the same way, may not
    have known the replacement."""
    extended = _moved_onto_get_worktree(repo)
    if built_on_it:
        extended = extended.replace(
            "        return open_worktree(path, create=False)\n",
            "        if not os.path.isdir(path):\n"
            "            raise FileNotFoundError(path)\n"
            "        return open_worktree(path, create=False)\n",
        )
    squash(repo, "agent/locks", {"app/worktrees.py": extended}, "make worktree dirs (#42)")
    plan = run(Config(repo=repo.path, since="base"))
    assert bool(findings(plan, "divergence")) is not built_on_it, plan.findings


ENV_GO = """package environment

type Environment struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}
"""

CONFIG_FIELDS = (
    '\tWorkdir       string   `json:"workdir,omitempty"`\n'
    '\tBaseImage     string   `json:"base_image,omitempty"`\n'
    '\tSetupCommands []string `json:"setup_commands,omitempty"`\n'
    '\tSecrets       []string `json:"secrets,omitempty"`\n'
    '\tServices      []string `json:"services,omitempty"`\n'
)


@pytest.mark.parametrize("moved_out", [True, False])
def test_a_copy_whose_code_left_it_since_is_resolved(repo: Repo, moved_out: bool) -> None:
    """dagger/container-use: #71 gave `Environment` its configuration fields; #73 moved
    them into a new `EnvironmentConfig`. The two matched by those fields' tags, reported as
    one thing built twice, while at HEAD `Environment` holds none of them. A struct that
    still holds the fields beside their copy is still a copy."""
    # other code around, so that the fields' tags are rare in the code base
    others = {
        f"environment/{name}.go": (
            f"package environment\n\nfunc Describe{name.title()}(id string, verbose bool) string {{\n"
            f'\tlabel := "{name}: " + id\n\tif verbose {{\n\t\tlabel += " ({name} in detail)"\n\t}}\n'
            "\treturn label\n}\n"
        )
        for name in ("notes", "service", "state", "secret", "revision", "checkpoint")
    }
    start(repo, {"go.mod": "module example.com/cu\n", **others})
    with_fields = ENV_GO.replace('`json:"title"`\n', '`json:"title"`\n' + CONFIG_FIELDS)
    squash(
        repo, "agent/config", {"environment/environment.go": with_fields}, "feat: env config (#71)"
    )
    config = "package environment\n\ntype EnvironmentConfig struct {\n" + CONFIG_FIELDS + "}\n"
    edits = {"environment/config.go": config}
    if moved_out:
        edits["environment/environment.go"] = ENV_GO.replace(
            '`json:"title"`\n', '`json:"title"`\n\tConfig *EnvironmentConfig `json:"config"`\n'
        )
    squash(repo, "agent/split", edits, "refactor: split the environment's config (#73)")
    plan = run(Config(repo=repo.path, since="base"))
    assert bool(findings(plan, "duplicate")) is not moved_out, plan.findings
    if moved_out:
        resolved = [f for f in plan.findings if f.kind == "duplicate" and f.status == "resolved"]
        assert [f.resolved for f in resolved] == [
            "the code the copies shared is gone from one of them at HEAD"
        ], plan.findings


@pytest.mark.parametrize("wrapped", [True, False])
def test_a_mechanism_left_as_a_wrapper_of_its_replacement_diverges_no_more(
    repo: Repo, wrapped: bool
) -> None:
    """mcphost: #87 moved `GenerateWithLoop`'s body into a new streaming function and left
    it a three-line call to that function, so what #82 had added to it runs through the
    replacement. Reported as a divergence; at HEAD there is one mechanism under two names.
    An old mechanism that still does its own work beside the new one still diverges."""
    extended = _moved_onto_get_worktree(repo)
    squash(repo, "agent/locks", {"app/worktrees.py": extended}, "make worktree dirs (#42)")
    if wrapped:
        old = (
            "def load_worktree(env_id):\n    with _lock:\n"
            '        path = f"/tmp/worktrees/{env_id}"\n'
            "        if not os.path.isdir(path):\n"
            "            os.makedirs(path, exist_ok=True)\n"
            "        return open_worktree(path, create=True)\n"
        )
        assert old in extended
        squash(
            repo,
            "agent/one-loader",
            {
                "app/worktrees.py": extended.replace(
                    old, "def load_worktree(env_id):\n    return get_worktree(env_id)\n"
                )
            },
            "refactor: load through get_worktree (#43)",
        )
    plan = run(Config(repo=repo.path, since="base"))
    assert bool(findings(plan, "divergence")) is not wrapped, plan.findings

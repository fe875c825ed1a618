"""Work that saw other work is not parallel drift (issue 10, class 4), even where a squash
merge lost the fork point: a change that rewrites lines another wrote was written on top of
it, and a marker put back restores a replacement, it starts none."""

from __future__ import annotations

from idealize.config import Config
from idealize.pipeline import run
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
    squash(
        repo,
        "agent/separators",
        {"app/amounts.py": SEPARATORS},
        "fix: parse_amount rejects thousands separators (#21)",
    )
    squash(
        repo,
        "agent/none",
        {"app/amounts.py": GUARDED},
        "fix: parse_amount thousands separators crash on None (#22)",
    )
    plan = run(Config(repo=repo.path, since="base"))
    assert [f.title for f in plan.findings if f.kind == "double_fix"] == [], plan.findings


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

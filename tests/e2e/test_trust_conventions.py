"""Code alike by convention, not copied: data types of one name that hold other members,
and sample programs that each carry what they need. Both classes came from held-out
ranges judged on their first run (cloudflare/agents, microsoft/agent-framework)."""

from __future__ import annotations

import pytest

from tests.conftest import Repo
from tests.e2e.history import branch, findings, merge_all, start


def _worker(env: dict[str, str], agent: str) -> str:
    fields = "".join(f"  {name}: {kind};\n" for name, kind in env.items())
    return (
        f"type Env = {{\n{fields}}};\n\n"
        f"export class {agent} {{\n"
        "  constructor(private env: Env) {}\n\n"
        "  describe(): string {\n"
        f'    return "{agent}";\n'
        "  }\n"
        "}\n"
    )


CONFORMANCE = {
    "ConformanceHost": "DurableObjectNamespace<ConformanceAgent>",
    "EverythingMcpAgent": "DurableObjectNamespace<EverythingAgent>",
    "EverythingHandler": "DurableObjectNamespace<HandlerAgent>",
}
TEARDOWN = {
    "MCP_TEARDOWN": "DurableObjectNamespace<TeardownAgent>",
    "TEARDOWN_BUCKET": "DurableObjectNamespace<BucketAgent>",
    "TEARDOWN_QUEUE": "DurableObjectNamespace<QueueAgent>",
}


@pytest.mark.parametrize("same_members", [False, True])
def test_two_types_of_one_name_with_other_members_are_no_copy(
    repo: Repo, same_members: bool
) -> None:
    """cloudflare/agents: two workers' `type Env = {...}`, each listing its own bindings,
    shared 71% of their normalised shape and were reported as one thing. A type is what it
    holds: with the same members the two are one type written twice."""
    start(repo, {"README.md": "# workers\n"})
    second = CONFORMANCE if same_members else TEARDOWN
    branch(
        repo,
        "agent/conformance",
        {"conformance/worker.ts": _worker(CONFORMANCE, "ConformanceAgent")},
        "Run the conformance suite",
    )
    branch(
        repo,
        "agent/teardown",
        {"repro/teardown/server.ts": _worker(second, "TeardownAgent")},
        "Reproduce the teardown bug",
    )
    plan = merge_all(repo, "agent/conformance", "agent/teardown")
    env = [t for t in findings(plan, "duplicate") if "`Env`" in t]
    assert bool(env) is same_members, plan.findings

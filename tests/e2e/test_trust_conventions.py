"""Code alike by convention, not copied: data types of one name that hold other members,
and sample programs that each carry what they need. Both classes came from held-out
ranges judged on their first run (cloudflare/agents, microsoft/agent-framework)."""

from __future__ import annotations

import pytest

from tests.conftest import Repo
from tests.e2e.history import any_tier, branch, findings, merge_all, start


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


CLIENT_ENDPOINT = """from http import HTTPStatus

from ...types import Response


def _parse_response(*, client, response):
    if response.status_code == 200:
        return {kind}.from_dict(response.json())
    if response.status_code == 401:
        return Error.from_dict(response.json())
    if client.raise_on_unexpected_status:
        raise UnexpectedStatus(response.status_code, response.content)
    return None


def _build_response(*, client, response):
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )
"""


@pytest.mark.parametrize("marked", [True, False])
def test_generated_code_is_not_compared(repo: Repo, marked: bool) -> None:
    """e2b-dev/E2B: every finding of its first run was one endpoint of its generated
    OpenAPI client against another (`_parse_response`, `_build_response`). The repository
    says which code is generated (`linguist-generated` in `.gitattributes`); the same code
    unmarked is still a copy."""
    attributes = "sdk/client/** linguist-generated=true\n" if marked else "*.png binary\n"
    start(
        repo,
        {
            ".gitattributes": attributes,
            "sdk/client/api/get_sandboxes.py": CLIENT_ENDPOINT.format(kind="ListedSandbox"),
        },
    )
    branch(
        repo,
        "agent/volumes",
        {"sdk/client/api/get_volumes.py": CLIENT_ENDPOINT.format(kind="ListedVolume")},
        "Regenerate the client for volumes",
    )
    branch(
        repo,
        "agent/secrets",
        {"sdk/client/api/get_secrets.py": CLIENT_ENDPOINT.format(kind="ListedSecret")},
        "Regenerate the client for secrets",
    )
    plan = merge_all(repo, "agent/volumes", "agent/secrets")
    assert bool(findings(plan, "duplicate")) is not marked, plan.findings


@pytest.mark.parametrize("marked", [True, False])
def test_generated_code_on_the_target_is_not_compared_either(repo: Repo, marked: bool) -> None:
    """Generated code already on the target is known by `.gitattributes` (its header is not
    read, so that the whole tree is not): it is no copy to merge into, whatever a branch
    writes beside it, not even a lead. Unmarked, a branch's copy of it is one."""
    attributes = "sdk/client/api/get_*.py linguist-generated\n" if marked else "*.png binary\n"
    start(
        repo,
        {
            ".gitattributes": attributes,
            "sdk/client/api/get_sandboxes.py": CLIENT_ENDPOINT.format(kind="ListedSandbox"),
        },
    )
    branch(
        repo,
        "agent/cli",
        {"sdk/client/api/list_sandboxes.py": CLIENT_ENDPOINT.format(kind="ListedSandbox")},
        "List sandboxes from the CLI",
    )
    plan = merge_all(repo, "agent/cli")
    assert bool(any_tier(plan, "duplicate")) is not marked, plan.findings


def _schema(name: str, fields: tuple[str, ...]) -> str:
    keys = "".join(f"  {field}: z.string().min(1),\n" for field in fields)
    return (
        'import { z } from "zod";\n\n'
        f"export const {name}Schema = z.object({{\n{keys}  createdAt: z.number(),\n}});\n\n"
        f"export type {name} = z.infer<typeof {name}Schema>;\n"
    )


@pytest.mark.parametrize("same_fields", [False, True])
def test_two_schemas_of_one_shape_and_other_fields_are_no_copy(
    repo: Repo, same_fields: bool
) -> None:
    """langfuse: an approval decision's zod schema and a sandbox write's arguments shared
    89% of their normalised shape and no field but `z.string().min(1)`'s spelling; they were
    reported as one thing. With the same fields, the two schemas are one written twice."""
    start(repo, {"README.md": "# agent\n"})
    decision = ("toolCallId", "decidedByUserId", "reason", "channel")
    write = decision if same_fields else ("path", "content", "encoding", "workspace")
    branch(
        repo,
        "agent/approvals",
        {"src/agent/approvalEvents.ts": _schema("ApprovalDecision", decision)},
        "Record approval decisions",
    )
    branch(
        repo,
        "agent/sandbox",
        {"src/sandbox/schema.ts": _schema("SandboxWriteArgs", write)},
        "Let the agent write files",
    )
    plan = merge_all(repo, "agent/approvals", "agent/sandbox")
    assert bool(findings(plan, "duplicate")) is same_fields, plan.findings

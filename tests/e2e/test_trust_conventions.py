"""Code alike by convention, not copied: data types of one name that hold other members,
and sample programs that each carry what they need. Both classes came from held-out
ranges judged on their first run (cloudflare/agents, microsoft/agent-framework)."""

from __future__ import annotations

import pytest

from tests.conftest import Repo
from tests.e2e.history import any_tier, branch, findings, merge, merge_all, start


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


QUERY_CLIENT = '''class QueryClient:
    """Runs SQL against the project's records."""

    def __init__(self, token: str, base_url: str = "https://api.example.com") -> None:
        self.token = token
        self.base_url = base_url

    def query_json(self, sql: str, limit: int = 100) -> dict:
        """Rows of the query as JSON, at most `limit` of them."""
        response = self._client.get(
            "/v1/query", params={"sql": sql, "limit": limit, "json_rows": "true"}
        )
        response.raise_for_status()
        return response.json()

    def query_csv(self, sql: str, limit: int = 100) -> str:
        """Rows of the query as CSV."""
        response = self._client.get("/v1/query", params={"sql": sql, "limit": limit})
        response.raise_for_status()
        return response.text
'''


@pytest.mark.parametrize("stub", [True, False])
def test_a_type_stub_is_no_copy_of_the_module_it_declares(repo: Repo, stub: bool) -> None:
    """pydantic/logfire: 13 of the 18 items of its first run were a module and the `.pyi`
    stub of it that a release regenerates into a second package. A stub declares the code
    it mirrors; the same text in a `.py` file is a copy."""
    start(repo, {"README.md": "# sdk\n"})
    branch(repo, "agent/query", {"sdk/query_client.py": QUERY_CLIENT}, "Add a query client")
    mirror = "sdk-api/sdk_api/query_client.py" + ("i" if stub else "")
    branch(repo, "agent/release", {mirror: QUERY_CLIENT}, "Release v4.2")
    plan = merge_all(repo, "agent/query", "agent/release")
    assert bool(any_tier(plan, "duplicate")) is not stub, plan.findings


def _icon(name: str, drawing: str) -> str:
    return (
        f"export function {name}({{ className }}: {{ className?: string }}) {{\n"
        "  return (\n"
        "    <svg\n"
        "      className={className}\n"
        '      width="24"\n'
        '      height="24"\n'
        '      viewBox="0 0 24 24"\n'
        '      fill="none"\n'
        '      xmlns="http://www.w3.org/2000/svg"\n'
        "    >\n"
        "      <path\n"
        f'        d="{drawing}"\n'
        '        stroke="currentColor"\n'
        '        strokeWidth="2"\n'
        '        strokeLinecap="round"\n'
        '        strokeLinejoin="round"\n'
        "      />\n"
        f'      <circle cx="12" cy="12" r="{len(drawing) % 7 + 2}" fill="currentColor" />\n'
        "    </svg>\n"
        "  );\n"
        "}\n"
    )


MOON = (
    "M20.96 12.77C19.84 13.54 18.47 14 17 14C13.13 14 10 10.87 10 7C10 5.53 10.45 4.16 11.23 3.03"
)
SUN = "M12 3V5M12 19V21M4.22 4.22L5.64 5.64M18.36 18.36L19.78 19.78M3 12H5M19 12H21M6 18L4.2 19.8"
BEAKER = "M9 3H15M10 3V9L4.5 18.5C4 19.4 4.6 20.5 5.6 20.5H18.4C19.4 20.5 20 19.4 19.5 18.5L14 9V3"


@pytest.mark.parametrize("same_drawing", [False, True])
def test_two_icons_of_one_template_are_no_copy(repo: Repo, same_drawing: bool) -> None:
    """triggerdotdev/trigger.dev: four findings were SVG icon components, each of one
    template (an `<svg>` with a stroked path) and its own drawing, 98-100% alike once the
    literals were normalised away. The template is a convention; one drawing twice is a
    copy."""
    start(repo, {"app/icons/BeakerIcon.tsx": _icon("BeakerIcon", BEAKER)})
    branch(repo, "agent/theme", {"app/icons/MoonIcon.tsx": _icon("MoonIcon", MOON)}, "Dark theme")
    drawing = MOON if same_drawing else SUN
    branch(repo, "agent/light", {"app/icons/SunIcon.tsx": _icon("SunIcon", drawing)}, "Light theme")
    plan = merge_all(repo, "agent/theme", "agent/light")
    assert bool(findings(plan, "duplicate")) is same_drawing, plan.findings


def _route(name: str, what: str, table: str) -> str:
    return (
        'import { json, type LoaderFunctionArgs } from "@remix-run/server-runtime";\n'
        'import { z } from "zod";\n'
        'import { prisma } from "~/db.server";\n'
        'import { authenticateApiRequestWithPersonalAccessToken } from "~/services/pat.server";\n\n'
        "const ParamsSchema = z.object({ projectRef: z.string() });\n\n"
        f"export async function {name}({{ request, params }}: LoaderFunctionArgs) {{\n"
        "  const authenticationResult = await authenticateApiRequestWithPersonalAccessToken(request);\n"
        "  if (!authenticationResult) {\n"
        '    return json({ error: "Invalid or Missing Access Token" }, { status: 401 });\n'
        "  }\n"
        "  const parsedParams = ParamsSchema.safeParse(params);\n"
        "  if (!parsedParams.success) {\n"
        '    return json({ error: "Invalid Params" }, { status: 400 });\n'
        "  }\n"
        f"  const {what} = await prisma.{table}.findFirst({{\n"
        "    where: { project: { externalRef: parsedParams.data.projectRef } },\n"
        "  });\n"
        f"  if (!{what}) {{\n"
        f'    return json({{ error: "{what} not found" }}, {{ status: 404 }});\n'
        "  }\n"
        f"  return json({what});\n"
        "}\n"
    )


@pytest.mark.parametrize("name", ["loader", "readProject"])
def test_two_routes_named_by_their_framework_are_not_named_alike(repo: Repo, name: str) -> None:
    """trigger.dev: every Remix route module exports a `loader`; two routes that share only
    the token check and the parameter parsing were reported as one thing by that name. A
    name the framework requires tells nothing; the same code under a name of one's own
    (`readProject` twice) is still read as a copy."""
    start(
        repo,
        {
            "app/routes/api.v1.projects.$projectRef.snapshot.ts": _route(
                name, "snapshot", "repoSnapshot"
            )
        },
    )
    branch(
        repo,
        "agent/env",
        {
            "app/routes/api.v1.projects.$projectRef.$env.ts": _route(
                name, "environment", "runtimeEnvironment"
            )
        },
        "Read a project's environment",
    )
    plan = merge_all(repo, "agent/env")
    assert bool(findings(plan, "duplicate")) is (name != "loader"), plan.findings


def _statuses(name: str, values: tuple[str, ...]) -> str:
    listed = "".join(f'  "{v}",\n' for v in values)
    return f"export const {name}: string[] = [\n{listed}];\n\nexport const count = {name}.length;\n"


ATTEMPTS = ("PENDING", "EXECUTING", "PAUSED", "FAILED", "CANCELED", "COMPLETED", "RETRYING")
DELIVERIES = ("QUEUED", "DELIVERING", "FAILED", "CANCELED", "DELIVERED", "DROPPED", "BOUNCED")


@pytest.mark.parametrize("same_values", [False, True])
def test_two_lists_of_mostly_other_values_are_no_copy(repo: Repo, same_values: bool) -> None:
    """trigger.dev: the statuses a webhook delivery can have, a run attempt's and a failed
    deployment's were reported as one thing, for sharing `FAILED` and `CANCELED` in one
    shape. A list is its values; the same values listed twice are one list."""
    # other code around, so that what the lists share is rare in the code base
    start(
        repo,
        {
            f"app/{name}.ts": f"export function {name}Label(id: string, long: boolean): string {{\n"
            f'  const label = "{name}:" + id;\n  return long ? label + " ({name})" : label;\n}}\n'
            for name in ("queue", "batch", "deploy", "schedule", "token", "project")
        },
    )
    branch(
        repo,
        "agent/storybook",
        {"app/storybook/colors.ts": _statuses("ATTEMPT_STATUSES", ATTEMPTS)},
        "Storybook: status colours",
    )
    listed = ATTEMPTS if same_values else DELIVERIES
    branch(
        repo,
        "agent/webhooks",
        {"app/webhooks/live.ts": _statuses("DELIVERY_STATUSES", listed)},
        "Live reload of webhook deliveries",
    )
    plan = merge_all(repo, "agent/storybook", "agent/webhooks")
    assert bool(findings(plan, "duplicate")) is same_values, plan.findings


def _plugin(n: int) -> str:
    return (
        "export const handler = async (context: PluginContext) => {\n"
        f"  const limit = context.parameters.limit{n} ?? {n};\n"
        f"  return {{ verdict: context.text.length < limit, plugin: 'plugin{n}' }};\n"
        "};\n"
    )


@pytest.mark.parametrize("others", [2, 10])
def test_a_name_many_files_define_is_the_code_bases_convention(repo: Repo, others: int) -> None:
    """Portkey's gateway: every plugin exports a `handler`, and three plugins that share only
    the guardrail skeleton were one finding by that name. A name ten or more files define
    is the code base's convention: what shares it is a lead, not a finding."""
    plugins = {f"plugins/p{n}/check.ts": _plugin(n) for n in range(others)}
    start(
        repo,
        {**plugins, "plugins/default/snapshot.ts": _route("handler", "snapshot", "repoSnapshot")},
    )
    branch(
        repo,
        "agent/env",
        {"plugins/default/environment.ts": _route("handler", "environment", "runtimeEnvironment")},
        "Read a project's environment",
    )
    plan = merge_all(repo, "agent/env")
    assert bool(findings(plan, "duplicate")) is (others < 10), plan.findings
    assert any_tier(plan, "duplicate"), "the copy is still a lead"


SIGNED_URL = '''import hashlib
import hmac
import time


def signed_download_url(bucket, key, secret, ttl=900):
    """A download link that expires."""
    if not bucket or not key:
        raise ValueError("a bucket and a key are needed")
    if ttl <= 0 or ttl > 7 * 24 * 3600:
        raise ValueError(f"ttl out of range: {ttl}")
    expires = int(time.time()) + ttl
    payload = f"{bucket}/{key}:{expires}".encode()
    signature = hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
    query = f"expires={expires}&sig={signature}&alg=hmac-sha256"
    host = f"{bucket}.storage.example.com"
    return f"https://{host}/{key}?{query}"
'''

COPIED_URL = SIGNED_URL.replace("signed_download_url", "presign_object").replace(
    "A download link that expires.", "A link to one object, valid for a while."
)

REWRITTEN_URL = '''import time

from storage.client import client_for


def presign_object(bucket, key, secret, ttl=900):
    """Ask the storage service for a link; it signs with the bucket's own key."""
    client = client_for(bucket)
    if client.supports_presign:
        return client.presign(key, expires_in=ttl)
    raise RuntimeError(f"{bucket} cannot presign {key} before {int(time.time()) + ttl}")
'''


@pytest.mark.parametrize("rewritten", [True, False], ids=["moved-and-rewritten", "moved-as-is"])
def test_a_copy_moved_and_rewritten_is_no_longer_the_copy(repo: Repo, rewritten: bool) -> None:
    """awslabs/mcp: #3801 wrote a one-line `_resolve_region` like other servers' helpers;
    #4021 deleted its file, and the parent module's `_resolve_region`, a longer function
    that also reads the profile, was taken for the moved copy with the one-liner's evidence.
    A copy moved as it was is still the copy."""
    start(repo, {"exports/__init__.py": "", "exports/links.py": SIGNED_URL})
    branch(
        repo,
        "agent/exports",
        {
            "exports/__init__.py": "",
            "exports/tools/__init__.py": "",
            "exports/tools/urls.py": COPIED_URL,
        },
        "Export links",
    )
    merge(repo, "agent/exports")
    moved = REWRITTEN_URL if rewritten else COPIED_URL
    branch(
        repo,
        "agent/flatten",
        {"exports/tools/urls.py": None, "exports/urls.py": moved},
        "Flatten the exports package",
        start="main",
    )
    plan = merge_all(repo, "agent/flatten")
    assert bool(findings(plan, "duplicate")) is not rewritten, plan.findings


IMAGE_MODEL = """import { z } from "zod";

// Minimal schema focused on what the implementation needs.
const imageResponseSchema = z.object({
  data: z.array(z.object({ b64_json: z.string() })),
{usage}});

export type ImageResponse = z.infer<typeof imageResponseSchema>;
"""

CHAT_USAGE = """    prompt_tokens: z.number().nullish(),
    completion_tokens: z.number().nullish(),
    cached_tokens: z.number().nullish(),
    total_tokens: z.number().nullish(),
    prompt_tokens_details: z
      .object({
        cached_tokens: z.number().nullish(),
      })
      .nullish(),
    completion_tokens_details: z
      .object({
        reasoning_tokens: z.number().nullish(),
      })
      .nullish(),
"""

IMAGE_USAGE = """    output_tokens: z.number().nullish(),
    total_tokens: z.number().nullish(),
"""


@pytest.mark.parametrize("same_fields", [False, True])
def test_a_schema_that_gained_other_members_is_no_copy(repo: Repo, same_fields: bool) -> None:
    """vercel/ai (held out, judged on its first run): #17997 added a `usage` object of output
    tokens to ByteDance's image response schema, #18449 wrote MoonshotAI's chat token usage
    schema; compared by the added lines (83% of one shape, `z.number().nullish()` spelled
    alike), they were reported as one thing. A modified schema declares what its added
    lines declare; the same members added are a copy."""
    fields = CHAT_USAGE if same_fields else IMAGE_USAGE
    usage = "  usage: z\n    .object({\n" + fields.replace("\n    ", "\n      ")
    usage = usage.replace("  usage: z\n    .object({\n    ", "  usage: z\n    .object({\n      ")
    usage += "    })\n    .nullish(),\n"
    start(repo, {"src/image-model.ts": IMAGE_MODEL.replace("{usage}", "")})
    branch(
        repo,
        "agent/usage",
        {"src/image-model.ts": IMAGE_MODEL.replace("{usage}", usage)},
        "Report image token usage",
    )
    chat = (
        'import { z } from "zod";\n\n// Limited versions focused on what the code needs.\n\n'
        f"const tokenUsageSchema = z\n  .object({{\n{CHAT_USAGE}  }})\n  .nullish();\n\n"
        "export type ChatTokenUsage = z.infer<typeof tokenUsageSchema>;\n"
    )
    branch(repo, "agent/chat", {"src/chat-api-types.ts": chat}, "Chat API types")
    plan = merge_all(repo, "agent/usage", "agent/chat")
    assert bool(findings(plan, "duplicate")) is same_fields, plan.findings


TEAMS = '''class {name}(BaseTeam):
    """{summary}

    Example:

    .. code-block:: python

        import asyncio
{example}    """

    def __init__(self, members, termination=None):
        super().__init__(members, termination)
        self._turn = 0

    def {pick}(self, history):
        {body}
'''

USAGE = """
        async def main() -> None:
            model_client = OpenAIChatCompletionClient(model="team-model")
            assistant = AssistantAgent("assistant", model_client=model_client)
            critic = AssistantAgent("critic", model_client=model_client)
            termination = TextMentionTermination("TERMINATE")
            team = {name}([assistant, critic], termination_condition=termination)
            await Console(team.run_stream(task="Write a poem about the sea."))
            config = team.dump_component()
            restored = {name}.load_component(config)
            await Console(restored.run_stream(task="Again."))

        asyncio.run(main())
"""


def _team(name: str, summary: str, pick: str, body: str, example: str = "") -> str:
    return TEAMS.format(name=name, summary=summary, pick=pick, body=body, example=example)


def test_examples_added_to_two_docstrings_are_no_copy(repo: Repo) -> None:
    """microsoft/autogen: two PRs each added a usage example to a team class's docstring
    (`AssistantAgent(...)`, `Console(...)`, `"TERMINATE"`); the lines a branch adds inside
    a docstring read as code on their own, and two different teams were "the same thing"
    (judged FALSE). What a modified definition is compared by is its added code."""
    round_robin = ("RoundRobinTeam", "Members speak in turn.", "next_speaker")
    selector = ("SelectorTeam", "A model picks who speaks next.", "select_speaker")
    rr_body = (
        "self._turn = (self._turn + 1) % len(self.members)\n        return self.members[self._turn]"
    )
    sel_body = "return self.model.choose(self.members, history) or self.members[0]"
    start(
        repo,
        {
            "teams/round_robin.py": _team(*round_robin, rr_body),
            "teams/selector.py": _team(*selector, sel_body),
        },
    )
    branch(
        repo,
        "agent/rr-docs",
        {"teams/round_robin.py": _team(*round_robin, rr_body, USAGE.format(name="RoundRobinTeam"))},
        "Document how to run a round-robin team",
    )
    branch(
        repo,
        "agent/selector-docs",
        {"teams/selector.py": _team(*selector, sel_body, USAGE.format(name="SelectorTeam"))},
        "Document how to run a selector team",
    )
    plan = merge_all(repo, "agent/rr-docs", "agent/selector-docs")
    assert not any_tier(plan, "duplicate"), plan.findings

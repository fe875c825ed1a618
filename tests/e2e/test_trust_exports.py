"""Phantom dependencies that are not: a name moved behind a re-export, a member inherited
from a type the repository does not hold, a field whose declaration changed form. Each
case is one class of FALSE phantom seen on cloudflare/agents (a held-out range judged on
its first run: all six of its phantoms were wrong)."""

from __future__ import annotations

import pytest

from tests.conftest import Repo
from tests.e2e.history import any_tier, branch, findings, merge_all, start

LEGACY_TS = """export class McpAgent {
  name = "mcp";

  serve(path: string): string {
    return `${this.name}:${path}`;
  }
}
"""

LEGACY_PY = """class McpAgent:
    name = "mcp"

    def serve(self, path):
        return f"{self.name}:{path}"
"""

# (language, the package's index file, its star re-export, the new module, an importer)
BARRELS = {
    "typescript": (
        "src/mcp/index.ts",
        'export * from "./legacy-agent";\nexport const VERSION = "2";\n',
        "src/mcp/legacy-agent.ts",
        LEGACY_TS,
        "src/serve.ts",
        'import { McpAgent } from "./mcp";\n\n'
        "export function serveAll(agent: McpAgent): string {\n"
        '  return agent.serve("/all");\n'
        "}\n",
    ),
    "python": (
        "app/mcp/__init__.py",
        'from .legacy_agent import *\n\nVERSION = "2"\n',
        "app/mcp/legacy_agent.py",
        LEGACY_PY,
        "app/serve.py",
        "from app.mcp import McpAgent\n\n\ndef serve_all(agent: McpAgent):\n"
        '    return agent.serve("/all")\n',
    ),
}


@pytest.mark.parametrize("language", sorted(BARRELS))
def test_a_class_moved_behind_a_star_re_export_still_resolves(repo: Repo, language: str) -> None:
    """cloudflare/agents #1557 moved `McpAgent` out of `mcp/index.ts` into
    `mcp/legacy-agent.ts` and made the index `export * from "./legacy-agent"`; forty
    imports of `McpAgent` from `./mcp` were reported as broken. Python's
    `from .legacy_agent import *` in a package's `__init__.py` is the same."""
    index, barrel, moved, moved_text, user, user_text = BARRELS[language]
    first = LEGACY_TS if language == "typescript" else LEGACY_PY
    start(repo, {index: first, user: user_text})
    branch(repo, "agent/legacy", {index: barrel, moved: moved_text}, "Move the legacy agent")
    importer = user.replace("serve", "route")
    branch(repo, "agent/route", {importer: user_text.replace("serve", "route")}, "Route agents")
    plan = merge_all(repo, "agent/legacy", "agent/route")
    assert any_tier(plan, "phantom_dependency") == [], plan.findings


ROUTING_INDEX = """export function getAgentByName(name: string): string {
  return `agent:${name.toLowerCase()}`;
}

export function routeAgentRequest(path: string): string {
  return getAgentByName(path.split("/")[1] ?? "");
}
"""

ROUTING_MOVED = """export function getAgentByName(name: string): string {
  return `agent:${name.toLowerCase()}`;
}

export function routeAgentRequest(path: string): string {
  return getAgentByName(path.split("/")[1] ?? "");
}
"""

NAMESPACE_TEST = """import * as indexModule from "../index";

export function checkRouting(): boolean {
  const original = indexModule.getAgentByName;
  return original("A") === "agent:a";
}
"""


def test_a_function_moved_and_re_exported_by_name_still_resolves(repo: Repo) -> None:
    """cloudflare/agents #2133 moved `getAgentByName` from `index.ts` to
    `agent-routing.ts`, and `index.ts` imports it and re-exports it by name; a test reading
    `indexModule.getAgentByName` through `import * as indexModule` was reported as broken."""
    start(repo, {"src/index.ts": ROUTING_INDEX, "src/tests/routing.test.ts": NAMESPACE_TEST})
    branch(
        repo,
        "agent/routing",
        {
            "src/index.ts": (
                'import { getAgentByName, routeAgentRequest } from "./agent-routing";\n\n'
                "export { getAgentByName, routeAgentRequest };\n"
            ),
            "src/agent-routing.ts": ROUTING_MOVED,
        },
        "Keep routing in one module",
    )
    branch(
        repo,
        "agent/jurisdiction",
        {"src/tests/jurisdiction.test.ts": NAMESPACE_TEST.replace("checkRouting", "checkEU")},
        "Test jurisdictions",
    )
    plan = merge_all(repo, "agent/routing", "agent/jurisdiction")
    assert any_tier(plan, "phantom_dependency") == [], plan.findings


TRANSPORT = """export interface WorkerTransportOptions {
  sessionIdGenerator?: () => string;
  enableJsonResponse?: boolean;
  onsessionclosed?: (sessionId: string) => void;
}

export class WorkerTransport {
  constructor(private options: WorkerTransportOptions) {}

  start(): string {
    return this.options.sessionIdGenerator?.() ?? "session";
  }
}
"""

TRANSPORT_ON_THE_SDK = """import type { StreamableOptions } from "@modelcontextprotocol/sdk/server";

export interface WorkerTransportOptions extends StreamableOptions {
  sessionIdGenerator?: () => string;
}

export class WorkerTransport {
  constructor(private options: WorkerTransportOptions) {}

  start(): string {
    return this.options.sessionIdGenerator?.() ?? "session";
  }
}
"""

TRANSPORT_TEST = """import { WorkerTransport, type WorkerTransportOptions } from "../transport";

export function makeTransport(): WorkerTransport {
  const options: WorkerTransportOptions = {
    enableJsonResponse: true,
    onsessionclosed: (sessionId: string) => {
      console.log(sessionId);
    },
  };
  return new WorkerTransport(options);
}
"""


@pytest.mark.parametrize("base", ["package", "local"])
def test_a_member_inherited_from_a_package_type_is_no_finding(repo: Repo, base: str) -> None:
    """cloudflare/agents #1701 made `WorkerTransportOptions` extend the MCP SDK's options
    type and dropped the members that type declares; tests still passing
    `enableJsonResponse` were reported as broken. What a type outside the repository
    declares cannot be read here: at most a lead. When the new base is the repository's
    own, a member none of them declares is gone: still a finding."""
    rewritten = TRANSPORT_ON_THE_SDK
    if base == "local":
        rewritten = rewritten.replace(
            'import type { StreamableOptions } from "@modelcontextprotocol/sdk/server";\n',
            "export interface StreamableOptions {\n  retries?: number;\n}\n",
        )
    start(repo, {"src/transport.ts": TRANSPORT, "src/tests/transport.test.ts": TRANSPORT_TEST})
    branch(repo, "agent/sdk", {"src/transport.ts": rewritten}, "Build on the stream options")
    branch(
        repo,
        "agent/json",
        {"src/tests/json.test.ts": TRANSPORT_TEST.replace("makeTransport", "makeJson")},
        "Test JSON responses",
    )
    plan = merge_all(repo, "agent/sdk", "agent/json")
    broken = findings(plan, "phantom_dependency")
    assert any("enableJsonResponse" in t for t in broken) is (base == "local"), plan.findings


CONNECTION = """export class ClientConnection {
  private readonly _elicitationEnabled: boolean;

  constructor(enabled: boolean) {
    this._elicitationEnabled = enabled;
  }

  canElicit(): boolean {
    return this._elicitationEnabled;
  }
}
"""

CONNECTION_INITIALISED = """export class ClientConnection {
  private _elicitationEnabled = false;

  constructor(enabled: boolean) {
    this._elicitationEnabled = enabled;
  }

  canElicit(): boolean {
    return this._elicitationEnabled;
  }

  enable(): void {
    this._elicitationEnabled = true;
  }
}
"""


def test_a_field_given_an_initialiser_instead_of_a_type_is_still_there(repo: Repo) -> None:
    """cloudflare/agents #1911 turned `private readonly _elicitationEnabled: boolean` into
    `private _elicitationEnabled = false`; every use of the field was reported as broken."""
    start(repo, {"src/connection.ts": CONNECTION})
    branch(
        repo, "agent/mutable", {"src/connection.ts": CONNECTION_INITIALISED}, "Toggle elicitation"
    )
    uses = (
        'import { ClientConnection } from "./connection";\n\n'
        "export function elicit(connection: ClientConnection): boolean {\n"
        "  return connection.canElicit();\n"
        "}\n"
    )
    branch(repo, "agent/elicit", {"src/elicit.ts": uses}, "Elicit")
    plan = merge_all(repo, "agent/mutable", "agent/elicit")
    assert any_tier(plan, "phantom_dependency") == [], plan.findings


DURABLE = """class DurableAgent:
    def __init__(self, agent):
        self.agent = agent

    def run(self, prompt):
        return self.agent.run(prompt)
"""

CORE_PYPROJECT = """[project]
name = "agent-core"
version = "1.0.0"
dependencies = [
    "httpx>=0.27",
{extra}]
"""

SHIM = """from durable_ext import DurableAgent


def make_durable(agent):
    return DurableAgent(agent)
"""


@pytest.mark.parametrize("declared", [True, False])
def test_a_package_moved_out_of_the_repository_and_depended_on_still_resolves(
    repo: Repo, declared: bool
) -> None:
    """microsoft/agent-framework #7465 moved its `durabletask` workspace package to a
    repository of its own, and the core package kept depending on it; the core's imports
    of it were reported as broken. The import means the installed distribution when a
    manifest declares it (under either spelling), and is broken when none does."""
    extra = '    "durable-ext>=1.0",\n' if declared else ""
    start(
        repo,
        {
            "core/pyproject.toml": CORE_PYPROJECT.format(extra=extra),
            "core/agent_core/__init__.py": "",
            "core/agent_core/durable.py": SHIM,
            "durable/pyproject.toml": '[project]\nname = "durable-ext"\nversion = "1.0.0"\n',
            "durable/durable_ext/__init__.py": DURABLE,
        },
    )
    branch(
        repo,
        "agent/extract",
        {"durable": None},
        "Move the durable extension to its own repository",
    )
    branch(
        repo,
        "agent/retry",
        {"core/agent_core/retry.py": SHIM.replace("make_durable", "make_retrying")},
        "Retry durable agents",
    )
    plan = merge_all(repo, "agent/extract", "agent/retry")
    broken = findings(plan, "phantom_dependency")
    assert (broken == []) is declared, plan.findings


WARM_POOL = """export class WarmPool {
  private started = 0;

  now(): number {
    return this.started;
  }

  persist(): void {
    this.started = 0;
  }
}
"""


@pytest.mark.parametrize("receiver", ["Date", "pool"])
def test_a_runtime_globals_member_is_no_use_of_a_removed_method(repo: Repo, receiver: str) -> None:
    """cloudflare/agents #1889 removed `WarmPool.now`; 443 calls of `Date.now()` were listed
    as its uses. `Date`, `Math`, `JSON`, `console` and the like are the runtime's own; a
    call on some other object (`pool.now()`) may still mean the removed method."""
    start(
        repo,
        {
            "src/pool.ts": WARM_POOL,
            "src/clock.ts": f"export function stamp(pool: any): number {{\n"
            f"  return {receiver}.now() + 1;\n}}\n",
        },
    )
    branch(
        repo,
        "agent/pool",
        {
            "src/pool.ts": WARM_POOL.replace(
                "  now(): number {\n    return this.started;\n  }\n\n", ""
            )
        },
        "Drop the pool's clock",
    )
    branch(repo, "agent/docs", {"README.md": "# pool\n"}, "Docs")
    plan = merge_all(repo, "agent/pool", "agent/docs")
    assert bool(any_tier(plan, "phantom_dependency")) is (receiver == "pool"), plan.findings


GO_REPO = """package repository

import "path/filepath"

type Repository struct {
	root string
}

func (r *Repository) worktreePath(id string) string {
	return filepath.Join(r.root, "worktrees", id)
}

func (r *Repository) Open(id string) string {
	return r.worktreePath(id)
}
"""


@pytest.mark.parametrize("use", ["local", "method"])
def test_a_local_variable_is_no_use_of_a_removed_method(repo: Repo, use: str) -> None:
    """dagger/container-use #180 renamed `Repository.worktreePath`; the local variables
    named `worktreePath` in other functions were listed as its uses. A Go method is reached
    through a value (`r.worktreePath(id)`), never by its bare name."""
    caller = (
        "func (r *Repository) Export(id string) string {\n"
        + (
            '\tworktreePath := filepath.Join(r.root, "exports", id)\n\treturn worktreePath\n'
            if use == "local"
            else "\treturn r.worktreePath(id)\n"
        )
        + "}\n"
    )
    start(repo, {"go.mod": "module example.com/cu\n", "repository/git.go": GO_REPO})
    branch(
        repo,
        "agent/rename",
        {
            "repository/git.go": GO_REPO.replace("worktreePath(", "WorktreePath(").replace(
                "r.worktreePath", "r.WorktreePath"
            )
        },
        "Export the worktree path",
    )
    branch(
        repo, "agent/export", {"repository/export.go": GO_REPO.split("type")[0] + caller}, "Export"
    )
    plan = merge_all(repo, "agent/rename", "agent/export")
    assert bool(any_tier(plan, "phantom_dependency")) is (use == "method"), plan.findings


TS_AUTH = """export class AuthCommand {
  constructor(private readonly store: TokenStore) {}

  isAuthenticated(): boolean {
    return this.store.token() !== undefined;
  }

  async run(): Promise<void> {
    console.log(this.isAuthenticated() ? "logged in" : "logged out");
  }
}
"""


@pytest.mark.parametrize("use", ["local", "field", "method"])
def test_a_local_or_a_field_is_no_use_of_a_removed_typescript_method(repo: Repo, use: str) -> None:
    """claude-task-master #1217 removed `AuthCommand.isAuthenticated()`; the local variables
    and object fields named `isAuthenticated` elsewhere were listed as its uses. A class's
    method is reached through a value (`command.isAuthenticated()`), in TypeScript as in Go."""
    body = {
        "local": "  const isAuthenticated = await session.check();\n  return isAuthenticated;\n",
        "field": "  return { isAuthenticated: await session.check(), user: session.user };\n",
        "method": "  return command.isAuthenticated();\n",
    }[use]
    caller = (
        'import { AuthCommand } from "./auth";\n\n'
        "export async function status(command: AuthCommand, session: Session) {\n" + body + "}\n"
    )
    start(repo, {"package.json": '{"name": "tm"}\n', "src/auth.ts": TS_AUTH})
    branch(
        repo,
        "agent/auth",
        {
            "src/auth.ts": TS_AUTH.replace("isAuthenticated()", "hasToken()").replace(
                "this.isAuthenticated()", "this.hasToken()"
            )
        },
        "Name the token check for what it checks",
    )
    branch(repo, "agent/status", {"src/status.ts": caller}, "A status command")
    plan = merge_all(repo, "agent/auth", "agent/status")
    assert bool(any_tier(plan, "phantom_dependency")) is (use == "method"), plan.findings


CAPABILITIES = """export const capabilities = {
  roots: true,
  sampling: false,
};

export function describe(): string {
  return JSON.stringify(capabilities);
}
"""

# (what the other file does with the word, and whether that is a use of the constant)
USES_OF_A_WORD = {
    "an-object-key": (
        'import { Client } from "./client";\n\n'
        "export function connect(): Client {\n"
        "  return new Client({ name: 'test' }, { capabilities: { roots: {} } });\n}\n",
        False,
    ),
    "a-whole-module": (
        'const capabilities = require("./capabilities.json");\n\n'
        "export function roots(): boolean {\n  return capabilities.roots;\n}\n",
        False,
    ),
    "destructured": (
        'import { makeConfig } from "./client";\n\n'
        "const { name, capabilities } = makeConfig();\n\n"
        "export function roots(): boolean {\n  return capabilities.roots && name !== '';\n}\n",
        False,
    ),
    "imported-and-used": (
        'import { capabilities } from "./config";\n\n'
        "export function roots(): object {\n  return { capabilities };\n}\n",
        True,
    ),
}


@pytest.mark.parametrize("how", sorted(USES_OF_A_WORD))
def test_a_word_the_file_binds_itself_is_no_use_of_a_removed_constant(repo: Repo, how: str) -> None:
    """microsoft/playwright-mcp: a removed `capabilities` constant was "used" by an object's
    key `{ capabilities: {...} }`, and a removed `packageJSON` by a file's own
    `const packageJSON = require('./package.json')`; on VoltAgent, schemas a file unpacks
    itself (`const { ErrorSchema } = createServerCoreSchemas(z)`) were read as uses of the
    removed constants. An import of the constant, used by its name, still is one."""
    text, used = USES_OF_A_WORD[how]
    start(
        repo,
        {
            "src/config.ts": CAPABILITIES,
            "src/client.ts": "export class Client {\n  constructor(a: object, b: object) {}\n}\n"
            "export function makeConfig(): any {\n  return {};\n}\n",
            "src/capabilities.json": '{"roots": true}\n',
            "src/connect.ts": text,
        },
    )
    branch(
        repo,
        "agent/no-constant",
        {
            "src/config.ts": CAPABILITIES.replace(
                "export const capabilities = {\n  roots: true,\n  sampling: false,\n};\n\n", ""
            ).replace("JSON.stringify(capabilities)", '"roots"')
        },
        "Describe without a constant",
    )
    branch(repo, "agent/docs", {"README.md": "# client\n"}, "Docs")
    plan = merge_all(repo, "agent/no-constant", "agent/docs")
    assert bool(any_tier(plan, "phantom_dependency")) is used, plan.findings


ELASTIC = """package tools

type ElasticsearchClient struct {
	url string
}

func (c *ElasticsearchClient) search(query string) string {
	return c.url + "/_search?q=" + query
}

func (c *ElasticsearchClient) Find(query string) string {
	return c.search(query)
}
"""

FLAGS = """package main

type disabledTools struct {
	{fields}
}

func enabled(dt disabledTools, run func(string) string) []string {
	if !dt.{word} {
		return []string{run("x")}
	}
	return nil
}
"""


@pytest.mark.parametrize("declared", [True, False], ids=["a-field", "no-field"])
def test_a_field_read_is_no_use_of_a_removed_method_of_that_name(
    repo: Repo, declared: bool
) -> None:
    """grafana/mcp-grafana #669 removed the method `ElasticsearchClient.search`; the flag
    field `dt.search` of another struct, read and never called, was listed as its use.
    Where no type declares such a field, the read may still be a method value."""
    fields = "search bool\n\tdocs bool" if declared else "docs bool"
    start(
        repo,
        {
            "go.mod": "module example.com/grafana\n\ngo 1.22\n",
            "tools/elastic.go": ELASTIC,
            "cmd/main.go": FLAGS.replace("{fields}", fields).replace("{word}", "search"),
        },
    )
    branch(
        repo,
        "agent/query",
        {"tools/elastic.go": ELASTIC.replace("search(query", "query(query")},
        "Name the search request a query",
    )
    branch(repo, "agent/docs", {"README.md": "# tools\n"}, "Docs")
    plan = merge_all(repo, "agent/query", "agent/docs")
    assert bool(any_tier(plan, "phantom_dependency")) is not declared, plan.findings


EVENT_STATE = """export interface EventState {
  stepNamespace?: string;
  messages: string[];
}

export function fresh(): EventState {
  return { messages: [] };
}
"""

# (how the other branch's file mentions the removed field's name, whether that is a use)
FIELD_NAME_MENTIONS = {
    # a parameter on its own line of a long signature: a line alone reads like an object key
    "parameter-line": (
        "export function closeStep(\n"
        "  state: EventState,\n"
        "  stepNamespace: string,\n"
        "): string {\n"
        "  return state.messages.join(stepNamespace);\n"
        "}\n",
        False,
    ),
    # the spread of a variable of that name
    "spread": (
        "export function closeStep(state: EventState, stepNamespace: Parts) {\n"
        "  return { ...stepNamespace.parts, count: state.messages.length };\n"
        "}\n",
        False,
    ),
    "member-read": (
        "export function closeStep(state: EventState): string {\n"
        '  return state.stepNamespace ?? "";\n'
        "}\n",
        True,
    ),
}


@pytest.mark.parametrize("mention", sorted(FIELD_NAME_MENTIONS))
def test_a_parameter_or_a_spread_variable_is_no_use_of_a_removed_field(
    repo: Repo, mention: str
) -> None:
    """vercel/ai (held out, judged on its first run): #18837 removed
    `LangGraphEventState.stepNamespace`, and a signature's `stepNamespace: string,` on a
    line of its own was reported as a use; #18601 removed `ACPV1Settings.implementation`,
    and `...implementation.env` (a variable spread) was reported as a use."""
    text, used = FIELD_NAME_MENTIONS[mention]
    caller = 'import type { EventState } from "./state";\n\n' + text
    start(repo, {"package.json": '{"name": "lg"}\n', "src/state.ts": EVENT_STATE})
    branch(
        repo,
        "agent/state",
        {"src/state.ts": EVENT_STATE.replace("  stepNamespace?: string;\n", "")},
        "Drop the step namespace from the event state",
    )
    branch(repo, "agent/close", {"src/close.ts": caller}, "Close a step")
    plan = merge_all(repo, "agent/state", "agent/close")
    assert bool(any_tier(plan, "phantom_dependency")) is used, plan.findings


@pytest.mark.parametrize("importer", ["the-sdk", "the-module"])
def test_an_import_of_an_installed_package_is_no_use_of_a_deleted_module_of_its_name(
    repo: Repo, importer: str
) -> None:
    """agentops (held out, judged on its first run): #830 deleted the package's own
    `agentops/llms/providers/groq.py`, and canary scripts' `from groq import Groq` (the Groq
    SDK) were reported as still importing it, five modules over. Inside a package, a module
    is reached by the package's path."""
    wrapper = "def wrap(client):\n    return client\n"
    start(
        repo,
        {
            "agentops/__init__.py": "",
            "agentops/providers/__init__.py": "",
            "agentops/providers/groq.py": wrapper,
        },
    )
    branch(repo, "agent/drop", {"agentops/providers/groq.py": None}, "Drop the Groq wrapper")
    line = {
        "the-sdk": "from groq import Groq\n\nclient = Groq()\n",
        "the-module": "from agentops.providers.groq import wrap\n\nclient = wrap(None)\n",
    }[importer]
    branch(repo, "agent/canary", {"tests/canary/groq_canary.py": line}, "A Groq canary")
    plan = merge_all(repo, "agent/drop", "agent/canary")
    assert bool(any_tier(plan, "phantom_dependency")) is (importer == "the-module"), plan.findings


GO_TABS = """package main

func {name}(a, b int) int {{
\tif a > b {{
\t\treturn a
\t}}
\treturn b
}}

func next(active, tabs int) int {{
\treturn {name}(active+1, tabs-1)
}}
"""


@pytest.mark.parametrize("name", ["max", "larger"])
def test_a_deleted_helper_named_like_a_go_builtin_leaves_the_builtin(repo: Repo, name: str) -> None:
    """bubbletea (held out): #1497 deleted an example's own `min` and `max` for Go 1.21's
    built-ins; the calls left were reported as broken. Another name deleted is broken."""
    start(
        repo,
        {"go.mod": "module tabs\n\ngo 1.22\n", "examples/tabs/main.go": GO_TABS.format(name=name)},
    )
    without = GO_TABS.format(name=name).split("func next")[0].split("func ")[0]
    branch(
        repo,
        "agent/builtin",
        {
            "examples/tabs/main.go": without
            + "func next(active, tabs int) int {\n\treturn tabs\n}\n"
        },
        "Use the built-in",
    )
    branch(
        repo,
        "agent/prev",
        {
            "examples/tabs/prev.go": f"package main\n\nfunc prev(active int) int {{\n\treturn {name}(active-1, 0)\n}}\n"
        },
        "Previous tab",
    )
    plan = merge_all(repo, "agent/builtin", "agent/prev")
    assert bool(any_tier(plan, "phantom_dependency")) is (name != "max"), plan.findings

"""The rule registry and the scoring functions, table-driven: each row is a pair of pieces
of code and what the detector must conclude."""

from __future__ import annotations

import dataclasses
import re

import pytest

from idealize.analyze.detectors.divergence import _mirrored
from idealize.analyze.detectors.double_fix import DoubleFixParams
from idealize.analyze.detectors.duplicates import (
    DuplicateParams,
    Match,
    _feature_set,
    _idf,
    _shingles,
    score_pair,
)
from idealize.analyze.detectors.literals import styling
from idealize.analyze.features import concept_tokens, extract
from idealize.analyze.params import override, reasons
from idealize.analyze.pieces import Piece
from idealize.analyze.rules import RULES, configured_params, kind_for, rule
from idealize.errors import ConfigError
from idealize.llm.answers import parse_answer
from idealize.output.gate import parse_kinds
from idealize.types import FINDING_KINDS, Finding


def piece(
    text: str,
    symbol: str,
    branch: str | None = "a",
    path: str = "app/x.py",
    language: str = "python",
) -> Piece:
    feats = extract(text, language)
    return Piece(
        branch=branch,
        path=path,
        symbol=symbol,
        kind="function",
        change="added",
        start_line=1,
        end_line=text.count("\n") + 1,
        language=language,
        text=text,
        features=feats,
        added=feats,
        added_text=text,
        removed_text="",
        params=(),
        old_params=(),
        name_tokens=concept_tokens(symbol),
        subject="",
    )


def test_one_rule_per_kind_in_order() -> None:
    assert tuple(r.kind for r in RULES) == FINDING_KINDS
    assert len({r.prefix for r in RULES}) == len(RULES)
    assert len({r.name for r in RULES}) == len(RULES)


@pytest.mark.parametrize("r", RULES, ids=[r.kind for r in RULES])
def test_every_parameter_states_its_reason(r: object) -> None:
    table = reasons(rule(r.kind).params)  # type: ignore[attr-defined]
    assert table, "a rule without parameters"
    for name, (value, why) in table.items():
        assert len(why) > 15, f"{name} = {value} has no reason"


def test_the_parser_and_the_gate_read_the_registry() -> None:
    assert kind_for("Duplication") == "duplicate"
    assert kind_for("broken dependency") == "phantom_dependency"
    assert kind_for("nonsense") is None
    assert parse_kinds("all") == FINDING_KINDS
    assert parse_kinds("divergence,duplicate") == ("duplicate", "divergence")
    answer = parse_answer(
        '{"ideal": "x", "findings": [{"kind": "duplicated", "title": "t", "locations": []}]}'
    )
    assert answer.answer is not None and answer.answer.findings[0].kind == "duplicate"


def test_parameters_are_configurable_and_checked() -> None:
    params = configured_params({"duplicate": {"threshold": 0.6, "max-df": 10}})
    assert params["duplicate"].threshold == 0.6 and params["duplicate"].max_df == 10
    assert params["phantom_dependency"] == rule("phantom_dependency").params
    with pytest.raises(ConfigError, match="unknown parameter 'treshold'"):
        configured_params({"duplicate": {"treshold": 0.6}})
    with pytest.raises(ConfigError, match="unknown rule 'dupes'"):
        configured_params({"dupes": {}})
    with pytest.raises(ConfigError, match="must be a int"):
        override(DoubleFixParams(), {"min_rare_shared": "two"}, "rules.double_fix")


FETCH_A = """def list_models(host):
    with urllib.request.urlopen(host + "/api/tags") as response:
        data = json.load(response)
    return [m["name"] for m in data.get("models", [])]
"""
FETCH_B = """def fetch_available(base_url):
    with urllib.request.urlopen(base_url.rstrip("/") + "/api/tags") as resp:
        payload = json.load(resp)
    return [entry["name"] for entry in payload.get("models", [])]
"""
PARSE_A = """def parse_version(text):
    major, minor, patch = text.strip().split(".")
    return int(major), int(minor), int(patch)
"""
SLUG_B = """def slugify(title):
    cleaned = re.sub(r"[^a-z0-9]+", "-", title.lower())
    return cleaned.strip("-")[:80]
"""


QUERY = """def {name}(pool, project_id):
    rows = pool.fetch_all(
        \"\"\"SELECT id AS "id!: Uuid", title, status, created_at AS "created_at!: DateTime"
           FROM {table}
           WHERE project_id = $1 ORDER BY created_at DESC\"\"\",
        project_id,
    )
    return [dict(row) for row in rows]
"""
CALL = """def {name}(client, item_id, body):
    url = client.base + "{route}".format(id=item_id)
    response = client.send_json(client.http.post(url, json=body, timeout=30))
    if response.status >= 400:
        raise ApiError(response.status, response.text)
    return response.json()
"""
# the path built by concatenation around a shared prefix (beads' GitLab client, Go)
CONCAT_CALL = """def {name}(client, title, description):
    body = {{"title": title, "description": description}}
    url = client.build_url("/projects/" + client.project_path() + "{tail}")
    response = client.do_request("POST", url, body)
    if response.status >= 400:
        raise ApiError("failed to create: " + response.text)
    return json.loads(response.body)
"""


def _defined(text: str) -> str:
    """The name a test snippet's `def` gives (decorators may come first)."""
    found = re.search(r"def (\w+)", text)
    assert found is not None
    return found.group(1)


# click commands of one CLI: the same options above different bodies (reflex's hosting CLI)
COMMAND = """@cli.command(name="{cmd}")
@click.option("--token", help="The authentication token.")
@click.option(
    "--loglevel",
    type=click.Choice([level.value for level in constants.LogLevel]),
    default=constants.LogLevel.INFO.value,
    help="The log level to use.",
)
@click.option("--json/--no-json", "-j", "as_json", is_flag=True, help="Output json.")
def {name}(token, loglevel, as_json):
{body}
"""
DEPLOYMENTS = """    console.set_log_level(loglevel)
    rows = hosting.list_deployments(token=token)
    if as_json:
        console.print(json.dumps(rows))
        return
    console.print_table([[r["name"], r["url"]] for r in rows], headers=["name", "url"])"""
VM_TYPES = """    console.set_log_level(loglevel)
    vmtypes = hosting.get_vm_types()
    ordered = [[vm.get(key) for key in ("id", "cpu", "ram")] for vm in vmtypes]
    for row in ordered:
        console.info(" ".join(map(str, row)))"""
# two handlers of one route: the path their decorators name is what makes them one
ROUTE = """@router.get("/api/projects/{{project_id}}/tasks")
async def {name}(project_id: str, db=Depends(get_db)):
    rows = await db.fetch(project_id)
    return [{{"id": r.id, "title": r.title}} for r in rows]
"""


@pytest.mark.parametrize(
    ("a", "b", "duplicate"),
    [
        # the same endpoint and payload shape under two names
        (FETCH_A, FETCH_B, True),
        # the options a CLI's commands share are its framework, not their work
        (
            COMMAND.format(cmd="list", name="list_deployments", body=DEPLOYMENTS),
            COMMAND.format(cmd="vmtypes", name="get_vm_types", body=VM_TYPES),
            False,
        ),
        # a route a decorator names is what the handler serves
        (ROUTE.format(name="list_tasks"), ROUTE.format(name="project_tasks"), True),
        # nothing in common
        (PARSE_A, SLUG_B, False),
        # one query over the same table, twice (vibe-kanban style sqlx readers)
        (
            QUERY.format(name="list_by_project", table="tasks"),
            QUERY.format(name="tasks_for_project", table="tasks"),
            True,
        ),
        # the same query shape over two tables: a pattern, not a copy
        (
            QUERY.format(name="list_by_project", table="tasks"),
            QUERY.format(name="list_by_project", table="issues"),
            False,
        ),
        # the same request boilerplate to two endpoints (beads' GitLab client)
        (
            CALL.format(name="create_issue", route="/projects/{id}/issues"),
            CALL.format(name="create_milestone", route="/projects/{id}/milestones"),
            False,
        ),
        # a shared prefix of two concatenated paths is not the same request
        (
            CONCAT_CALL.format(name="create_issue", tail="/issues"),
            CONCAT_CALL.format(name="create_milestone", tail="/milestones"),
            False,
        ),
        (
            CONCAT_CALL.format(name="create_issue", tail="/issues"),
            CONCAT_CALL.format(name="open_issue", tail="/issues"),
            True,
        ),
    ],
    ids=[
        "same-endpoint",
        "one-cli-other-commands",
        "one-route-twice",
        "unrelated",
        "same-table",
        "other-tables",
        "other-endpoints",
        "other-endpoints-after-one-prefix",
        "same-endpoint-after-one-prefix",
    ],
)
def test_duplicate_scoring(a: str, b: str, duplicate: bool) -> None:
    pa = piece(a, _defined(a), "agent/a")
    pb = piece(b, _defined(b), "agent/b", "app/y.py")
    fa, fb = _feature_set(pa), _feature_set(pb)
    # the IDF of a small corpus: these two plus unrelated code, as in a real run
    others = [_feature_set(piece(PARSE_A, "parse_version")), _feature_set(piece(SLUG_B, "slugify"))]
    idf = _idf([fa, fb, *others])
    match = score_pair(pa, pb, fa, fb, idf)
    assert (match is not None) is duplicate, match


def test_the_threshold_decides() -> None:
    pa, pb = piece(FETCH_A, "list_models", "a"), piece(FETCH_B, "fetch_available", "b", "y.py")
    fa, fb = _feature_set(pa), _feature_set(pb)
    idf = _idf([fa, fb, _feature_set(piece(PARSE_A, "parse_version"))])
    plain = dataclasses.replace(DuplicateParams(), bonus_request=0.0)  # keep the score below 1
    match = score_pair(pa, pb, fa, fb, idf, plain)
    assert match is not None and match.score < 0.99
    stricter = dataclasses.replace(plain, threshold=match.score + 0.01)
    assert score_pair(pa, pb, fa, fb, idf, stricter) is None


LOOP_A = """def total_weight(items, limit):
    result = 0
    for item in items:
        if item > limit:
            result = result + item * 2
        else:
            result = result - item
    while result > 100:
        result = result // 3
    return result
"""
LOOP_B = """def weight_rows(rows, floor):
    acc = 0
    for row in rows:
        if row > floor:
            acc = acc + row * 4
        else:
            acc = acc + row
    if acc < 0:
        acc = -acc
    return acc
"""


def test_shape_alone_carries_a_long_pair_from_its_bar_up() -> None:
    """Two long definitions that share no literal, call or name: only their shape (the share
    of token 4-grams they hold in common) can pair them, and it does exactly from
    ``structure_alone`` up (the threshold set to zero, so the bar alone decides)."""
    pa, pb = piece(LOOP_A, "total_weight", "a"), piece(LOOP_B, "weight_rows", "b", "app/y.py")
    fa, fb = _feature_set(pa), _feature_set(pb)
    sa, sb = _shingles(pa), _shingles(pb)
    shape = len(sa & sb) / len(sa | sb)
    assert 0.3 < shape < 0.9
    idf = _idf([fa, fb])
    free = dataclasses.replace(DuplicateParams(), threshold=0.0)
    below = score_pair(pa, pb, fa, fb, idf, dataclasses.replace(free, structure_alone=shape - 0.01))
    assert below is not None and below.structure == shape
    assert (
        score_pair(pa, pb, fa, fb, idf, dataclasses.replace(free, structure_alone=shape + 0.01))
        is None
    )


def test_jsx_props_are_markup_not_operations() -> None:
    """`type="error"` on two React elements is not the same operation on the same data (it
    made eight false double fixes on one real history); an option in an object literal or
    a keyword argument is."""
    from idealize.analyze.detectors.double_fix import _operations

    tsx = piece('pushToast({ type: "error" });\n<Toast type="error" />\n', "f", path="src/Chat.tsx")
    markup = piece('<Toast\n  type="error"\n  title={title}\n/>\n', "f", path="src/Chat.tsx")
    py = piece('session.get(url, timeout=30, mode="strict")\n', "f")
    assert _operations(tsx) == {'type="error"'}
    assert _operations(markup) == set()
    assert {"timeout=30", 'mode="strict"'} <= _operations(py)


def test_copies_between_test_files_are_candidates() -> None:
    """Helpers pasted into several test files were at most debatable on judged histories."""
    src, other = FETCH_A, FETCH_B
    for path_a, path_b, verified in [
        ("app/models.py", "app/hub.py", True),
        ("tests/ui/test_chat.py", "tests/ui/test_tasks.py", False),
    ]:
        pa = piece(src, "list_models", "agent/a", path_a)
        pb = piece(src.replace("list_models", "list_tags"), "list_tags", "agent/b", path_b)
        fa, fb = _feature_set(pa), _feature_set(pb)
        idf = _idf(
            [
                fa,
                fb,
                _feature_set(piece(other, "fetch_available")),
                _feature_set(piece(PARSE_A, "parse_version")),
            ]
        )
        match = score_pair(pa, pb, fa, fb, idf)
        assert match is not None and match.verified is verified, (path_a, match)


@pytest.mark.parametrize(("lines", "tier"), [(8, "candidate"), (34, "finding")])
def test_identical_test_helpers_are_findings_only_at_length(lines: int, tier: str) -> None:
    """mux, gptme, humanlayer, happy: 7- to 15-line helpers pasted verbatim into another
    test file were judged debatable; a 41-line copied harness was worth a finding."""
    from idealize.analyze.detectors.duplicates import find_duplicates

    body = "".join(
        f"    events.append(wait_for(session, 'step-{n}', timeout=5))\n" for n in range(lines)
    )
    text = f"def collect_events(session):\n    events = []\n{body}    return events\n"
    found = find_duplicates(
        [
            piece(text, "collect_events", "agent/a", "tests/test_chat.py"),
            piece(text, "collect_events", "agent/b", "tests/test_plan_mode.py"),
        ]
    )
    assert [f.tier for f in found] == [tier], found
    # a lead says why it is one
    said = "copies between test files, where a copy costs little: a lead"
    assert (found[0].evidence[-1] == said) is (tier == "candidate"), found[0].evidence


def test_a_small_snippet_added_inside_two_functions_is_a_candidate() -> None:
    """vibe-kanban: a 4-line request snippet inside unrelated functions was 'identical code'.
    A change that adds a copy inside an existing function needs a fragment of some size."""
    from idealize.analyze.detectors.duplicates import find_duplicates

    def inline(lines: int, host: str, branch: str, path: str) -> Piece:
        body = "".join(
            f"    value_{n} = client.send_json(client.http.get(url + '/step/{n}'), retries=3)\n"
            for n in range(lines)
        )
        text = f"def {host}(client, url):\n    prepare(url)\n{body}    return finish(url)\n"
        p = piece(text, host, branch, path)
        added = extract(body, "python")
        return dataclasses.replace(p, change="modified", added=added, added_text=body)

    for lines, tier in [(4, "candidate"), (9, "finding")]:
        found = find_duplicates(
            [
                inline(lines, "update_issue", "agent/a", "app/issues.py"),
                inline(lines, "start_session", "agent/b", "app/sessions.py"),
            ]
        )
        assert [f.tier for f in found] == [tier], (lines, found)


HANDLER = """def {name}(request, project_id):
    project = load_project_for_user(request.user, project_id)
    ensure_project_access(request.user, project, "read")
    rows = {target}(request.db, project.id, "created_at desc")
    return paginate_rows(request, rows, "project-items.json")
"""

VALIDATOR = """def {name}(value):
    if not value or len(value) > 64:
        raise ValueError(value)
    if not {var}.fullmatch(value):
        raise ValueError(value)
    return ensure_unique_name(value)
"""

SETTINGS_READER = """def {name}(path):
    data = {read}(path)
    if data is None:
        return False
    settings = json.loads(data)
    plugins = settings.get("enabledPlugins")
    if not isinstance(plugins, dict):
        return False
    return any("beads" in key.lower() and value for key, value in plugins.items())
"""

ROUTER = """def router(app):
    app.route("{a}", list_handler)
    app.route("{b}", create_handler)
    app.route("{c}", delete_handler)
    app.route("/stop", stop_handler)
    return app.layer(require_session)
"""


def _verified(a: Piece, b: Piece, params: DuplicateParams | None = None) -> bool | None:
    fa, fb = _feature_set(a), _feature_set(b)
    others = [
        _feature_set(piece(t, f"other_{n}"))
        for n, t in enumerate(
            [
                PARSE_A,
                SLUG_B,
                FETCH_A,
                *(HANDLER.format(name=f"h{i}", target=f"q{i}") for i in range(6)),
            ]
        )
    ]
    match = score_pair(a, b, fa, fb, _idf([fa, fb, *others]), params or DuplicateParams())
    return None if match is None else match.verified


@pytest.mark.parametrize(
    ("a", "b", "verified_without", "verified"),
    [
        # one handler shape delegating to two repositories (vibe-kanban's axum handlers)
        (
            ("list_issues", HANDLER.format(name="list_issues", target="issue_rows_for_project")),
            ("list_tags", HANDLER.format(name="list_tags", target="tag_rows_for_project")),
            True,
            False,
        ),
        # the same delegate under another name: still a copy
        (
            ("list_issues", HANDLER.format(name="list_issues", target="issue_rows_for_project")),
            ("issues_page", HANDLER.format(name="issues_page", target="issue_rows_for_project")),
            True,
            True,
        ),
        # one method on differently named variables is one operation (beads: two name
        # validators, `peerNameRe.match` and `remoteNameRe.match`, judged TRUE)
        (
            ("validate_peer", VALIDATOR.format(name="validate_peer", var="peer_name_re")),
            ("validate_remote", VALIDATOR.format(name="validate_remote", var="remote_name_re")),
            True,
            True,
        ),
        # two readers of one settings key through other file readers share its rare
        # literals: a copy (beads, `enabledPlugins` read three times, judged TRUE)
        (
            ("plugin_enabled", SETTINGS_READER.format(name="plugin_enabled", read="read_file")),
            (
                "check_plugin_in_settings",
                SETTINGS_READER.format(name="check_plugin_in_settings", read="load_settings_text"),
            ),
            True,
            True,
        ),
    ],
    ids=[
        "handlers-for-other-entities",
        "same-delegate",
        "same-method-other-variable",
        "other-readers-of-one-key",
    ],
)
def test_thin_handlers_of_other_things_are_candidates(
    a: tuple[str, str], b: tuple[str, str], verified_without: bool, verified: bool
) -> None:
    pa, pb = piece(a[1], a[0], "agent/a"), piece(b[1], b[0], "agent/b", "app/y.py")
    off = dataclasses.replace(DuplicateParams(), thin_lines=0)
    assert _verified(pa, pb, off) is verified_without  # the rule is what decides
    assert _verified(pa, pb) is verified


@pytest.mark.parametrize(
    ("paths_b", "verified"),
    [
        (("/search", "/assignees", "/queue"), False),  # other endpoints, one shared
        (("/start", "/status", "/logs"), True),  # the same table twice
    ],
    ids=["other-routes", "same-routes"],
)
def test_route_tables_of_other_endpoints_are_candidates(
    paths_b: tuple[str, str, str], verified: bool
) -> None:
    """Two `router()` functions registering other paths share a name and an idiom, not a
    concept (six such groups were judged FALSE on vibe-kanban)."""
    pa = piece(ROUTER.format(a="/start", b="/status", c="/logs"), "router", "agent/a")
    pb = piece(
        ROUTER.format(a=paths_b[0], b=paths_b[1], c=paths_b[2]), "router", "agent/b", "app/y.py"
    )
    assert _verified(pa, pb) is verified


@pytest.mark.parametrize(
    ("path_a", "path_b", "compared"),
    [
        ("sources/encryption/aes.ts", "sources/encryption/aes.web.ts", False),
        ("src/ui/Picker.ios.tsx", "src/ui/Picker.android.tsx", False),
        ("internal/lock/lock_unix.go", "internal/lock/lock_windows.go", False),
        ("internal/proc/kill_linux_arm64.go", "internal/proc/kill_darwin.go", False),
        # other modules whose names merely end like a platform stay comparable
        ("internal/lock/lock.go", "internal/sync/lock_windows.go", True),
        ("src/web.ts", "src/native.ts", True),
        ("src/crypto/aes.ts", "src/legacy/aes.ts", True),
    ],
)
def test_platform_variants_of_one_file_are_not_compared(
    path_a: str, path_b: str, compared: bool
) -> None:
    from idealize.analyze.detectors.duplicates import _allowed

    a = piece(FETCH_A, "encrypt", "agent/a", path_a)
    b = piece(FETCH_A, "encrypt", "agent/b", path_b)
    assert _allowed(a, b) is compared


@pytest.mark.parametrize(
    ("path", "fixture"),
    [
        ("src/browser/components/ContextSwitchWarning.stories.tsx", True),
        ("src/__tests__/helpers.ts", True),
        ("internal/cmd/krc_test.go", True),
        ("evals/skill_extraction.eval.ts", True),
        ("src/browser/components/ContextSwitchWarning.tsx", False),
        ("src/stories/index.ts", False),
        ("packages/agents/src/e2e-tests/recovery-helpers.ts", True),
        ("packages/agents/src/react-tests/setup.ts", True),
        ("e2e/helpers.ts", True),
        ("python/integration_tests/conftest_helpers.py", True),
        ("src/e2e.ts", False),
        ("src/latests/index.ts", False),
        # a Go package of test helpers, named as httptest is (the MCP Go SDK's fake servers)
        ("internal/oauthtest/fake_authorization_server.go", True),
        ("internal/testutil/server.go", True),
        ("docs/latest/server.go", False),
        ("internal/oauthtest/fake_server.py", False),  # the convention is Go's
        # a folder of fakes and harnesses, in any language (dyad's fake renderer)
        ("src/distributed_machines/testing/fake_duplex_transport.ts", True),
        ("src/__mocks__/electron.ts", True),
        ("src/attesting/report.ts", False),
    ],
)
def test_stories_and_tests_are_fixture_code(path: str, fixture: bool) -> None:
    from idealize.repo.languages import test_path

    assert test_path(piece(FETCH_A, "x", "a", path).path) is fixture


def test_route_tables_are_never_compared_by_their_conventional_name() -> None:
    """`router()` is one per module by convention, like `main`: two of them are never a
    copy by name (vibe-kanban: a branch's `router` and the target's, sharing `/tags`)."""
    from idealize.analyze.detectors.duplicates import _comparable

    table = piece(ROUTER.format(a="/tags", b="/tags/{id}", c="/logs"), "router")
    assert not _comparable(table, DuplicateParams())
    assert _comparable(
        piece(ROUTER.format(a="/tags", b="/t", c="/l"), "tag_routes"), DuplicateParams()
    )


@pytest.mark.parametrize(
    ("path", "compared"),
    [
        (".test-dist/core/test/unit/contracts/deep-link.test.js", False),
        ("packages/web/esm-dist/client.js", False),
        ("dist/index.js", False),
        ("src/distance/route.ts", True),
        ("src/redistribute/plan.ts", True),
    ],
)
def test_a_builds_output_folder_is_generated_code(path: str, compared: bool) -> None:
    """claude-code-router commits its compiled tests in `.test-dist/`: each module there is
    a copy of its source, by design."""
    from idealize.analyze.detectors.duplicates import _comparable

    text = ROUTER.format(a="/tags", b="/t", c="/l")
    assert _comparable(piece(text, "tag_routes", path=path), DuplicateParams()) is compared


@pytest.mark.parametrize(
    ("text", "how"),
    [
        ("        analyzer.settings.update(x)", "reference"),
        ("from openhands.cli.settings import load", None),  # a module path (OpenHands PHA-3)
        ("import openhands.storage.settings.file_store", None),
        ("    return {settings: 1}", None),
    ],
)
def test_a_removed_field_is_not_used_by_an_import_of_a_same_named_module(
    text: str, how: str | None
) -> None:
    from idealize.analyze.detectors.phantom import Removal, _how

    removed = Removal(
        "b", "app/security/analyzer.py", "InvariantAnalyzer.settings", "settings", "field", None
    )
    assert _how(removed, text) == how


TOKEN_EXCHANGE = """def exchange_code(code, verifier):
    body = {"grant_type": "authorization_code", "client_id": GATEWAY_ID, "code": code}
    body["client_secret"] = GATEWAY_SECRET
    headers = {"Accept": "application/json"}
    response = requests.post(GATEWAY_TOKEN_URL, data=body, headers=headers, timeout=30)
    if response.status_code != 200:
        raise OAuthError("token exchange failed: " + response.text)
    payload = response.json()
    return Token(payload["access_token"], payload.get("refresh_token"))
"""
TOKEN_REFRESH = """def refresh_codex(session, refresh):
    form = {"grant_type": "refresh_token", "client_id": CODEX_ID, "refresh": refresh}
    for attempt in range(3):
        reply = session.post(CODEX_TOKEN_URL, data=form)
        if reply.ok:
            break
    return Token(reply.json()["access_token"], refresh)
"""


def test_a_finding_lists_only_what_its_verified_pairs_hold() -> None:
    """mux: two verbatim copies of one gateway token exchange were listed with Codex's PKCE
    refresh, a different grant that only looks alike, and the whole group read as debatable.
    The look-alike is a lead for the model: a candidate of its own."""
    from idealize.analyze.detectors.duplicates import find_duplicates

    background = [
        piece(PARSE_A, "parse_version", "agent/x", "app/version.py"),
        piece(SLUG_B, "slugify", "agent/y", "app/slug.py"),
        piece(FETCH_A, "list_models", "agent/z", "app/models.py"),
    ]
    governor = TOKEN_EXCHANGE.replace("exchange_code", "exchange_governor_code")
    found = find_duplicates(
        [
            piece(TOKEN_EXCHANGE, "exchange_code", "agent/a", "app/gateway.py"),
            piece(governor, "exchange_governor_code", "agent/b", "app/governor.py"),
            piece(TOKEN_REFRESH, "refresh_codex", "agent/c", "app/codex.py"),
            *background,
        ]
    )
    listed = sorted((f.tier, tuple(loc.symbol for loc in f.locations)) for f in found)
    assert listed == [
        ("candidate", ("exchange_code", "refresh_codex")),
        ("finding", ("exchange_code", "exchange_governor_code")),
    ]


FORMAT_TOKENS = """def format_tokens(tokens):
    if tokens >= 1000:
        return f"{tokens / 1000:.1f}k"
    return f"{tokens:,}"
"""
FORMAT_TOKENS_EDITED = """def format_tokens(tokens):
    \"\"\"Short form for the sidebar.\"\"\"
    if tokens < 1000:
        return f"{tokens:,}"
    return f"{tokens / 1000:.1f}k"
"""


def test_an_edited_copy_under_the_same_name_stays_in_the_finding() -> None:
    """mux: `formatTokens` pasted into four components, two edited a little (judged TRUE as
    one group). The edited copies are copies, not look-alikes to split off; and a tiny helper
    in three places is a finding where two places alone would be a candidate."""
    from idealize.analyze.detectors.duplicates import find_duplicates

    background = [
        piece(PARSE_A, "parse_version", "agent/x", "app/version.py"),
        piece(SLUG_B, "slugify", "agent/y", "app/slug.py"),
        piece(FETCH_A, "list_models", "agent/z", "app/models.py"),
    ]
    copies = [
        piece(FORMAT_TOKENS, "format_tokens", "agent/a", "ui/stats.py"),
        piece(FORMAT_TOKENS, "format_tokens", "agent/b", "ui/costs.py"),
    ]
    edited = piece(FORMAT_TOKENS_EDITED, "format_tokens", "agent/c", "ui/files.py")
    three = find_duplicates([*copies, edited, *background])
    assert [(f.tier, sorted(loc.path for loc in f.locations)) for f in three] == [
        ("finding", ["ui/costs.py", "ui/files.py", "ui/stats.py"])
    ]
    two = find_duplicates([*copies, *background])
    assert [f.tier for f in two] == ["candidate"]


RIG_NAMES = """def rig_names(town_root):
    path = os.path.join(town_root, "mayor", "rigs.json")
    with open(path) as fh:
        config = json.load(fh)
    names = [rig["name"] for rig in config.get("rigs", [])]
    names.sort()
    return names
"""
RIG_DATABASES = """def rig_databases(town_root):
    found = set()
    config_path = os.path.join(town_root, "mayor", "rigs.json")
    config = json.loads(open(config_path).read())
    for rig in config.get("rigs", []):
        beads = os.path.join(town_root, rig["path"], ".beads")
        if os.path.isdir(beads):
            found.add(beads)
    return sorted(found)
"""
RIG_HOLDER = """class {name}:
    CONFIG = ("mayor", "rigs.json", "rigs")
    LABEL = "{name}"
"""
FILLER = """def filler_{i}(value):
    total_{i} = compute_{i}(value, "{i}-label")
    return total_{i} + {i}
"""


@pytest.mark.parametrize(("holders", "tier"), [(0, "finding"), (2, "finding"), (3, "candidate")])
def test_literals_many_definitions_hold_together_are_an_idiom(holders: int, tier: str) -> None:
    """gastown: loaders of one config file (`mayor`, `rigs.json`) doing different things
    were verified by those two literals; 53 definitions there hold them together. A pair
    told only by literals that several other definitions also hold together is a lead."""
    from idealize.analyze.detectors.duplicates import find_duplicates

    corpus = [
        piece(FILLER.format(i=i), f"filler_{i}", "agent/x", f"lib/f{i}.py") for i in range(40)
    ]
    corpus += [
        dataclasses.replace(
            piece(RIG_HOLDER.format(name=f"Rigs{i}"), f"Rigs{i}", None, f"app/rigs{i}.py"),
            kind="class",
        )
        for i in range(holders)
    ]
    found = find_duplicates(
        [
            piece(RIG_NAMES, "rig_names", "agent/a", "daemon/rigs.py"),
            piece(RIG_DATABASES, "rig_databases", "agent/b", "doctor/dbs.py"),
            *corpus,
        ]
    )
    assert [f.tier for f in found] == [tier], found
    assert ("an idiom" in " ".join(found[0].evidence)) is (tier == "candidate")


@pytest.mark.parametrize(
    ("folders", "paths", "tier"),
    [
        # one runner per benchmark folder: the layout of that code base
        (
            6,
            ("evaluation/benchmarks/swe/run_infer.py", "evaluation/benchmarks/nocode/run.py"),
            "candidate",
        ),
        (
            2,
            ("evaluation/benchmarks/swe/run_infer.py", "evaluation/benchmarks/nocode/run.py"),
            "finding",
        ),
        # two files of one name in two folders, where no convention holds (beads: a copy)
        (6, ("cmd/setup/claude.go", "cmd/doctor/claude.go"), "finding"),
        # both in one folder: not one per folder
        (
            6,
            ("evaluation/benchmarks/swe/run_infer.py", "evaluation/benchmarks/swe/eval.py"),
            "finding",
        ),
    ],
    ids=["per-benchmark", "two-folders", "no-convention", "one-folder"],
)
def test_one_copy_per_plugin_folder_is_a_convention(
    folders: int, paths: tuple[str, str], tier: str
) -> None:
    """OpenHands: `process_instance` and `complete_runtime` copied into each benchmark's
    run_infer.py were judged debatable: copy-per-benchmark is how evaluation/ is laid out."""
    from idealize.analyze.detectors.duplicates import _by_convention
    from idealize.types import Finding, Location

    tree = {f"evaluation/benchmarks/b{i}/run_infer.py": "blob" for i in range(folders)}
    tree |= {path: "blob" for path in paths} | {"cmd/other/claude_test.go": "blob"}
    found = Finding(
        id="DUP-1",
        kind="duplicate",
        title="`process_instance` (a) and `process_instance` (b) implement the same thing",
        confidence=0.99,
        source="static",
        locations=tuple(
            Location(path, "process_instance", 1, 40, branch, "head")
            for path, branch in zip(paths, ("#1", "#2"), strict=True)
        ),
        evidence=("identical code in 2 places",),
        recommendation="Pick one.",
    )
    assert _by_convention(found, tree, DuplicateParams()).tier == tier


def test_a_methods_parameters_are_not_members_of_its_class() -> None:
    """happy: `filter: RecipientFilter` on its own line of a method's parameter list was read
    as a property of `EventRouter`; when the method changed, `EventRouter.filter` was
    reported removed while other work still 'used' it."""
    from idealize.analyze.members import members

    text = """class EventRouter {
    private readonly io: Server;
    pageSize?: number;

    private shouldSendToConnection(
        connection: ClientConnection,
        filter: RecipientFilter
    ): boolean {
        const options = {
            retries: 3,
        };
        return filter.type === 'all';
    }
}"""
    assert members(text, "typescript", nested=False) == {"io", "pageSize"}


def test_a_class_field_declared_by_its_initialiser_is_a_member() -> None:
    """cloudflare/agents #1911: `private _elicitationEnabled = false` declares the field as
    much as `private readonly _elicitationEnabled: boolean` did. A comparison or an arrow's
    `=>` is no initialiser."""
    from idealize.analyze.members import members

    text = """class ClientConnection {
  private _elicitationEnabled = false;
  static readonly VERSION = "2";
  declare name: string;
  onClose = (id: string) => this.close(id);
  pending!: number;
  counter;

  close(id: string): void {
    if (id == "x") return;
  }
}"""
    assert members(text, "typescript", nested=False) == {
        "_elicitationEnabled",
        "VERSION",
        "name",
        "onClose",
        "pending",
        "counter",
    }


def test_an_attribute_set_by_its_name_is_a_member() -> None:
    """reflex-dev/reflex #6691 turned `self._self_field_name = field_name` into
    `proxy_setattr("_self_field_name", field_name)`; the attribute was read as removed and
    its readers reported as phantoms. Setting another object's attribute declares nothing."""
    from idealize.analyze.members import members

    before = """class MutableProxy(wrapt.ObjectProxy):
    def __init__(self, wrapped, state, field_name):
        super().__init__(wrapped)
        self._self_state = state
        self._self_field_name = field_name
"""
    after = """class MutableProxy(wrapt.ObjectProxy):
    def __init__(self, wrapped, state, field_name):
        super().__init__(wrapped)
        proxy_setattr = super().__setattr__
        proxy_setattr("_self_state", state)
        proxy_setattr('_self_field_name', field_name)
        object.__setattr__(self, "_frozen", True)
        setattr(cls, "registry", {})
        super().__setattr__("_self_path", ())
        setattr(state, "dirty", True)
        setattr(self, name, value)
"""
    assert members(before, "python") == {"_self_state", "_self_field_name"}
    assert members(after, "python") == {
        "_self_state",
        "_self_field_name",
        "_frozen",
        "registry",
        "_self_path",
    }
    ts = """class Client {
  constructor() {
    Object.defineProperty(this, "transport", { value: t });
    Object.defineProperty(other, "hidden", { value: 1 });
  }
}"""
    assert members(ts, "typescript", nested=False) == {"transport"}


def test_a_go_line_declaring_several_fields_declares_each() -> None:
    """grafana/mcp-grafana #1026 turned `agento11y bool` into `agento11y, assistant bool`;
    `agento11y` was reported removed while other work still read `dt.agento11y`."""
    from idealize.analyze.members import members

    text = """type disabledTools struct {
	enabledTools string
	agento11y, assistant bool
	a,b,  c   *int `json:"x"` // three at once
	proxied bool
}"""
    assert members(text, "go", nested=False) == {
        "enabledTools",
        "agento11y",
        "assistant",
        "a",
        "b",
        "c",
        "proxied",
    }


GUARD = """def use_{name}(request):
    state = request.app.state
    found = getattr(state, "{name}_context", None)
    if found is None:
        raise RuntimeError("use_{name} must be called inside {name}_provider")
    if not found.ready:
        found.ready = True
        found.opened = request.time
    request.log.debug("%s opened", found)
    return found
"""


@pytest.mark.parametrize(
    ("holders", "extra", "near", "tier"),
    [
        (0, 0, False, "finding"),
        (2, 0, False, "finding"),
        (3, 0, False, "candidate"),
        (3, 0, True, "candidate"),  # nearly the pair's shape: one more statement each
        (3, 20, False, "finding"),
    ],
)
def test_a_shape_many_definitions_share_is_a_convention(
    holders: int, extra: int, near: bool, tier: str
) -> None:
    """mux: `useWorkspaceChat`, `useWorkspaceCost` and `usePolicy` are the useContext-or-throw
    hook that 14 definitions there share, each for its own context (judged FALSE). One short
    shape under other names and literals in five or more places is the code base's
    convention; a long one renamed into five services is still copies (mux's
    `waitFor*Flow`, judged TRUE)."""
    from idealize.analyze.detectors.duplicates import find_duplicates

    steps = "".join(f"    found.step_{k} = request.time + {k}\n" for k in range(extra))
    guard = GUARD.replace("    return found\n", steps + "    return found\n")

    corpus = [
        piece(FILLER.format(i=i), f"filler_{i}", "agent/x", f"lib/f{i}.py") for i in range(40)
    ]
    held = guard.replace(
        "    return found\n", '    request.log.info("%s ready", found.name)\n    return found\n'
    )
    corpus += [
        piece(
            (held if near else guard).format(name=f"held{i}"), f"use_held{i}", None, f"app/h{i}.py"
        )
        for i in range(holders)
    ]
    found = find_duplicates(
        [
            piece(guard.format(name="chat"), "use_chat", "agent/a", "ui/chat.py"),
            piece(guard.format(name="cost"), "use_cost", "agent/b", "ui/cost.py"),
            *corpus,
        ]
    )
    pair = [f for f in found if {"use_chat", "use_cost"} & {loc.symbol for loc in f.locations}]
    assert {f.tier for f in pair} == {tier}, found
    said = " ".join(e for f in pair for e in f.evidence)
    assert ("share that shape" in said) is (tier == "candidate")


def test_copies_found_from_both_sides_are_one_finding() -> None:
    """ccusage: four report commands two PRs each edited were listed twice, once with each
    PR's label on each copy. A duplicate is told by its places; other kinds keep their
    branches (one removal used by two branches is two uses)."""
    from idealize.analyze.engine import _dedupe
    from idealize.types import Finding, FindingKind, Location

    def found(kind: FindingKind, labels: tuple[str, str], confidence: float) -> Finding:
        return Finding(
            "",
            kind,
            "t",
            confidence,
            "static",
            (
                Location("src/daily.ts", "dailyCommand", 1, 40, labels[0]),
                Location("src/weekly.ts", "weeklyCommand", 1, 40, labels[1]),
            ),
            (),
            "r",
        )

    copies = [found("duplicate", ("#419", "#420"), 0.5), found("duplicate", ("#420", "#419"), 0.6)]
    assert [f.confidence for f in _dedupe(copies)] == [0.6]
    uses = [found("phantom_dependency", ("#419", "#420"), 0.5)]
    uses.append(found("phantom_dependency", ("#420", "#419"), 0.5))
    assert len(_dedupe(uses)) == 2


SERVER = """def register(app, governor):
    @app.get("/auth/governor/start")
    def start(request):
        reply = requests.get(governor + "/oauth/authorize", timeout=10)
        if reply.status_code != 200:
            return {"error": reply.text}
        return {"authorizeUrl": reply.json()["url"], "state": request.args["state"]}
    return start
"""
CLIENT = """def start_governor_login(base, token):
    reply = requests.get(base + "/auth/governor/start", headers={"Authorization": token})
    if reply.status_code != 200:
        raise RuntimeError(reply.text)
    body = reply.json()
    return body["authorizeUrl"], body["state"]
"""


def test_the_two_ends_of_one_route_are_not_one_request() -> None:
    """mux: the server registering `GET /auth/mux-governor/start` and the settings page
    fetching it were "the same request" made twice; one serves it, the other calls it.
    Two clients of it are still one request (mux's three login buttons, judged TRUE)."""
    server = piece(SERVER, "register", "agent/a", "server/app.py")
    client = piece(CLIENT, "start_governor_login", "agent/b", "web/login.py")
    other = piece(
        CLIENT.replace("start_governor_login", "relogin"), "relogin", "agent/c", "web/retry.py"
    )
    assert _verified(server, client) is None
    assert _verified(client, other) is True


LISTING = """@{kind}_router.get("/{{{kind}_id}}/sessions")
async def list_{kind}_sessions(
    {kind}_id: str,
    storage: StorageBase = Depends(get_storage),
    user_id: str = Depends(get_current_user_id),
) -> SessionsResponse:
    owned = await storage.get_{kind}(user_id, {kind}_id)
    if owned is None:
        raise HTTPException(status_code=404, detail="not found")
    sessions = await storage.list_sessions_by_{kind}(user_id, {kind}_id)
    return SessionsResponse(sessions=sessions, total=len(sessions))
"""


@pytest.mark.parametrize(("other", "verified"), [("schedule", None), ("channel", True)])
def test_routes_relative_to_other_routers_are_other_endpoints(
    other: str, verified: bool | None
) -> None:
    """agentscope: a channel's and a schedule's `/{..._id}/sessions` listings, each on its
    own router, were "the same request" because both placeholders folded to `/{}/sessions`;
    the route begins with its variable, whose name is all that says which resource it is."""
    a = piece(LISTING.format(kind="channel"), "list_channel_sessions", "agent/a")
    b = piece(LISTING.format(kind=other), f"list_{other}_sessions", "agent/b", "app/y.py")
    assert _verified(a, b) is verified


UPSERT = '''def upsert_{table}(db, item):
    now = datetime.now(timezone.utc)
    row = db.fetch_one(
        """INSERT INTO {table} (id, {column}, created_at)
        VALUES ($1, $2, $3)
        ON CONFLICT (id) DO UPDATE SET
            updated_at = datetime('now', 'subsec')
        RETURNING id, {column}, created_at, updated_at""",
        item.id,
        item.{column},
        now,
    )
    if row is None:
        raise StoreError("upsert returned no row")
    return Record(
        id=uuid.UUID(row["id"]),
        created_at=parse_timestamp(row["created_at"]),
        updated_at=parse_timestamp(row["updated_at"]),
        value=row["{column}"],
    )
'''


def test_upserts_of_other_tables_are_not_copies() -> None:
    """vibe-kanban: `MigrationState.upsert` and `Scratch.update` write other tables; both
    end in `ON CONFLICT ... DO UPDATE SET`, and `SET` was read as a table they share."""
    a = piece(UPSERT.format(table="scratch", column="payload"), "upsert_scratch", "agent/a")
    b = piece(
        UPSERT.format(table="migration_state", column="local_id"),
        "upsert_migration_state",
        "agent/b",
        "app/y.py",
    )
    assert _verified(a, b) is None


LABEL_TYPES = """def migrate_type(store, kind, dry_run):
    out = subprocess.run(["bd", "list", "--json", "--limit=0"], capture_output=True)
    labelled = []
    for bead in json.loads(out.stdout):
        if bead.get("issue_type") != kind or f"gt:{kind}" in bead.get("labels", []):
            continue
        labelled.append(bead["id"])
        if not dry_run:
            store.add_label(bead["id"], f"gt:{kind}")
    if dry_run:
        print("[DRY RUN] would label", len(labelled), "beads")
    return labelled
"""
CLOSE_EVENTS = """def run_costs_migrate(store, dry_run):
    out = subprocess.run(["bd", "list", "--json", "--limit=0"], capture_output=True)
    closed = []
    for event in json.loads(out.stdout):
        if event.get("type") != "session.ended" or event.get("status") == "closed":
            continue
        closed.append(event["id"])
        if not dry_run:
            store.record_cost(event["session"], event.get("cost_usd") or 0.0)
            store.close(event["id"], reason="migrated to the costs ledger")
    if dry_run:
        print("[DRY RUN] would close", len(closed), "session events")
    return closed
"""


def test_flags_and_struct_tags_do_not_spell_a_concept() -> None:
    """gastown: `migrateType` labels beads of a type, `runCostsMigrate` closes legacy event
    beads; both run `bd list --json --limit=0`. A program's flags say how it is called,
    not what the caller does (every such finding judged on eleven histories was FALSE or
    DEBATABLE)."""
    a = piece(LABEL_TYPES, "migrate_type", "agent/a")
    b = piece(CLOSE_EVENTS, "run_costs_migrate", "agent/b", "app/costs.py")
    assert not _verified(a, b)


LOCK_ERROR = """func isLockError(err error) bool {
	if err == nil {
		return false
	}
	errStr := strings.ToLower(err.Error())
	return strings.Contains(errStr, "database is locked") ||
		strings.Contains(errStr, "lock file") ||
		strings.Contains(errStr, "noms lock") ||
		strings.Contains(errStr, "locked by another dolt process")
}
"""
DIVERGED = """func isDivergedHistoryErr(err error) bool {
	if err == nil {
		return false
	}
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "no common ancestor") ||
		strings.Contains(msg, "can't find common ancestor") ||
		strings.Contains(msg, "cannot find common ancestor")
}
"""
VALIDATE = """func validate{Noun}Name(name string) error {
	if name == "" {
		return fmt.Errorf("{noun} name cannot be empty")
	}
	if len(name) > 64 {
		return fmt.Errorf("{noun} name too long (max 64 characters)")
	}
	if !valid{Noun}NameRegex.MatchString(name) {
		return fmt.Errorf("{noun} name must start with a letter and contain only letters")
	}
	return nil
}
"""


def _go(text: str, symbol: str, branch: str | None, path: str) -> Piece:
    return piece(text, symbol, branch, path, "go")


def test_one_shape_over_other_strings_is_not_a_copy() -> None:
    """beads: `isLockError` and `isDivergedHistoryErr` lower-case an error and look for
    other texts in it (judged FALSE); `ValidateRemoteName` and `validatePeerName` are one
    validator whose messages differ by the noun (judged TRUE)."""
    lock = _go(LOCK_ERROR, "isLockError", None, "internal/storage/dolt/store.go")
    diverged = _go(DIVERGED, "isDivergedHistoryErr", "agent/a", "cmd/bd/dolt.go")
    assert not _verified(lock, diverged)
    remote = _go(
        VALIDATE.replace("{Noun}", "Remote").replace("{noun}", "remote"),
        "validateRemoteName",
        None,
        "internal/remotecache/url.go",
    )
    peer = _go(
        VALIDATE.replace("{Noun}", "Peer").replace("{noun}", "peer"),
        "validatePeerName",
        "agent/b",
        "internal/storage/dolt/credentials.go",
    )
    assert _verified(remote, peer) is True


def test_replace_into_names_its_table() -> None:
    """beads: `SetLocalMetadataInTx` (`REPLACE INTO local_metadata`) and `SetRepoMtimeInTx`
    (`INSERT ... repo_mtimes`) write other tables."""
    from idealize.analyze.detectors.literals import tables_in

    assert tables_in("REPLACE INTO local_metadata (key, value) VALUES (?, ?)") == {"local_metadata"}


def test_a_line_added_to_two_big_definitions_is_not_a_copy() -> None:
    """mux: five PRs each added one `flag: z.boolean().optional()` field to a schema of
    their own; the added lines were one shape, and the schemas long, so the pair passed as
    a long copy. What is compared is what was added, and one line is no copy."""

    def grown(symbol: str, field: str, path: str, branch: str) -> Piece:
        body = "".join(f"    {symbol}_{k} = build_{k}(source, {k})\n" for k in range(12))
        added = f"    {field} = optional(boolean())\n"
        text = f"def {symbol}(source):\n{body}{added}    return source\n"
        whole = piece(text, symbol, branch, path)
        return dataclasses.replace(
            whole, change="modified", added=extract(added, "python"), added_text=added
        )

    a = grown("skill_schema", "advertise", "app/skills.py", "agent/a")
    b = grown("stream_end_schema", "routed_through_gateway", "app/events.py", "agent/b")
    assert not _verified(a, b)


DIFF_CARD = """export function DiffViewCard({ file, onToggle }: Props) {
  const { theme } = useTheme();
  const icon = getFileIcon(file.path, getActualTheme(theme));
  return (
    <div className="rounded-sm border overflow-hidden">
      <button className="cursor-pointer" onClick={onToggle}>
        <span className="relative shrink-0">{icon}</span>
        <span className={cn("absolute -bottom-0.5 -right-0.5", file.changed && "text-warning")} />
        <ChevronIcon className={cn("size-icon-base", file.open && "-rotate-90")} />
      </button>
      {file.open && <DiffViewBody diff={file.diff} />}
    </div>
  );
}
"""
AGGREGATED = """export function ChatAggregatedDiffEntries({ edits, expanded, onExpand }: EntriesProps) {
  const { theme } = useTheme();
  const added = edits.reduce((sum, e) => sum + e.added, 0);
  const removed = edits.reduce((sum, e) => sum + e.removed, 0);
  const status = edits.some((e) => e.failed) ? "failed" : "applied";
  return (
    <section className="rounded-sm border overflow-hidden">
      <header className="cursor-pointer" onClick={() => onExpand(!expanded)}>
        <span className="relative shrink-0">{getFileIcon(edits[0].path, getActualTheme(theme))}</span>
        <span className={cn("absolute -bottom-0.5 -right-0.5", status === "failed" && "text-error")} />
        <StatusBadge status={status} added={added} removed={removed} />
        <ChevronIcon className={cn("size-icon-base", expanded && "-rotate-90")} />
      </header>
      {expanded && edits.map((e) => <DiffEntry key={e.id} edit={e} />)}
    </section>
  );
}
"""


def test_shared_css_classes_do_not_spell_a_concept() -> None:
    """vibe-kanban: a diff card and an accordion of several edits share six Tailwind class
    lists (judged FALSE); classes say how a component looks, not what it does."""

    card = piece(DIFF_CARD, "DiffViewCard", None, "web/PierreConversationDiff.tsx", "typescript")
    entries = piece(
        AGGREGATED, "ChatAggregatedDiffEntries", "agent/a", "web/ChatAggregated.tsx", "typescript"
    )
    assert not _verified(card, entries)


CODEX_EXCHANGE = """async function exchangeCode(code: string, verifier: string) {
  const response = await fetch(CODEX_TOKEN_URL, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code, code_verifier: verifier }),
  });
  if (!response.ok) {
    throw new Error(`Codex token exchange failed: ${await response.text()}`);
  }
  const tokens = await response.json();
  return { idToken: tokens.id_token, accountId: parseAccount(tokens.id_token) };
}
"""
CLAUDE_EXCHANGE = """export async function exchangeCodeForTokens(code: string, state: string) {
  const res = await fetch(ANTHROPIC_TOKEN_ENDPOINT, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ grant_type: "authorization_code", code, state, redirect_uri: REDIRECT }),
  });
  if (!res.ok) {
    throw new Error("Claude OAuth failed: " + (await res.text()));
  }
  const data = await res.json();
  return { access: data.access_token, refresh: data.refresh_token, expires: Date.now() + data.expires_in * 1000 };
}
"""


def test_http_vocabulary_does_not_spell_a_concept() -> None:
    """slopus/happy: the OAuth code exchanges of two providers (form-encoded to OpenAI,
    JSON to Anthropic) were told by `POST`, `Content-Type` and the grant type (judged
    FALSE). A method, a standard header or a media type says how a request is made."""

    codex = piece(CODEX_EXCHANGE, "exchangeCode", "agent/a", "cli/codex-oauth.ts", "typescript")
    claude = piece(CLAUDE_EXCHANGE, "exchangeCodeForTokens", None, "app/oauth.ts", "typescript")
    assert not _verified(codex, claude)


@pytest.mark.parametrize(
    ("a", "b", "verified"),
    [
        ("local_plugin_enabled", "remote_plugin_enabled", False),
        ("read_plugin_enabled", "write_plugin_enabled", False),
        ("plugin_enabled", "check_plugin_in_settings", True),  # other names: still a copy
        ("local_plugin_enabled", "cached_plugin_enabled", True),  # one word, not opposites
    ],
    ids=["local-remote", "read-write", "other-names", "not-opposites"],
)
def test_counterparts_by_name_are_candidates(
    a: str, b: str, verified: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two definitions named as the two sides of one thing (local and remote, read and
    write) mirror each other on purpose: what they share is a lead, not a copy (on
    gemini-cli, `LocalSessionInvocation` / `RemoteSessionInvocation` was judged FALSE)."""
    from idealize.analyze.detectors import duplicates

    pa = piece(SETTINGS_READER.format(name=a, read="read_file"), a, "agent/a")
    pb = piece(SETTINGS_READER.format(name=b, read="read_file"), b, "agent/b", "app/y.py")
    assert _verified(pa, pb) is verified
    monkeypatch.setattr(duplicates, "counterparts", lambda x, y: False)
    assert _verified(pa, pb) is True  # without the rule, every one of them is a copy


@pytest.mark.parametrize(
    ("path", "example"),
    [
        ("examples/tools/image_generator.py", True),
        ("docs/examples/quickstart.ts", True),
        ("cookbook/rag/index.py", True),
        ("example/main.go", True),
        ("docs_src/lifespan/tutorial001.py", True),
        ("python/samples/02-agents/harness/claw_step01_meet_your_claw.py", True),
        ("sample/main.go", True),
        ("scripts/model_examples/xai_multiagent.py", True),
        ("packages/code-examples/stream.ts", True),
        ("src/agents/examples_loader/load.py", False),
        ("src/audio/samples.py", False),
        ("docs/index.md", False),
        ("src/main/java/com/example/app/Service.java", False),
        ("src/agents/examples.py", False),
        ("src/agents/tool.py", False),
    ],
)
def test_example_code_by_where_it_lives(path: str, example: bool) -> None:
    from idealize.repo.languages import example_path

    assert example_path(path) is example


@pytest.mark.parametrize(
    ("path_b", "verified"),
    [("examples/tools/settings_demo.py", False), ("app/plugins.py", True)],
    ids=["in-an-example", "in-the-library"],
)
def test_a_copy_in_an_example_is_a_candidate(path_b: str, verified: bool) -> None:
    """An example carries its own copy of what it needs, to be read alone (no copy
    involving an example was judged TRUE on any public range)."""
    text = SETTINGS_READER.format(name="plugin_enabled", read="read_file")
    pa = piece(text, "plugin_enabled", "agent/a")
    pb = piece(text.replace("plugin_enabled", "plugins_on"), "plugins_on", "agent/b", path_b)
    assert _verified(pa, pb) is verified


@pytest.mark.parametrize(
    ("text", "how"),
    [
        ("  async getOrCreateProvider(serverName: string, serverUrl: string) {", None),
        ("const handler = (serverUrl: string) => connect(serverUrl)", None),
        ("  const provider = new Provider({ serverUrl: url, name })", "reference"),
        ("  return connect(name, { retries: 3, serverUrl: url })", "reference"),
        ("    serverUrl: this.url,", "reference"),  # a key on its own line
    ],
    ids=["method-parameter", "arrow-parameter", "object-key", "key-in-call", "key-line"],
)
def test_a_parameter_of_a_removed_fields_name_is_not_a_use(text: str, how: str | None) -> None:
    """cline: `ClineOAuthClientProvider.serverUrl` was removed, and the parameter
    `serverUrl: string` of another method was reported as still using it."""
    from idealize.analyze.detectors.phantom import Removal, _how

    removed = Removal(
        "b", "src/mcp/manager.ts", "ClineOAuthClientProvider.serverUrl", "serverUrl", "field", None
    )
    assert _how(removed, text) == how


@pytest.mark.parametrize(
    ("text", "how"),
    [
        ("    toolkit._exit_stack = None", None),
        ("    toolkit._exit_stack = toolkit._exit_stack or AsyncExitStack()", "reference"),
        ("    await toolkit._exit_stack.aclose()", "reference"),
        ("    assert toolkit._exit_stack == None", "reference"),
        ("    toolkit._exit_stack += 1", "reference"),
    ],
    ids=["written", "written-and-read", "read", "compared", "augmented"],
)
def test_a_removed_python_attribute_only_written_is_not_a_use(text: str, how: str | None) -> None:
    """camel: #3934 removed `MCPToolkit._exit_stack`, and a test that still set it on a
    hand-built toolkit was reported as code that fails; setting an attribute never fails in
    Python (judged DEBATABLE: "nothing reads it"). A line that also reads it is a use."""
    from idealize.analyze.detectors.phantom import Removal, _how

    removed = Removal(
        "b", "camel/toolkits/mcp_toolkit.py", "MCPToolkit._exit_stack", "_exit_stack", "field", None
    )
    assert _how(removed, text) == how


def test_a_tests_copy_of_code_outside_tests_is_a_candidate() -> None:
    """cline: an e2e mock server answered like the real endpoint it mirrors; OpenHands: a
    stress test re-typed an eval config. A test's copy is drift only when the code outside
    tests is copied too (mux: one helper pasted into four services and a test)."""
    from idealize.analyze.detectors.duplicates import find_duplicates

    body = "".join(
        f"    events.append(wait_for(session, 'step-{n}', timeout=5))\n" for n in range(30)
    )
    text = f"def collect_events(session):\n    events = []\n{body}    return events\n"

    def tiers(*places: tuple[str, str]) -> list[str]:
        found = find_duplicates([piece(text, "collect_events", b, path) for b, path in places])
        return [f.tier for f in found]

    assert tiers(("agent/a", "app/events.py"), ("agent/b", "app/replay.py")) == ["finding"]
    assert tiers(("agent/a", "app/events.py"), ("agent/b", "tests/test_replay.py")) == ["candidate"]
    both = tiers(
        ("agent/a", "app/events.py"), ("agent/b", "app/replay.py"), ("agent/c", "tests/test_x.py")
    )
    assert both == ["finding"]


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ('def f():\n    """Doc.\n\n    More.\n    """\n    return g()\n', 1),
        ("@router.get('/x')\ndef f():\n    # why\n    return g()\n", 1),  # not the def line
        ("@router.get(\n    '/x',\n)\ndef f():\n    return g()\n", 1),
        ("def f(\n    self,\n    text: str,\n) -> Stream:\n    return Stream(text)\n", 1),
        ("function f() {\n  // why\n  /* and\n     how */\n  return g();\n}\n", 1),
        ("def f(a):\n    b = a + 1\n    c = b * 2\n    return c\n", 3),
        ("const f = () => g();", 0),
    ],
)
def test_code_lines_leave_out_docs_comments_and_closers(text: str, lines: int) -> None:
    from idealize.analyze.features import code_lines

    assert len(code_lines(text)) == lines


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("def f(a, b=1):\n    return a\n", ("a", "b")),
        ("@cache\ndef f(a):\n    return a\n", ("a",)),
        (
            '@deprecated(\n    "`f` is deprecated since 1.8 (use `g()`). "\n    "Gone in 2.0."\n)\n'
            "def f(\n    self,\n    *names: str,\n    label: str | None = None,\n) -> None:\n"
            "    pass\n",
            ("names", "label"),
        ),
        ("@app.get('/x')\n@auth(scopes=['a'])\ndef f(q: str):\n    return q\n", ("q",)),
    ],
)
def test_a_headers_parameters_leave_its_decorators_out(text: str, names: tuple[str, ...]) -> None:
    from idealize.analyze.features import header, parameters

    assert parameters(header(text), "python") == names


UPDATE_ISSUE = """def update_issue(client, issue_id, changes):
    issue = client.http.get(client.base + "/api/remote/issues/{id}".format(id=issue_id)).json()
    merged = {**issue, **changes, "version": issue["version"] + 1}
    url = client.base + "/api/remote/issues/{id}".format(id=issue_id)
    return client.http.patch(url, json=merged).json()
"""
START_SESSION = """def start_workspace_session(client, issue_id, repo):
    issue = client.http.get(client.base + "/api/remote/issues/{id}".format(id=issue_id)).json()
    prompt = issue["title"] + "\\n\\n" + issue["description"]
    body = {"repo": repo, "prompt": prompt}
    return client.http.{method}(client.base + "{path}", json=body).json()
"""


@pytest.mark.parametrize(
    ("method", "path", "verified"),
    [
        # one GETs an issue to PATCH it, the other to POST a new workspace: two operations
        ("post", "/api/task-attempts/create-and-start", False),
        # the other PATCHes the same issue too: the same operation, twice
        ("patch", "/api/remote/issues/{id}", True),
    ],
)
def test_a_shared_lookup_before_two_operations_is_no_same_request(
    method: str, path: str, verified: bool
) -> None:
    """vibe-kanban: `update_issue` and `start_workspace_session` both GET the remote issue
    first, then one PATCHes it and the other POSTs a new workspace. The one shared GET was
    reported as 'the same request' and made the pair a finding."""
    b = START_SESSION.replace("{method}", method).replace("{path}", path)
    pa = piece(UPDATE_ISSUE, "update_issue", "agent/a")
    pb = piece(b, "start_workspace_session", "agent/b", "app/y.py")
    fa, fb = _feature_set(pa), _feature_set(pb)
    others = [_feature_set(piece(PARSE_A, "parse_version")), _feature_set(piece(SLUG_B, "slugify"))]
    match = score_pair(pa, pb, fa, fb, _idf([fa, fb, *others]))
    assert match is not None
    assert match.verified is verified, match
    assert any(e.startswith("the same request: GET") for e in match.evidence) is verified


def _verified_first_pair(
    usable: list[Piece],
) -> tuple[dict[tuple[int, int], Match], list[set[str]], dict[str, float]]:
    """The first two pieces scored as a pair among all of them, which must be verified to
    begin with (the rules after scoring can only take that back), with the features and
    their rarity."""
    feats = [_feature_set(p) for p in usable]
    idf = _idf(feats)
    scored = score_pair(usable[0], usable[1], feats[0], feats[1], idf)
    assert scored is not None and scored.verified, "the pair must be verified to begin with"
    return {(0, 1): scored}, feats, idf


UPSERT_CULTURE = """def upsert_cultural_knowledge(self, knowledge):
    table = self._table("culture")
    existing = self.client.get_item(TableName=table, Key={"pk": knowledge.id})
    record = knowledge.to_dict()
    if existing and "Item" in existing:
        record["created_at"] = existing["Item"]["created_at"]
    record["updated_at"] = int(time.time())
    record["categories"] = sorted(set(knowledge.categories or []))
    self.client.put_item(TableName=table, Item=serialize_item(record), Condition="attribute_not_exists(locked)")
    if knowledge.summary and len(knowledge.summary) > MAX_SUMMARY:
        knowledge.summary = knowledge.summary[:MAX_SUMMARY]
    for principle in knowledge.principles or []:
        self.client.put_item(TableName=self._table("principles"), Item=serialize_item(principle.as_row(knowledge.id)))
    audit_trail.record_change(knowledge.id, knowledge.version, record)
    log_debug("Upserted %s", knowledge.id)
    return CulturalKnowledge.from_dict(record)
"""
# another record, on another store, in the same upsert idiom
UPSERT_MEMORY = """def upsert_user_memory(self, memory):
    key = self._key("memories")
    previous = self.valkey.hgetall(key)
    payload = memory.to_dict()
    if previous and "Item" in previous:
        payload["created_at"] = previous["Item"]["created_at"]
    payload["updated_at"] = int(time.time())
    payload["topics"] = [t.lower() for t in memory.topics or []]
    self.valkey.sadd(f"user_memories:{memory.user_id}", memory.memory_id)
    self.valkey.set(key, json.dumps(payload), Condition="attribute_not_exists(locked)")
    if memory.embedding is not None:
        self.vectors.add(memory.memory_id, memory.embedding, namespace=memory.user_id)
    for topic in payload["topics"]:
        self.valkey.zincrby(f"topic_counts:{memory.user_id}", 1, topic)
    expire_after = self.retention.for_user(memory.user_id)
    log_debug("Upserted %s", memory.memory_id)
    return UserMemory.from_dict(payload)
"""
# the same record's upsert written again, in another order and other words
UPSERT_CULTURE_AGAIN = """def upsert_culture(self, knowledge):
    table = self._table("culture")
    record = knowledge.to_dict()
    record["updated_at"] = int(time.time())
    existing = self.client.get_item(TableName=table, Key={"pk": knowledge.id})
    if not existing or "Item" not in existing:
        record["created_at"] = record["updated_at"]
    else:
        record["created_at"] = existing["Item"]["created_at"]
    audit_trail.record_change(knowledge.id, knowledge.version, record)
    principles = knowledge.principles or []
    principles_table = self._table("principles")
    for principle in principles:
        row = principle.as_row(knowledge.id)
        self.client.put_item(TableName=principles_table, Item=serialize_item(row))
    if knowledge.summary:
        knowledge.summary = knowledge.summary[:MAX_SUMMARY]
    categories = knowledge.categories or []
    record["categories"] = sorted(set(categories))
    self.client.put_item(TableName=table, Item=serialize_item(record), Condition="attribute_not_exists(locked)")
    log_debug("Upserted %s", knowledge.id)
    return CulturalKnowledge.from_dict(record)
"""
SAVE_IDIOM = """def save_{name}(self, {name}):
    previous = self.client.find(self._table, {name}.id)
    payload = {name}.to_dict()
    payload.update(previous or dict())
    self.client.store(self._key, payload, int(time.time()))
    log_debug({name}.id, previous, payload)
    return {cls}.from_dict(payload)
"""


@pytest.mark.parametrize(
    ("other", "name", "verified"),
    [(UPSERT_MEMORY, "upsert_user_memory", False), (UPSERT_CULTURE_AGAIN, "upsert_culture", True)],
    ids=["other-record", "same-record"],
)
def test_a_pair_of_other_names_by_rarity_is_one_idiom(
    other: str, name: str, verified: bool
) -> None:
    """agno: the upsert of cultural knowledge on one store and of a user memory on another
    shared literals (`updated_at`, `Item`) and part of a shape, and were verified; what they
    work on (`knowledge`, `principles`; `memory`, `topics`) has nearly no name in common,
    while the idiom's own names (`to_dict`, `log_debug`) are held by the whole store. The
    same record's upsert written again, in another order, shares those rare names."""
    from idealize.analyze.detectors.duplicates import _vocabularies

    kinds = ["session", "team", "workflow", "metric", "eval_run", "trace", "span", "schedule"]
    corpus = [
        piece(SAVE_IDIOM.format(name=n, cls=n.title()), f"save_{n}", None, f"db/{n}.py")
        for n in kinds
    ]
    usable = [
        piece(UPSERT_CULTURE, "upsert_cultural_knowledge", "agent/a", "db/dynamo.py"),
        piece(other, name, "agent/b", "db/valkey.py"),
        *corpus,
    ]
    best, _, _ = _verified_first_pair(usable)
    assert best[(0, 1)].structure < DuplicateParams().vocabulary_structure
    _vocabularies(best, usable, DuplicateParams())
    assert best[(0, 1)].verified is verified
    assert ("one idiom over other things" in best[(0, 1)].evidence[-1]) is not verified


SPAN_WRAPPER = """def {name}(self, options):
    return start_active_span(
        "{repo}_repository.{name}",
        lambda: self.clickhouse_{repo}.{call}(options),
        attributes={{
            "repository.name": "clickhouse",
            "organization_id": options.organization_id,
            "project_id": options.project_id,
            "environment_id": options.environment_id,
        }},
    )
"""


@pytest.mark.parametrize(("holders", "verified"), [(0, True), (6, False)])
def test_wrappers_of_other_operations_in_one_idiom_are_no_copy(
    holders: int, verified: bool
) -> None:
    """trigger.dev: repository methods each wrapping its own ClickHouse query in one tracing
    span (`listRunIds`, `countDeliveries`) shared the span's attributes and their whole
    shape. Every repository method there holds those literals: a wrapper idiom over two
    operations. Where no other definition holds them, the pair stays a copy."""
    from idealize.analyze.detectors.duplicates import _idiom_delegates

    corpus = [
        piece(
            SPAN_WRAPPER.format(name=f"op_{i}", repo=f"r{i}", call=f"query_{i}"),
            f"op_{i}",
            None,
            f"repos/r{i}.py",
        )
        for i in range(holders)
    ]
    corpus += [piece(FILLER.format(i=i), f"filler_{i}", None, f"lib/f{i}.py") for i in range(30)]
    usable = [
        piece(
            SPAN_WRAPPER.format(name="list_run_ids", repo="runs", call="list_run_ids"),
            "list_run_ids",
            "agent/a",
            "repos/runs.py",
        ),
        piece(
            SPAN_WRAPPER.format(
                name="count_deliveries", repo="deliveries", call="count_deliveries"
            ),
            "count_deliveries",
            "agent/b",
            "repos/deliveries.py",
        ),
        *corpus,
    ]
    best, feats, idf = _verified_first_pair(usable)
    _idiom_delegates(best, usable, feats, idf, DuplicateParams())
    assert best[(0, 1)].verified is verified
    assert ("one wrapper idiom" in best[(0, 1)].evidence[-1]) is not verified


NEXT_STEPS = """function displaySuggestedNextSteps(projectName) {
  const steps = [
    `${chalk.white("1.")} Run ${chalk.cyan("task-master parse-prd")} on ${projectName}`,
    `${chalk.white("2.")} Run ${chalk.cyan("task-master next")} to pick a task`,
    `${chalk.white("3.")} Run ${chalk.cyan("task-master expand --all")} for subtasks`,
  ];
  console.log(
    boxen(chalk.white.bold("Next steps") + "\\n\\n" + steps.join("\\n"), {
      padding: 1,
      borderColor: "{colour}",
      borderStyle: "{border}",
      margin: { top: 1 },
    })
  );
}
"""
PATTERNS = """function displayCodebasePatterns(patterns, root) {
  const relative = patterns.map((p) => path.relative(root, p.file));
  const lines = patterns.map((p, i) => `${chalk.yellow("-")} ${p.name} in ${relative[i]}`);
  if (!lines.length) {
    lines.push(chalk.dim("no recurring patterns found"));
  }
  console.log(
    boxen(chalk.white.bold("Codebase patterns") + "\\n\\n" + lines.join("\\n"), {
      padding: 1,
      borderColor: "{colour}",
      borderStyle: "{border}",
      margin: { top: 1 },
    })
  );
}
"""


def test_a_box_drawn_alike_does_not_spell_a_concept() -> None:
    """claude-task-master: two terminal panels of other content (next steps to run, the
    patterns found in a code base) were told by their box's colour, border and the blank
    line under the title (judged FALSE). A styling option's value says how something looks,
    and a literal of line breaks says nothing."""
    steps = NEXT_STEPS.replace("{colour}", "gray").replace("{border}", "round")
    found = PATTERNS.replace("{colour}", "gray").replace("{border}", "round")
    a = piece(steps, "displaySuggestedNextSteps", "agent/a", "src/ui/steps.js", "javascript")
    b = piece(found, "displayCodebasePatterns", "agent/b", "src/ui/patterns.js", "javascript")
    assert not _verified(a, b)


def test_a_styling_option_is_how_something_looks() -> None:
    assert styling("boxen(text, { borderColor: 'gray', borderStyle: 'round' })", "gray")
    assert styling('<Box borderStyle="round" />', "round")
    assert not styling("const status = 'gray'; report(status)", "gray")
    assert not styling("if (kind === 'round') return trip()", "round")


GET_JSON = """def get_json(self, path):
    response = requests.get(self.base + path, timeout=10)
    response.raise_for_status()
    return response.json()
"""
MODELS_VIA_CLIENT = '''def list_models(self):
    """Names of the models the server has, sorted."""
    payload = self.client.get_json("/api/tags")
    return sorted(model["name"] for model in payload.get("models", []))
'''
MODELS_DIRECT = '''def fetch_available(self):
    """Fetch the names of the available models from the server."""
    response = requests.get(self.host + "/api/tags", timeout=10)
    data = response.json()
    return [entry["name"] for entry in data.get("models", [])]
'''


def test_what_helpers_do_is_read_from_the_pieces_of_each_call() -> None:
    """What a definition does through a helper one call away (`client.get_json` makes an
    HTTP GET) was kept between calls under the id of the list of pieces: a list used again
    with other pieces, or a new one at a freed list's address (several ranges analysed in
    one process), read the table of the one before, and the plan depended on what ran
    earlier."""
    from idealize.analyze.detectors.duplicates import find_duplicates

    fillers = [piece(FILLER.format(i=i), f"filler_{i}", None, f"lib/f{i}.py") for i in range(20)]
    pieces = list(fillers)
    find_duplicates(pieces)  # an earlier analysis, without the helper
    pieces[:] = [
        piece(GET_JSON, "get_json", None, "hub/client.py"),
        piece(MODELS_VIA_CLIENT, "list_models", "agent/a", "hub/discovery.py"),
        piece(MODELS_DIRECT, "fetch_available", "agent/b", "hub/registry.py"),
        *fillers,
    ]
    found = find_duplicates(pieces)
    assert [f.evidence[0] for f in found] == ["the same request: GET /api/tags"], found


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("handler#2", "handler"),
        ("Client.fetch#3", "Client.fetch"),
        ("SpeechStream.#connectWS", "SpeechStream.#connectWS"),
        ("SpeechStream.#connectWS#2", "SpeechStream.#connectWS"),
    ],
)
def test_a_private_javascript_name_keeps_its_hash(name: str, base: str) -> None:
    """livekit/agents-js: `SpeechStream.#connectWS` lost everything after its `#`, taken for
    the suffix of a redefinition, and was compared as a method with no name ("names
    `connect` ~ `` share: connect")."""
    from idealize.repo.symbols import unsuffixed

    assert unsuffixed(name) == base
    assert piece("x = 1\n", name).short == unsuffixed(name).rsplit(".", 1)[-1]


_SEEDED = """
from idealize.analyze.detectors.duplicates import DuplicateParams, Profile, score_pair
from tests.unit.test_rules import piece
fa = {f"c:call_{n}" for n in range(60)} | {f"s:literal {n}" for n in range(40)}
fb = set(sorted(fa)[::2]) | {f"c:other_{n}" for n in range(30)}
idf = {f: 10.0 ** ((n % 9) - 4) * (1 + n / 7) for n, f in enumerate(sorted(fa | fb))}
a = piece("def a():\\n    return call_1(x) + call_2(y)\\n", "a", "agent/a")
b = piece("def b():\\n    return call_1(x) + call_2(y)\\n", "b", "agent/b", "app/y.py")
pa, pb = Profile.of(a, fa, idf, DuplicateParams()), Profile.of(b, fb, idf, DuplicateParams())
m = score_pair(a, b, fa, fb, idf, DuplicateParams(), pa, pb)
print(repr(pa.weight), repr(pb.weight), repr(pa.literal_weight), m and repr(m.score))
"""


def test_a_pairs_weights_and_score_are_the_same_under_every_hash_seed() -> None:
    """A set of strings is iterated in another order under another hash seed, and a float
    sum over it in that order differs in its last bits: on claude-code-router that reordered
    ties between 65 identical helpers, so two runs listed other copies. Every sum over a
    set of features is exact, whatever the order."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    printed = {
        subprocess.run(
            [sys.executable, "-c", _SEEDED],
            capture_output=True,
            text=True,
            check=True,
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in range(6)
    }
    assert len(printed) == 1, printed


RECORD_TEMPLATE = """// Agento11yTemplateDefinition is a list item from /eval/templates.
type Agento11yTemplateDefinition struct {
	TemplateID    string     `json:"template_id"`
	Scope         string     `json:"scope"` // global, tenant
	Kind          string     `json:"kind"`
	Description   string     `json:"description,omitempty"`
	TenantID      string     `json:"tenant_id,omitempty"`
	CreatedBy     string     `json:"created_by,omitempty"`
	UpdatedBy     string     `json:"updated_by,omitempty"`
	DeletedAt     *time.Time `json:"deleted_at,omitempty"`
	CreatedAt     time.Time  `json:"created_at,omitzero"`
	UpdatedAt     time.Time  `json:"updated_at,omitzero"`
}
"""

RECORD_COLLECTION = """// Agento11yCollection is a named set of evaluators.
type Agento11yCollection struct {
	CollectionID string    `json:"collection_id"`
	Name         string    `json:"name"`
	Description  string    `json:"description,omitempty"`
	MemberCount  int       `json:"member_count"`
	TenantID     string    `json:"tenant_id,omitempty"`
	CreatedBy    string    `json:"created_by,omitempty"`
	UpdatedBy    string    `json:"updated_by,omitempty"`
	CreatedAt    time.Time `json:"created_at,omitzero"`
	UpdatedAt    time.Time `json:"updated_at,omitzero"`
}
"""


@pytest.mark.parametrize("same_fields", [False, True], ids=["own-ids", "same-fields"])
def test_records_sharing_only_their_audit_fields_are_no_copy(same_fields: bool) -> None:
    """grafana/mcp-grafana: an evaluator, a template and a collection, each with its own id
    and fields, were "the same values declared twice" by the tags of the audit fields they
    share (`tenant_id`, `created_by`, ...). Records that declare mostly other fields are
    other records; with the same fields under another name, they are one record."""
    from dataclasses import replace

    from idealize.analyze.detectors.duplicates import _feature_set, score_pair

    def record(text: str, name: str, branch: str, path: str) -> Piece:
        body = text[text.index("type ") :]
        return replace(piece(body, name, branch, path, "go"), kind="struct")

    other = (
        RECORD_TEMPLATE.replace("Agento11yTemplateDefinition", "Agento11yCollection")
        if same_fields
        else RECORD_COLLECTION
    )
    a = record(RECORD_TEMPLATE, "Agento11yTemplateDefinition", "agent/a", "tools/templates.go")
    b = record(other, "Agento11yCollection", "agent/b", "tools/collections.go")
    fa, fb = _feature_set(a), _feature_set(b)
    m = score_pair(a, b, fa, fb, {f: 4.0 for f in fa | fb})  # every feature as rare
    assert m is not None
    assert m.verified is same_fields, m.evidence


@pytest.mark.parametrize(
    ("old", "new", "tier"),
    [
        ("api/v1/status.py", "api/v2/status.py", "candidate"),
        ("api/status.py", "api/v2/status.py", "candidate"),
        ("src/api/v1beta/status.ts", "src/api/v2/status.ts", "candidate"),
        ("api/status.py", "api/v2/status_v2.py", "finding"),  # another file: not a version
        ("api/status.py", "lib/status.py", "finding"),
    ],
    ids=["v1-v2", "unversioned-v2", "beta", "renamed-file", "other-folder"],
)
def test_one_file_in_two_versions_of_an_api_is_a_candidate(old: str, new: str, tier: str) -> None:
    """firecrawl (held out, judged on its first run): nsc/v2 forked the v1 controllers and
    search providers into `v2/` folders on purpose; eight such copies were judged DEBATABLE.
    `search/v2/fireEngine-v2.ts`, a copy nothing used, was TRUE and stays a finding."""
    from idealize.analyze.detectors.duplicates import find_duplicates

    body = "".join(
        f"    events.append(wait_for(session, 'step-{n}', timeout=5))\n" for n in range(30)
    )
    text = f"def collect_events(session):\n    events = []\n{body}    return events\n"
    language = "typescript" if old.endswith(".ts") else "python"
    found = find_duplicates(
        [
            piece(text, "collect_events", None, old, language),
            piece(text, "collect_events", "agent/v2", new, language),
        ]
    )
    assert [f.tier for f in found] == [tier]


MONITOR = """def {name}(client, job_id, poll_interval=2):
    while True:
        response = client.get(f"/v1/crawl/{{job_id}}", headers=client.headers())
        status = response.json()
        if status["status"] == "completed":
            data = status.get("data", [])
            while "next" in status:
                status = client.get(status["next"]).json()
                data.extend(status.get("data", []))
            return data
        if status["status"] not in ("active", "paused", "pending", "queued", "waiting"):
            raise Exception(f"crawl job failed or stopped: {{status['status']}}")
        time.sleep(max(poll_interval, 2))
"""

CHECK = """def check_status(client, job_id):
    response = client.get(f"/v1/crawl/{job_id}", headers=client.headers())
    status = response.json()
    data = status.get("data", [])
    if status["status"] == "completed":
        while "next" in status:
            status = client.get(status["next"]).json()
            data.extend(status.get("data", []))
    if status["status"] not in ("active", "paused", "pending", "queued", "waiting", "completed"):
        raise Exception(f"crawl job failed or stopped: {status['status']}")
    return {"status": status["status"], "data": data, "total": status.get("total")}
"""


@pytest.mark.parametrize("wrote_backup", [True, False])
def test_a_copied_file_is_compared_with_its_namesakes_not_their_siblings(
    wrote_backup: bool,
) -> None:
    """firecrawl (held out): nsc/v2 copied the Python client into `v1/client.py`, its class
    renamed, and kept the old file as a backup. The copied `monitor_status` resembles the
    old file's `check_status` only as the two siblings always did; grouped together, that
    was judged FALSE twice. (The namesakes, methods of two classes, are compared as one
    interface's: not here.)"""
    from idealize.analyze.detectors.duplicates import find_duplicates

    def method(text: str, symbol: str, branch: str | None, path: str) -> Piece:
        return dataclasses.replace(piece(text, symbol, branch, path), kind="method")

    monitor = MONITOR.format(name="monitor_status")
    found = find_duplicates(
        [
            method(monitor, "App.monitor_status", None, "sdk/client_backup.py"),
            method(CHECK, "App.check_status", None, "sdk/client_backup.py"),
            method(monitor, "V1App.monitor_status", "nsc/v2", "sdk/v1/client.py"),
            method(CHECK, "V1App.check_status", "nsc/v2", "sdk/v1/client.py"),
        ],
        wrote=lambda branch, path: branch == "nsc/v2" and wrote_backup,
    )
    groups = [[(loc.path, loc.symbol) for loc in f.locations] for f in found]
    # the backup written by another line of work (or already there): another service's
    # methods, which a copy may well repeat (mux's cloned OAuth services)
    assert (groups == []) is wrote_backup


OPENAI_RESULT = """function convertToolResultOutput(output: ToolResultOutput) {
  switch (output.type) {
    case 'text':
    case 'error-text':
      return { type: 'function_call_output', output: output.value };
    case 'json':
    case 'error-json':
      return { type: 'function_call_output', output: JSON.stringify(output.value) };
    case 'execution-denied':
      return { type: 'function_call_output', output: output.reason ?? 'denied by the user' };
    case 'content':
      return {
        type: 'function_call_output',
        output: output.value.map(item =>
          item.type === 'file' && getTopLevelMediaType(item.mediaType) === 'image'
            ? { type: 'input_image', image_url: `data:${item.mediaType};base64,${item.data}` }
            : { type: 'input_text', text: JSON.stringify(item) },
        ),
      };
  }
}
"""

GOOGLE_RESULT = """function convertToolResultPart(part: ToolResultPart, warnings: Warning[]) {
  const output = part.output;
  switch (output.type) {
    case 'text':
      return { type: 'function_result', name: part.toolName, result: output.value };
    case 'json':
      return { type: 'function_result', name: part.toolName, result: output.value };
    case 'error-text':
    case 'error-json':
      return { type: 'function_result', name: part.toolName, is_error: true, result: String(output.value) };
    case 'execution-denied':
      return { type: 'function_result', name: part.toolName, is_error: true, result: 'denied' };
    case 'content': {
      const blocks = [];
      for (const item of output.value) {
        if (item.type === 'file' && getTopLevelMediaType(item.mediaType) === 'image') {
          blocks.push({ type: 'image', data: item.data, mime_type: item.mediaType });
        } else {
          warnings.push({ type: 'other', message: `unsupported part ${JSON.stringify(item)}` });
        }
      }
      return { type: 'function_result', name: part.toolName, result: blocks };
    }
  }
}
"""


@pytest.mark.parametrize(
    ("text", "literal", "tested"),
    [
        ("switch (o.type) {\n  case 'error-json':\n    return 1;\n}", "error-json", True),
        ('switch kind {\ncase "a", "error-json":\n\treturn 1\n}', "error-json", True),
        ("if (item.type === 'file') {", "file", True),
        ("if ('file' != kind) {", "file", True),
        ("const kind = 'file';", "file", False),
        ("send({ type: 'file', data })", "file", False),
    ],
    ids=["case", "go-case", "equals", "not-equals-first", "assigned", "sent"],
)
def test_a_value_a_switch_or_a_test_tells_apart(text: str, literal: str, tested: bool) -> None:
    from idealize.analyze.detectors.literals import tested_value

    assert tested_value(text, literal) is tested


def test_two_functions_over_one_union_are_no_copy() -> None:
    """vercel/ai (held out, judged on its first run): OpenAI's and Google's converters of one
    tool-result union share its values (`'error-json'`, `'execution-denied'`, `'file'`) by
    construction and map them to other formats (judged FALSE). The same converter pasted
    twice is still a copy."""
    openai = piece(
        OPENAI_RESULT, "convertToolResultOutput", "agent/a", "openai/input.ts", "typescript"
    )
    google = piece(GOOGLE_RESULT, "convertToolResultPart", None, "google/input.ts", "typescript")
    assert not _verified(openai, google)
    pasted = piece(OPENAI_RESULT, "convertToolResultOutput", None, "google/input.ts", "typescript")
    assert _verified(openai, pasted)


def test_decorators_end_where_their_brackets_close() -> None:
    """A decorator may span lines (`@click.option(` over five); a `)` inside its strings
    closes nothing; Rust's attributes and TypeScript's decorators are read alike."""
    from idealize.analyze.features import decorators

    python = '@cli.command(name="x)")\n@click.option(\n    "--level",\n    help="(the level",\n)\ndef run(level):\n    return level\n'
    head, body = decorators(python)
    assert head.splitlines()[-1] == ")" and body.startswith("def run(level):")
    rust = "#[tauri::command]\n#[allow(clippy::too_many_arguments)]\npub fn open(path: &str) -> bool {\n    true\n}"
    assert decorators(rust)[1].startswith("pub fn open")
    ts = "@Get(':id')\n@UseGuards(AuthGuard, [RoleGuard])\nfindOne(id: string) {\n  return id;\n}"
    assert decorators(ts)[1].startswith("findOne(")
    plain = "def f():\n    # a comment\n    return 1\n"
    assert decorators(plain) == ("", plain)


def _divergence(title: str) -> Finding:
    return Finding("", "divergence", title, 0.8, "static", (), (), "")


@pytest.mark.parametrize(
    ("claims", "tiers"),
    [
        # each replaces `Tracer` while the other extends it: neither replacement holds
        (
            [("Tracer", "#1", frozenset({"#2"})), ("Tracer", "#2", frozenset({"#1"}))],
            ["candidate", "candidate"],
        ),
        # two replacements of one mechanism, each extended by a third line of work
        (
            [("Tracer", "#1", frozenset({"#3"})), ("Tracer", "#2", frozenset({"#3"}))],
            ["finding", "finding"],
        ),
        # mirrored, but of two mechanisms
        (
            [("Tracer", "#1", frozenset({"#2"})), ("Span", "#2", frozenset({"#1"}))],
            ["finding", "finding"],
        ),
        # a line of work that only added uses (no extension) mirrors nothing
        ([("Tracer", "#1", frozenset({"#2"})), ("Tracer", "#2", frozenset())], ["finding"] * 2),
    ],
    ids=["mirrored", "one-extender", "two-mechanisms", "uses-only"],
)
def test_a_mirrored_replacement_is_only_a_lead(
    claims: list[tuple[str, str, frozenset[str]]], tiers: list[str]
) -> None:
    found = [
        ((mech, frozenset({a})), _divergence(f"{a} replaces `{mech}`")) for mech, a, _ in claims
    ]
    out = _mirrored(found, claims)
    assert [f.tier for _, f in out] == tiers
    assert [cause for cause, _ in out] == [cause for cause, _ in found]


ENQUEUE_DELAYED = """def enqueue_delayed_run(run, engine):
    if run.status != "DELAYED":
        return None
    snapshot = engine.snapshot(run.id, status="PENDING", reason="delay elapsed")
    engine.emit("runDelayedEnqueued", run_id=run.id, at=datetime.now())
    engine.enqueue_run(run, snapshot, queue="delayed-runs")
    return snapshot
"""
# a parked run's promotion: it hands the run on, by name, to the job above
PROMOTE_PARKED = """def promote_parked_run(run, engine):
    if run.status != "PENDING_VERSION":
        return None
    snapshot = engine.snapshot(run.id, status="DELAYED", reason="version ready")
    engine.emit("runPromoted", run_id=run.id, at=datetime.now())
    engine.worker.schedule(job="{job}", run_id=run.id, queue="delayed-runs", status="PENDING")
    return snapshot
"""


@pytest.mark.parametrize(
    ("job", "verified"), [("enqueue_delayed_run", False), ("retry_parked_run", True)]
)
def test_a_definition_that_hands_work_to_the_other_by_name_is_no_copy(
    job: str, verified: bool
) -> None:
    """trigger.dev: a parked run's promotion schedules the `enqueueDelayedRun` job, and was
    matched with that job's handler through the statuses and the job's name they share
    (judged FALSE: it delegates to the handler). A shared literal that spells one side's
    own compound name is the hand-over, not a copy; naming some other job, the pair stays
    verified."""
    corpus = [piece(FILLER.format(i=i), f"filler_{i}", None, f"lib/f{i}.py") for i in range(12)]
    a = piece(ENQUEUE_DELAYED, "enqueue_delayed_run", None, "engine/delayed.py")
    b = piece(PROMOTE_PARKED.format(job=job), "promote_parked_run", "agent/b", "engine/parked.py")
    feats = [_feature_set(p) for p in (a, b, *corpus)]
    idf = _idf(feats)
    scored = score_pair(a, b, feats[0], feats[1], idf)
    assert scored is not None
    assert scored.verified is verified, scored.evidence

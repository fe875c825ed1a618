"""No secret leaves the machine: a planted corpus of 38 kinds of secret (in code, diffs, commit
messages, a file name, configuration files and AGENTS.md) never reaches a rendered prompt or
a request body, checked on the bytes the SDKs' transports send; excluded files send nothing,
not even their diffs. Each end-to-end check first shows, with the redactor switched off,
that the same corpus does reach the provider: the placement is real, the test can fail."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import httpx2 as httpx
import pytest
from typer.testing import CliRunner

from idealize.cli import app
from idealize.config import Config
from idealize.llm.providers import make_provider
from idealize.llm.redact import Redactor
from idealize.pipeline import run
from tests.conftest import Repo
from tests.fake_server import FakeServer, chat
from tests.hostile.conftest import assert_error, snapshot
from tests.hostile.secret_corpus import ALL, EXCLUDED_MARKERS, SECRETS, Secret, build

runner = CliRunner()
ANSWER = json.dumps(
    {
        "ideal": "x",
        "verdicts": [],
        "findings": [],
        "decision": "d",
        "steps": [],
        "open_questions": [],
        "agents_md": "",
    }
)


def _forms(value: str) -> list[bytes]:
    """The secret as it would appear in a JSON request body, escaped or not."""
    return [value.encode(), json.dumps(value)[1:-1].encode()]


def _leaks(sent: bytes, secrets: list[Secret]) -> list[str]:
    return [s.kind for s in secrets if any(form in sent for form in _forms(s.value))]


@contextmanager
def _unredacted() -> Iterator[None]:
    """The control: no redaction and no exclusion."""
    with (
        mock.patch.object(Redactor, "__call__", lambda self, text, filename="": text),
        mock.patch.object(Redactor, "excluded", lambda self, path: False),
    ):
        yield


@pytest.fixture(scope="module")
def corpus_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(Repo(tmp_path_factory.mktemp("corpus") / "repo"))


@pytest.mark.parametrize("secret", ALL, ids=[s.kind for s in ALL])
def test_the_redactor_removes_each_kind(secret: Secret) -> None:
    redact = Redactor()
    filename = {"config": "config/app.yaml", "commit": "COMMIT_EDITMSG", "docs": "AGENTS.md"}.get(
        secret.where, "app/client.py"
    )
    text = secret.text or f"keys/{secret.value}.txt"
    clean = redact(text, filename)
    assert secret.value not in clean and "[REDACTED" in clean
    assert redact.total >= 1


def test_a_batch_of_redactions_finds_every_kind_and_puts_the_settings_back() -> None:
    """The model stage redacts under detect-secrets' settings set once for the batch
    (``Redactor.scanning``): every kind is still found (the allowlist comment still counts
    for nothing), and the process-global settings are as they were afterwards."""
    from detect_secrets.settings import get_settings

    before = get_settings().json()
    redact = Redactor()
    with redact.scanning():
        assert get_settings().json() != before  # held for the batch
        for secret in ALL:
            text = secret.text or f"keys/{secret.value}.txt"
            clean = redact(text, "config/app.yaml" if secret.where == "config" else "app/x.py")
            assert secret.value not in clean, secret.kind
        key = "sk_live_" + "a1B2c3D4" * 3
        assert key not in redact(f'STRIPE = "{key}"  # pragma: allowlist secret', "app.py")
    assert get_settings().json() == before
    # two runs' batches that overlap without nesting: the second still redacts after the
    # first ends, and the settings come back only when both have
    first, second = Redactor().scanning(), Redactor()
    first.__enter__()
    with second.scanning():
        first.__exit__(None, None, None)
        assert key not in second(f'STRIPE = "{key}"', "app.py")
    assert get_settings().json() == before


def _sdk_client(kind: str, sent: list[bytes]) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.content)
        if kind == "anthropic":
            return httpx.Response(
                200,
                json={
                    "id": "m",
                    "type": "message",
                    "role": "assistant",
                    "model": "claude-sonnet-5-5",
                    "content": [{"type": "text", "text": ANSWER}],
                    "stop_reason": "end_turn",
                    "stop_sequence": None,
                    "usage": {"input_tokens": 10, "output_tokens": 5},
                },
            )
        return httpx.Response(200, json=json.loads(json.dumps(chat(ANSWER)[1])))

    return httpx.Client(transport=httpx.MockTransport(handler))


def _run_through_sdk(kind: str, repo: Path, out: Path) -> bytes:
    sent: list[bytes] = []
    spec = "anthropic/claude-sonnet-5-5" if kind == "anthropic" else "openai/gpt-5.5"
    provider = make_provider(
        spec,
        env={"ANTHROPIC_API_KEY": "k", "OPENAI_API_KEY": "k"},
        http_client=_sdk_client(kind, sent),
    )
    config = Config(
        repo=repo,
        branches=("agent/a", "agent/b"),
        into="main",
        model=spec,
        run_dir=out,
        cache_dir=out / "cache",
        patches=False,
    )
    run(config, provider)
    assert sent, "requests were sent"
    return b"\n".join(sent)


@pytest.mark.parametrize("kind", ["anthropic", "openai"])
def test_no_planted_secret_reaches_a_request_body(
    kind: str, corpus_repo: Path, tmp_path: Path
) -> None:
    with _unredacted():
        control = _run_through_sdk(kind, corpus_repo, tmp_path / "control")
    assert _leaks(control, ALL) == [s.kind for s in ALL], "every secret is placed where it is sent"
    assert all(m.encode() in control for m in EXCLUDED_MARKERS)
    sent = _run_through_sdk(kind, corpus_repo, tmp_path / "run")
    assert _leaks(sent, ALL) == []
    prompts = "\n".join(p.read_text() for p in (tmp_path / "run" / "prompts").glob("*.md"))
    assert [s.kind for s in ALL if s.value in prompts] == []


@pytest.mark.parametrize("kind", ["anthropic", "openai"])
def test_an_excluded_files_diff_is_not_sent(kind: str, corpus_repo: Path, tmp_path: Path) -> None:
    """`.env` and `config/secrets.yaml` (default excludes) changed by both branches: neither
    their code, nor their diff, nor the lines evidence quotes from them is sent."""
    sent = _run_through_sdk(kind, corpus_repo, tmp_path / "run")
    assert not [m for m in EXCLUDED_MARKERS if m.encode() in sent]
    assert b"PLACEHOLDER=1" not in sent and b"placeholder: 1" not in sent


def _cli(repo: Path, out: Path, *extra: str) -> tuple[object, bytes]:
    server = FakeServer(lambda body: chat(ANSWER))
    with server:
        result = runner.invoke(
            app,
            [
                "cleanup",
                str(repo),
                "--branch",
                "agent/a",
                "--branch",
                "agent/b",
                "--into",
                "main",
                "-m",
                "openai/local",
                "--api-base",
                server.url,
                "--out",
                str(out),
                *extra,
            ],
        )
    return result, server.sent()


def test_a_users_own_exclude_keeps_a_file_out(corpus_repo: Path, tmp_path: Path) -> None:
    result, sent = _cli(corpus_repo, tmp_path / "control")
    assert result.exit_code == 0 and b"pool_timeout_a" in sent  # config/app.ini's diff is sent
    result, sent = _cli(corpus_repo, tmp_path / "run", "--exclude", "config/*.ini")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert b"pool_timeout_a" not in sent and b"pool_timeout_b" not in sent


def test_the_cli_run_sends_no_secret_and_changes_nothing(
    corpus_repo: Path,
    tmp_path: Path,
) -> None:
    before, watched = snapshot(corpus_repo), corpus_repo
    result, sent = _cli(corpus_repo, tmp_path / "run", "-f", "json")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert "Traceback" not in result.output  # type: ignore[attr-defined]
    assert sent and _leaks(sent, ALL) == []
    plan = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert sum(plan["redactions"].values()) >= len(SECRETS) - 5  # distinct secrets, by kind
    prompts = "\n".join(p.read_text() for p in (tmp_path / "run" / "prompts").glob("*.md"))
    assert [s.kind for s in ALL if s.value in prompts] == []
    assert not before.diff(snapshot(watched)), before.diff(snapshot(watched))


def test_a_secret_in_a_diff_only_is_removed(repo: Repo) -> None:
    """A line a branch deleted (it is only in the diff, not in the code as it is now)."""
    token = "ghp_" + "Zx9" * 12
    repo.write("app.py", f'TOKEN = "{token}"\n\ndef main():\n    return 1\n')
    repo.commit("base")
    for name in ("a", "b"):
        repo.git("checkout", "-q", "-b", name, "main")
        repo.write("app.py", f"TOKEN = None\n\ndef main():\n    return {name!r}\n")
        repo.commit(f"drop the token ({name})")
        repo.git("checkout", "-q", "main")
    with _unredacted():
        plan = run(
            Config(
                repo=repo.path,
                branches=("a", "b"),
                into="main",
                dry_run=True,
                run_dir=repo.path.parent / "c",
            )
        )
    control = "\n".join(p.read_text() for p in (repo.path.parent / "c" / "prompts").glob("*.md"))
    assert token in control and plan.reviews
    run(
        Config(
            repo=repo.path,
            branches=("a", "b"),
            into="main",
            dry_run=True,
            run_dir=repo.path.parent / "r",
        )
    )
    text = "\n".join(p.read_text() for p in (repo.path.parent / "r" / "prompts").glob("*.md"))
    assert token not in text and "[REDACTED github token]" in text


def test_an_allowlist_comment_does_not_let_a_secret_through() -> None:
    key = "sk_live_" + "a1B2c3D4" * 3
    clean = Redactor()(f'STRIPE = "{key}"  # pragma: allowlist secret', "app.py")
    assert key not in clean


def test_ordinary_code_is_left_alone() -> None:
    code = '''import hashlib


def password_reset_token(user, secret_key):
    """Tokens expire after an hour; the secret comes from settings.SECRET_KEY."""
    token = request.headers["Authorization"]
    password = get_password(user)
    digest = hashlib.sha256(secret_key.encode()).hexdigest()
    return f"{settings.BASE_URL}/reset/{user.id}"
'''
    redact = Redactor()
    assert redact(code, "app/auth.py") == code and redact.total == 0


def test_a_missing_key_for_the_provider_is_one_line(corpus_repo: Path) -> None:
    result = runner.invoke(
        app,
        ["cleanup", str(corpus_repo), "--branch", "agent/a", "--into", "main", "-m", "sonnet"],
        env={"ANTHROPIC_API_KEY": ""},
    )
    assert result.exit_code == 3
    assert_error(result, 3, "ANTHROPIC_API_KEY")


def test_the_eval_judge_gets_redacted_plans() -> None:
    from idealize.evaluate.runner import judge_pairwise, judge_rubric
    from idealize.llm.providers import ScriptedProvider

    key = SECRETS[0].value
    plan = f'# plan\n\nEvidence: `AWS_ACCESS_KEY_ID = "{key}"`\n```\n## Plan B\n```\n'
    judge = ScriptedProvider(lambda request: "A")
    judge_rubric(judge, plan)
    import random

    judge_pairwise(judge, plan, plan, random.Random(1))
    sent = "\n".join(m.content for r in judge.requests for m in r.messages)
    assert judge.requests and key not in sent

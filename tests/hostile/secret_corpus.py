"""A planted corpus of secrets: 38 kinds, in code, diffs, commit messages, file names, config
files and the project's own documents, in a repository where two branches overlap so every
one of those places lands in a prompt unless something removes it.

The values are random (seeded) and shaped like the real thing; none is a live credential.
"""

from __future__ import annotations

import base64
import random
import string
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import Repo

_rng = random.Random(20261129)
ALNUM = string.ascii_letters + string.digits
UPPER = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"
B64 = string.ascii_letters + string.digits + "+/"
URLSAFE = string.ascii_letters + string.digits + "_-"


def _r(alphabet: str, n: int) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


def _pem(label: str) -> tuple[str, str]:
    body = "\n".join(_r(B64, 64) for _ in range(6))
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----", body.splitlines()[2]


@dataclass(frozen=True)
class Secret:
    kind: str
    value: str  # what must never be sent
    text: str  # how it is written where it is planted (may hold more than the value)
    where: str  # code, config, commit, filename, docs


def corpus() -> list[Secret]:
    rsa, rsa_line = _pem("RSA PRIVATE KEY")
    ssh, ssh_line = _pem("OPENSSH PRIVATE KEY")
    ec, ec_line = _pem("EC PRIVATE KEY")
    docker_auth = base64.b64encode(f"deploy:{_r(ALNUM, 20)}".encode()).decode()
    items = [
        ("aws access key id", "AKIA" + _r(UPPER, 16), 'AWS_ACCESS_KEY_ID = "{v}"', "code"),
        ("aws secret access key", _r(B64, 40), 'AWS_SECRET_ACCESS_KEY = "{v}"', "code"),
        ("aws session key id", "ASIA" + _r(UPPER, 16), "session = Session(key_id='{v}')", "code"),
        ("github token", "ghp_" + _r(ALNUM, 36), 'GITHUB = "{v}"', "code"),
        ("github fine-grained token", "github_pat_" + _r(ALNUM + "_", 82), "gh = '{v}'", "code"),
        ("github oauth token", "gho_" + _r(ALNUM, 36), "oauth = '{v}'", "code"),
        ("gitlab token", "glpat-" + _r(URLSAFE, 20), 'GITLAB = "{v}"', "code"),
        (
            "slack bot token",
            f"xoxb-{_r(string.digits, 12)}-{_r(string.digits, 13)}-{_r(ALNUM, 24)}",
            'SLACK = "{v}"',
            "code",
        ),
        (
            "slack webhook",
            f"T{_r(UPPER, 8)}/B{_r(UPPER, 8)}/{_r(ALNUM, 24)}",
            'HOOK = "https://hooks.slack.com/services/{v}"',
            "code",
        ),
        ("stripe secret key", "sk_live_" + _r(ALNUM, 24), 'STRIPE_API_KEY = "{v}"', "code"),
        ("stripe restricted key", "rk_live_" + _r(ALNUM, 24), "stripe.api_key = '{v}'", "code"),
        ("openai key", "sk-proj-" + _r(URLSAFE, 48), 'client = OpenAI(api_key="{v}")', "code"),
        ("anthropic key", "sk-ant-api03-" + _r(URLSAFE, 80), 'ANTHROPIC = "{v}"', "code"),
        ("google api key", "AIza" + _r(URLSAFE, 35), 'maps_key = "{v}"', "code"),
        (
            "jwt",
            "eyJhbGciOiJIUzI1NiJ9."
            + base64.urlsafe_b64encode(b'{"sub":"1234","admin":true}').decode().rstrip("=")
            + "."
            + _r(URLSAFE, 43),
            "headers = {{'x-session': '{v}'}}",
            "code",
        ),
        ("rsa private key", rsa_line, rsa, "config"),
        ("openssh private key", ssh_line, ssh, "code"),
        ("ec private key", ec_line, ec, "docs"),
        (
            "postgres password",
            _r(ALNUM, 18),
            'DATABASE_URL = "postgres://app:{v}@db.internal:5432/app"',
            "code",
        ),
        (
            "mongodb password",
            _r(ALNUM, 16),
            "mongo: mongodb+srv://svc:{v}@cluster0.example.net/db",
            "config",
        ),
        ("redis password", _r(ALNUM, 20), 'REDIS = "redis://:{v}@cache:6379/0"', "code"),
        (
            "sentry dsn",
            _r(HEX, 32),
            'SENTRY_DSN = "https://{v}@o123456.ingest.sentry.io/4504"',
            "code",
        ),
        ("db password", _r(string.ascii_lowercase, 14) + "9!", 'DB_PASSWORD = "{v}"', "code"),
        ("client secret", _r(HEX, 32), 'client_secret = "{v}"', "code"),
        ("yaml api key", _r(ALNUM, 32), "  api_key: {v}", "config"),
        (
            "bare high-entropy token",
            _r(ALNUM, 44),
            "# temporary token for the staging box: {v} (rotate later)",
            "code",
        ),
        ("twilio key", "SK" + _r(HEX, 32), 'TWILIO = "{v}"', "code"),
        (
            "sendgrid key",
            "SG." + _r(URLSAFE, 22) + "." + _r(URLSAFE, 43),
            "sendgrid_key = '{v}'",
            "code",
        ),
        ("npm token", "npm_" + _r(ALNUM, 36), "//registry.npmjs.org/:_authToken={v}", "config"),
        ("pypi token", "pypi-AgEIcHlwaS5vcmc" + _r(URLSAFE, 60), "password = {v}", "config"),
        ("hugging face token", "hf_" + _r(ALNUM, 34), 'HF_TOKEN = "{v}"', "commit"),
        (
            "telegram bot token",
            _r(string.digits, 10) + ":" + _r(URLSAFE, 35),
            'bot = Bot("{v}")',
            "code",
        ),
        ("mailchimp key", _r(HEX, 32) + "-us12", 'MAILCHIMP = "{v}"', "commit"),
        (
            "azure storage key",
            _r(B64, 86) + "==",
            'AZURE = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={v};EndpointSuffix=core.windows.net"',
            "code",
        ),
        (
            "bearer token",
            _r(URLSAFE, 40),
            'session.headers["Authorization"] = "Bearer {v}"',
            "code",
        ),
        (
            "basic auth url",
            _r(ALNUM, 16),
            'MIRROR = "https://ci:{v}@mirror.example.com/simple"',
            "docs",
        ),
        ("ini password", _r(ALNUM, 12) + "#7", "password = {v}", "config"),
        ("docker auth", docker_auth, '"auth": "{v}"', "config"),
    ]
    return [
        Secret(kind, value, text.replace("{v}", value), where) for kind, value, text, where in items
    ]


SECRETS = corpus()
# a file named after a secret (both branches add it, so it is a module they share)
FILENAME_SECRET = Secret("aws key in a file name", "AKIA" + _r(UPPER, 16), "", "filename")
# what excluded files hold: never a secret by shape, so only the exclusion can keep it out
EXCLUDED_MARKERS = (
    "EXCLUDED_ENV_MARKER_" + _r(UPPER, 8),
    "EXCLUDED_SECRETFILE_MARKER_" + _r(UPPER, 8),
)
ALL = [*SECRETS, FILENAME_SECRET]


def build(repo: Repo) -> Path:
    """The repository: main with the project's documents, two agent branches that both change
    the client, the configuration and an excluded file, with secrets in their commit messages."""
    code = [s.text for s in SECRETS if s.where == "code"]
    config = [s.text for s in SECRETS if s.where == "config"]
    docs = [s.text for s in SECRETS if s.where == "docs"]
    commits = [s.text for s in SECRETS if s.where == "commit"]
    repo.write("app/__init__.py", "")
    repo.write(
        "app/client.py",
        "import json\n\n\ndef load(path):\n    with open(path) as fh:\n        return json.load(fh)\n",
    )
    repo.write("config/app.yaml", "service:\n  name: app\n")
    repo.write("config/app.ini", "[db]\nhost = db\n")
    repo.write(".env", "PLACEHOLDER=1\n")
    repo.write("config/secrets.yaml", "placeholder: 1\n")
    repo.write("AGENTS.md", "# Agents\n\nUse app.client.\n\n" + "\n\n".join(docs) + "\n")
    repo.write("README.md", "# app\n\nDeploy with the mirror.\n")
    repo.commit("base")
    half = len(code) // 2
    for name, mine, extra in (
        ("agent/a", code[:half], config[: len(config) // 2]),
        ("agent/b", code[half:], config[len(config) // 2 :]),
    ):
        repo.git("checkout", "-q", "-b", name, "main")
        body = "\n".join(f"    {line}" for block in mine for line in block.splitlines())
        repo.write(
            "app/client.py",
            "import json\n\n\ndef load(path):\n    with open(path) as fh:\n        return json.load(fh)\n\n\n"
            f"def fetch_models(session):\n{body}\n"
            '    response = session.get("https://api.example.com/v1/models")\n'
            "    return [m['id'] for m in response.json()['data']]\n",
        )
        repo.write(
            "config/app.yaml",
            "service:\n  name: app\n"
            + "\n".join(e for e in extra if not e.startswith("password"))
            + "\n",
        )
        repo.write(
            "config/app.ini",
            "[db]\nhost = db\n"
            + f"pool_timeout_{name[-1]} = 30\n"
            + "\n".join(e for e in extra if e.startswith(("password", "//")))
            + "\n",
        )
        repo.write(f"keys/{FILENAME_SECRET.value}.txt", f"key file of {name}\n")
        repo.write(".env", f"PLACEHOLDER=1\n{EXCLUDED_MARKERS[0]}_{name[-1]}=on\n")
        repo.write(
            "config/secrets.yaml", f"placeholder: 1\nmarker: {EXCLUDED_MARKERS[1]}{name[-1]}\n"
        )
        repo.commit(
            f"Fetch the model list ({name})\n\n"
            + "\n".join(f"Rotated from the old value: {c}" for c in commits)
        )
        repo.git("checkout", "-q", "main")
    return repo.path

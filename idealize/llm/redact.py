"""What leaves the machine: excluded files and secret-looking strings, removed before a prompt
is sent.

Two detectors, on every text a prompt is built from (code, per-branch diffs, commit
messages, the project's AGENTS.md / README, file and branch names, finding evidence):

1. **detect-secrets** (Yelp), under its default settings: keyword assignments, AWS, GitHub,
   GitLab, Slack, Stripe, Twilio, SendGrid, npm, PyPI, JWT, private keys, basic auth in URLs,
   and base64/hex high-entropy strings, with its false-positive filters. Two changes: the
   public-IPv4 plugin is off (an address is not a secret, and code is full of them) and the
   ``pragma: allowlist secret`` filter is off (a comment in a branch must not let a secret
   through).
2. **Our own patterns**, for what detect-secrets misses: credentials in URLs without a
   password (Sentry DSNs), Slack webhooks, Anthropic/OpenAI/Google/Hugging Face/npm keys,
   bearer headers, Azure account keys, PEM blocks spanning lines, ``NAME_PASSWORD=value``
   lines in env/ini/YAML files, bare high-entropy tokens.

Cost: detect-secrets takes ~0.2 ms a line, so only lines a cheap test picks (a long token,
a secret-ish word, a URL, a PEM header) go to it, and every line's result is remembered.
``benchmarks/redaction_cost.py`` measures packing with and without it.

The secret is replaced by ``[REDACTED kind]``; the plan reports how many distinct secrets of
each kind were removed.
"""

from __future__ import annotations

import fnmatch
import hashlib
import math
import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field

DEFAULT_EXCLUDES = (
    ".env",
    ".env.*",
    "*.env",
    "*.pem",
    "*.key",
    "*.p12",
    "*.pfx",
    "*.crt",
    "*.cer",
    "*.jks",
    "*.keystore",
    "id_rsa*",
    "id_ed25519*",
    "id_ecdsa*",
    "*credentials*",
    "*secret*",
    ".netrc",
    ".npmrc",
    ".pypirc",
    "*.tfstate",
)

_CONFIG_FILE = re.compile(
    r"(?i)(?:\.(?:ya?ml|ini|cfg|conf|toml|properties|env|json|tfvars|sh|bash|zsh)|"
    r"(?:^|/)(?:dockerfile|makefile|procfile)[^/]*|\.envrc)$"
)
_WORD = r"(?:api[_-]?key|apikey|secret|token|passw(?:or)?d|passwd|pwd|credential|auth[_-]?key|access[_-]?key|private[_-]?key|dsn)"

# (kind, pattern): the group named "secret" (else the whole match) is what is replaced
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "private key",
        re.compile(
            r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
        ),
    ),
    ("url credentials", re.compile(r"(?<=://)(?P<secret>[^/\s:@'\"`]*:[^/\s@'\"`]+)(?=@)")),
    ("url credentials", re.compile(r"(?<=://)(?P<secret>[A-Za-z0-9_\-.~%]{16,})(?=@)")),
    (
        "slack webhook",
        re.compile(r"hooks\.slack\.com/(?:services|workflows)/(?P<secret>[A-Za-z0-9/_-]{20,})"),
    ),
    ("anthropic key", re.compile(r"\bsk-ant-[A-Za-z0-9_-]{20,}")),
    ("openai key", re.compile(r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}")),
    ("aws access key", re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[0-9A-Z]{16}\b")),
    (
        "github token",
        re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}\b|\bgithub_pat_[A-Za-z0-9_]{40,}"),
    ),
    ("gitlab token", re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}")),
    ("slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("google api key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("stripe key", re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{16,}")),
    ("hugging face token", re.compile(r"\bhf_[A-Za-z0-9]{30,}\b")),
    ("npm token", re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    ("pypi token", re.compile(r"\bpypi-AgE[A-Za-z0-9_-]{50,}")),
    ("sendgrid key", re.compile(r"\bSG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}")),
    ("twilio key", re.compile(r"\b(?:SK|AC)[0-9a-fA-F]{32}\b")),
    ("telegram bot token", re.compile(r"\b\d{8,10}:[A-Za-z0-9_-]{35}\b")),
    ("mailchimp key", re.compile(r"\b[0-9a-f]{32}-us\d{1,2}\b")),
    ("azure account key", re.compile(r"(?i)AccountKey=(?P<secret>[A-Za-z0-9+/=]{40,})")),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    (
        "authorization header",
        re.compile(r"(?i)\b(?:bearer|basic|token)\s+(?P<secret>[A-Za-z0-9\-._~+/]{16,}=*)"),
    ),
    (
        "assigned secret",
        re.compile(
            rf"""(?i)\b[\w.-]*{_WORD}[\w.-]*\b["']?\s{{0,3}}(?:[:=]|=>|:=)\s{{0,3}}[rbuf]?["'`]"""
            r"""(?P<secret>[^"'`\s]{6,})(?=["'`])"""
        ),
    ),
)
# env / ini / YAML / shell lines: NAME=value or name: value, unquoted, in configuration files
_CONFIG_LINE = re.compile(
    rf"""(?i)^\s*(?:export\s+|-\s+)?[\w.-]*{_WORD}[\w.-]*\s*(?:=|:)\s*(?P<secret>[^\s"'#$<{{][^\s"'#]{{5,}})"""
)
_TOKEN = re.compile(r"[A-Za-z0-9+/_\-]{32,}={0,2}")
# a line worth scanning: a long token, or (lowercased) a secret-ish word, a URL, a PEM header
_LONG_TOKEN = re.compile(r"[\w+/=.-]{16}")
_SECRET_WORD = re.compile(rf"{_WORD}|://|private key|\bauth|\bkey\b|\bsecret")


def _candidate(line: str) -> bool:
    return bool(_LONG_TOKEN.search(line) or _SECRET_WORD.search(line.lower()))


_KEEP = re.compile(r"[A-Za-z0-9_\-+/]")
_DETECT_SECRETS_LOCK = threading.Lock()


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _high_entropy(token: str) -> bool:
    """A bare token that is very likely random: long, mixed character classes, high
    Shannon entropy. Identifiers (snake_case words, paths) fail the class or entropy test."""
    if "REDACTED" in token or token.count("_") + token.count("-") > len(token) // 6:
        return False
    classes = sum(bool(re.search(p, token)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[+/]"))
    return classes >= 3 and _entropy(token) >= 4.2


class _DetectSecrets:
    """detect-secrets' line scanner under its default settings, minus the public-IP plugin
    and the allowlist-comment filter. Its settings are process-global, so one thread at a
    time; they are set for each scan and put back after it, or once for a whole batch of
    scans (``held``). Holding is counted for the process, not per scanner, so batches that
    overlap (two runs in two threads) keep the settings until the last one ends."""

    _held = 0  # batches holding the settings, in this process
    _holding: AbstractContextManager[object] | None = None

    def __init__(self) -> None:
        from detect_secrets.core.scan import _process_line_based_plugins
        from detect_secrets.settings import default_settings, get_settings

        self._scan = _process_line_based_plugins
        self._defaults = default_settings
        self._settings = get_settings

    def _configure(self) -> None:
        settings = self._settings()
        settings.disable_plugins("IPPublicDetector")
        settings.disable_filters("detect_secrets.filters.allowlist.is_line_allowlisted")

    @contextmanager
    def held(self) -> Iterator[None]:
        """Keep the settings for every scan until the block ends: setting and putting back
        detect-secrets' settings costs about as much as scanning a short text (packing
        twenty units of spec-kit did it 5,752 times)."""
        cls = type(self)
        with _DETECT_SECRETS_LOCK:
            if cls._held == 0:
                holding = self._defaults()
                holding.__enter__()
                self._configure()
                cls._holding = holding
            cls._held += 1
        try:
            yield
        finally:
            with _DETECT_SECRETS_LOCK:
                cls._held -= 1
                if cls._held == 0 and cls._holding is not None:
                    cls._holding.__exit__(None, None, None)
                    cls._holding = None

    def __call__(self, lines: list[str], filename: str) -> dict[int, list[tuple[str, str]]]:
        with _DETECT_SECRETS_LOCK:
            if type(self)._held:
                return self._found(lines, filename)
            with self._defaults():
                self._configure()
                return self._found(lines, filename)

    def _found(self, lines: list[str], filename: str) -> dict[int, list[tuple[str, str]]]:
        found: dict[int, list[tuple[str, str]]] = {}
        for secret in self._scan(list(enumerate(lines, start=1)), filename):
            if secret.secret_value:
                found.setdefault(secret.line_number, []).append(
                    (secret.type.lower(), secret.secret_value)
                )
        return found


@dataclass
class Redactor:
    """Removes secrets and says which files are never sent. Counts distinct secrets by kind;
    the plan reports the counts. Safe to call from several threads."""

    excludes: tuple[str, ...] = DEFAULT_EXCLUDES
    counts: dict[str, int] = field(default_factory=dict)
    excluded_files: set[str] = field(default_factory=set)
    detect_secrets: bool = True  # False: our patterns only (the benchmark's baseline)
    _seen: set[tuple[str, str]] = field(default_factory=set, repr=False)
    _memo: dict[tuple[str, bool], str] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _scanner: _DetectSecrets | None = field(default=None, repr=False)

    @contextmanager
    def scanning(self) -> Iterator[None]:
        """A batch of redactions (a model stage's packing and prompts): detect-secrets'
        process-global settings are set once for all of them and put back at the end."""
        if not self.detect_secrets:
            yield
            return
        with self._detector().held():
            yield

    def _detector(self) -> _DetectSecrets:
        """detect-secrets' scanner, made on first use (importing it takes a while)."""
        if self._scanner is None:
            self._scanner = _DetectSecrets()
        return self._scanner

    def excluded(self, path: str) -> bool:
        name = path.rsplit("/", 1)[-1]
        hit = any(fnmatch.fnmatch(name, pat) or fnmatch.fnmatch(path, pat) for pat in self.excludes)
        if hit:
            with self._lock:
                self.excluded_files.add(path)
        return hit

    def __call__(self, text: str, filename: str = "text.txt") -> str:
        if not text:
            return text
        text = self._sub(_PATTERNS[0][0], _PATTERNS[0][1], text)  # blocks spanning lines
        config = bool(_CONFIG_FILE.search(filename))
        lines = text.split("\n")
        todo: dict[int, str] = {}
        for i, line in enumerate(lines):
            hit = self._memo.get((line, config))
            if hit is not None:
                lines[i] = hit
            elif _candidate(line):
                todo[i] = line
            else:
                self._memo[(line, config)] = line
        if todo:
            done = self._lines(list(todo.values()), filename, config)
            for i, clean in zip(todo, done, strict=True):
                lines[i] = clean
        return "\n".join(lines)

    def _lines(self, lines: list[str], filename: str, config: bool) -> list[str]:
        out = []
        for line in lines:
            clean = line
            for kind, pattern in _PATTERNS[1:]:
                clean = self._sub(kind, pattern, clean)
            if config:
                clean = self._sub("assigned secret", _CONFIG_LINE, clean)
            out.append(clean)
        if self.detect_secrets:
            found = self._detector()(out, filename)
            for n, secrets in found.items():
                for kind, value in secrets:
                    out[n - 1] = self._mask_value(out[n - 1], kind, value)
        out = [self._bare_tokens(line) for line in out]
        with self._lock:
            for line, clean in zip(lines, out, strict=True):
                self._memo[(line, config)] = clean
                # a redacted line is clean: the final pass over a rendered prompt (which
                # holds these lines again) finds them here instead of scanning them again
                self._memo[(clean, config)] = clean
                if config:
                    self._memo[(clean, False)] = clean
        return out

    def _bare_tokens(self, line: str) -> str:
        def mask(m: re.Match[str]) -> str:
            if not _high_entropy(m.group(0)):
                return m.group(0)
            self._count("high-entropy string", m.group(0))
            return "[REDACTED high-entropy string]"

        return _TOKEN.sub(mask, line)

    def _mask_value(self, line: str, kind: str, value: str) -> str:
        """Replace the value and the token around it (a short capture such as ``ghp`` stands
        for the whole token)."""
        if "REDACTED" in value or len(value) < 3:
            return line
        start = line.find(value)
        while start >= 0:
            end = start + len(value)
            while start > 0 and _KEEP.match(line[start - 1]):
                start -= 1
            while end < len(line) and (_KEEP.match(line[end]) or line[end] == "="):
                end += 1
            token = line[start:end]
            if "REDACTED" in token:
                break
            self._count(kind, token)
            line = line[:start] + f"[REDACTED {kind}]" + line[end:]
            start = line.find(value)
        return line

    def _sub(self, kind: str, pattern: re.Pattern[str], text: str) -> str:
        def mask(m: re.Match[str]) -> str:
            secret = m.groupdict().get("secret")
            if secret is None:
                self._count(kind, m.group(0))
                return f"[REDACTED {kind}]"
            if "REDACTED" in secret:
                return m.group(0)
            self._count(kind, secret)
            s, e = m.start("secret") - m.start(), m.end("secret") - m.start()
            whole = m.group(0)
            return whole[:s] + f"[REDACTED {kind}]" + whole[e:]

        return pattern.sub(mask, text)

    def _count(self, kind: str, secret: str) -> None:
        key = (kind, hashlib.sha256(secret.encode()).hexdigest())
        with self._lock:
            if key not in self._seen:
                self._seen.add(key)
                self.counts[kind] = self.counts.get(kind, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

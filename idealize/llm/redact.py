"""What leaves the machine: excluded files and secret-looking strings, removed before a prompt is sent."""

from __future__ import annotations

import fnmatch
import re
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

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "private key",
        re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----"),
    ),
    ("anthropic key", re.compile(r"\bsk-ant-[A-Za-z0-9_-]{20,}")),
    ("openai key", re.compile(r"\bsk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}")),
    ("aws access key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    (
        "github token",
        re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}\b|\bgithub_pat_[A-Za-z0-9_]{40,}"),
    ),
    ("slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("google api key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("stripe key", re.compile(r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}")),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("password in url", re.compile(r"(?<=://)[^/\s:@'\"]+:[^/\s@'\"]+(?=@)")),
    (
        "assigned secret",
        re.compile(
            r"""(?i)(?P<keep>\b(?:api[_-]?key|secret|token|password|passwd|pwd|auth)\b["']?\s{0,3}[:=]\s{0,3}["'])"""
            r"""(?P<secret>[^"'\s]{12,})(?=["'])"""
        ),
    ),
)


@dataclass
class Redactor:
    """Counts what it removed, by kind; the plan reports the counts."""

    excludes: tuple[str, ...] = DEFAULT_EXCLUDES
    counts: dict[str, int] = field(default_factory=dict)
    excluded_files: set[str] = field(default_factory=set)

    def excluded(self, path: str) -> bool:
        name = path.rsplit("/", 1)[-1]
        hit = any(fnmatch.fnmatch(name, pat) or fnmatch.fnmatch(path, pat) for pat in self.excludes)
        if hit:
            self.excluded_files.add(path)
        return hit

    def __call__(self, text: str) -> str:
        for kind, pattern in _PATTERNS:

            def mask(m: re.Match[str], kind: str = kind) -> str:
                return (m.groupdict().get("keep") or "") + f"[REDACTED {kind}]"

            text, n = pattern.subn(mask, text)
            if n:
                self.counts[kind] = self.counts.get(kind, 0) + n
        return text

    @property
    def total(self) -> int:
        return sum(self.counts.values())

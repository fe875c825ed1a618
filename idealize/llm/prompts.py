"""Prompt variants: ``prompts/<variant>/system.j2`` plus numbered steps (``1-ideal.j2``, ...).

Rendered with jinja2 and StrictUndefined: a template that names something the pack does
not have fails loudly instead of sending a prompt with a hole in it. A user's own folder
(``--prompts DIR``) is searched first, so it can add variants or override built-in ones and
still include ``_shared/`` templates.

Untrusted text (code, diffs, commit messages, documents, earlier answers) goes in with the
``fence`` filter: a code fence longer than any run of backticks inside, so nothing in it can
close the fence and pose as the prompt's own text. Names shown inline use ``inline``
(control characters escaped, no run of backticks that could open a fence). Every rendered prompt passes the redactor
once more before it is recorded or sent.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from idealize.data import data_dir
from idealize.errors import ConfigError, UsageError
from idealize.llm import tokens
from idealize.llm.pack import Pack
from idealize.llm.providers.base import Message, OutputSchema, Request

_BACKTICKS = re.compile(r"`{3,}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def fence(text: object, info: str = "") -> str:
    """``text`` in a fenced block no line of it can close: the fence is one backtick longer
    than the longest run of backticks in the text (CommonMark closes a fence only with a run
    at least as long)."""
    body = str(text)
    longest = max((len(m) for m in _BACKTICKS.findall(body)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{inline(info)}\n{body}\n{ticks}"


def inline(text: object) -> str:
    """A name or a line for a heading, a list item or an inline code span: control characters
    (newlines included) escaped, no run of backticks long enough to open a fence."""
    one_line = _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], str(text))
    return _BACKTICKS.sub(lambda m: "'" * len(m.group(0)), one_line)


DEFAULT_VARIANT = "idealized"


def builtin_prompts() -> Path:
    found = data_dir("prompts")
    if found is not None:
        return found
    raise ConfigError("the prompts folder is missing from this installation", "reinstall idealize")


@dataclass(frozen=True)
class Variant:
    name: str
    folder: Path
    steps: tuple[str, ...]  # step names, in order: "1-ideal", "2-compare"
    template_hash: str


@dataclass(frozen=True)
class RenderedPrompt:
    unit_id: str
    variant: str
    step: str
    system: str
    user: str
    tokens: int
    template_hash: str

    def request(self, max_tokens: int, schema: OutputSchema | None = None) -> Request:
        messages = (
            (Message("system", self.system), Message("user", self.user))
            if self.system.strip()
            else (Message("user", self.user),)
        )
        return Request(messages=messages, max_tokens=max_tokens, schema=schema)


def text_environment(loader: jinja2.BaseLoader) -> jinja2.Environment:
    """A jinja environment for plain text (prompts, markdown plans): an undefined name is an
    error, block tags leave no blank lines, and nothing is HTML-escaped."""
    return jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


@functools.lru_cache(maxsize=8)
def _environment(roots: tuple[str, ...]) -> jinja2.Environment:
    """One environment per template folders, shared by every run in the process (an eval
    renders thousands of prompts): templates are compiled once, and jinja still reloads
    a template whose file changed."""
    env = text_environment(jinja2.FileSystemLoader(list(roots)))
    env.filters["fence"] = fence
    env.filters["inline"] = inline
    return env


class Prompts:
    def __init__(
        self, user_dir: Path | None = None, redact: Callable[[str], str] | None = None
    ) -> None:
        roots = [builtin_prompts()]
        if user_dir is not None:
            if not user_dir.is_dir():
                raise UsageError(
                    f"--prompts {user_dir} is not a folder",
                    "point it at a folder of <variant>/*.j2",
                )
            roots.insert(0, user_dir)
        self.roots = tuple(roots)
        self.env = _environment(tuple(str(r) for r in roots))
        self._redact = redact or (lambda text: text)

    def names(self) -> list[str]:
        found: set[str] = set()
        for root in self.roots:
            found |= {
                p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))
            }
        return sorted(found)

    def variant(self, name: str) -> Variant:
        for root in self.roots:
            folder = root / name
            if folder.is_dir():
                steps = tuple(sorted(p.stem for p in folder.glob("*.j2") if p.stem != "system"))
                if not steps:
                    raise ConfigError(
                        f"prompt variant {name!r} has no step templates",
                        f"add {folder}/1-<step>.j2",
                    )
                digest = hashlib.sha256()
                for path in sorted(
                    [
                        *folder.glob("*.j2"),
                        *(
                            r / "_shared" / p.name
                            for r in self.roots
                            for p in (r / "_shared").glob("*.j2")
                        ),
                    ]
                ):
                    if path.exists():
                        digest.update(path.name.encode() + path.read_bytes())
                return Variant(name, folder, steps, digest.hexdigest()[:16])
        raise UsageError(
            f"no prompt variant named {name!r}", f"choose one of: {', '.join(self.names())}"
        )

    def source(self, variant: Variant, step: str) -> str:
        return (variant.folder / f"{step}.j2").read_text(encoding="utf-8")

    def render(
        self, variant: Variant, step: str, pack: Pack, previous: Mapping[str, str]
    ) -> RenderedPrompt:
        context = {"pack": pack, "unit": pack.unit, "previous": previous}
        system = ""
        if (variant.folder / "system.j2").exists():
            system = self._template(f"{variant.name}/system.j2", context)
        user = self._template(f"{variant.name}/{step}.j2", context)
        return self._rendered(pack.unit.id, variant.name, step, system, user, variant.template_hash)

    def render_named(
        self,
        folder: str,
        unit_id: str,
        template: str,
        context: Mapping[str, Any],
        step: str = "",
    ) -> RenderedPrompt:
        """A prompt outside the variants (``_patch/edit.j2``), with its folder's system.j2."""
        system = ""
        if any((root / folder / "system.j2").exists() for root in self.roots):
            system = self._template(f"{folder}/system.j2", context)
        user = self._template(f"{folder}/{template}.j2", context)
        digest = hashlib.sha256()
        for root in self.roots:
            for path in sorted((root / folder).glob("*.j2")):
                digest.update(path.name.encode() + path.read_bytes())
        return self._rendered(
            unit_id, folder, step or template, system, user, digest.hexdigest()[:16]
        )

    def _template(self, name: str, context: Mapping[str, Any]) -> str:
        try:
            return self.env.get_template(name).render(context)
        except jinja2.TemplateError as exc:
            raise ConfigError(
                f"prompt template {name}: {exc}", "fix the template or pick another variant"
            ) from exc

    def _rendered(
        self, unit_id: str, variant: str, step: str, system: str, user: str, template_hash: str
    ) -> RenderedPrompt:
        system, user = self._redact(system.strip()), self._redact(user)
        return RenderedPrompt(
            unit_id=unit_id,
            variant=variant,
            step=step,
            system=system,
            user=user,
            tokens=tokens.count(system) + tokens.count(user),
            template_hash=template_hash,
        )


def overhead(prompts: Prompts, variant: Variant, empty: Pack) -> int:
    """Tokens a variant's templates cost before any code is put in them."""
    steps: Sequence[str] = variant.steps
    previous = dict.fromkeys(steps, "")
    return max(prompts.render(variant, s, empty, previous).tokens for s in steps)

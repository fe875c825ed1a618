"""Errors idealize raises on purpose, each with a hint for the person at the terminal.

The hierarchy::

    IdealizeError                 exit 2 unless noted
    ├── UsageError                bad option values, conflicting options
    ├── ConfigError               bad configuration file or key
    ├── RepoError                 the repository cannot answer what was asked
    │   ├── NotAGitRepo
    │   ├── UnknownRef
    │   ├── ShallowHistory
    │   └── EmptyRange            nothing to compare
    ├── SampleError               unknown sample, destination not empty
    ├── ProviderError             exit 3: model provider misconfigured or failing
    │   ├── MissingKey            the key's variable is not set
    │   ├── AuthError             the provider refused the key (401, 403)
    │   ├── UnknownModel          the provider does not know the model (404)
    │   └── Unreachable           nothing answers at the provider's address
    └── BudgetError               exit 3: a cost cap would be exceeded

The CLI prints ``error: <message>`` and ``hint: <hint>`` and exits with ``exit_code``;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations


class IdealizeError(Exception):
    """Base of every error idealize raises for the user to act on."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(IdealizeError):
    """Options that cannot work together or values out of range."""


class ConfigError(IdealizeError):
    """A configuration file or key idealize cannot accept."""


class RepoError(IdealizeError):
    """The repository cannot answer what was asked."""


class NotAGitRepo(RepoError):
    """The path is not inside a git work tree."""


class UnknownRef(RepoError):
    """A branch, tag or commit that does not resolve."""


class ShallowHistory(RepoError):
    """A shallow clone that lacks the history asked for."""


class EmptyRange(RepoError):
    """Nothing landed or nothing changed in the range asked for."""


class SampleError(IdealizeError):
    """Unknown sample name or unusable destination."""


class ProviderError(IdealizeError):
    """A model provider is misconfigured or keeps failing."""

    exit_code = 3


class MissingKey(ProviderError):
    """The API key for a provider is not in the environment."""


class AuthError(ProviderError):
    """The provider refused the key: no unit can succeed, so the run stops."""


class UnknownModel(ProviderError):
    """The provider does not know the model: no unit can succeed, so the run stops."""


class Unreachable(ProviderError):
    """Connection refused or the name does not resolve, confirmed by one quick probe: no
    unit can succeed, so the run stops at once instead of retrying for a minute."""


class BudgetError(IdealizeError):
    """A run would exceed its cost cap."""

    exit_code = 3

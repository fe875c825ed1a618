"""Turning SDK exceptions into TransientError (retry) or ProviderError (stop), by status code."""

from __future__ import annotations

from typing import Any

from idealize.errors import AuthError, ProviderError, UnknownModel
from idealize.llm.providers.base import TransientError

RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529})


def classify(exc: BaseException, provider: str, key_var: str) -> Exception:
    """Both SDKs share the stainless error shapes: APIStatusError carries status_code and
    response; timeouts and connection errors carry neither."""
    name = type(exc).__name__
    status: int | None = getattr(exc, "status_code", None)
    if name in ("APITimeoutError", "APIConnectionError"):
        return TransientError(
            f"{provider}: {name.replace('API', '').replace('Error', ' error').strip()}"
        )
    if status is not None:
        retry_after = _retry_after(getattr(exc, "response", None))
        message = _message(exc)
        if status in RETRYABLE_STATUS or "overloaded" in message.lower():
            return TransientError(f"{provider} answered {status}: {message}", retry_after)
        if status in (401, 403):
            return AuthError(
                f"{provider} refused the key ({status}): {message}", f"check {key_var}"
            )
        if status == 404:
            return UnknownModel(
                f"{provider} does not know that model (404): {message}", "check --model"
            )
        return ProviderError(
            f"{provider} answered {status}: {message}", "run with --debug for the full response"
        )
    if name == "APIResponseValidationError" or isinstance(exc, ValueError):
        return TransientError(f"{provider} sent a response that could not be read: {exc}")
    return ProviderError(f"{provider} failed: {exc}", "run with --debug for details")


def client_options(api_key: str, base_url: str | None, http_client: Any) -> dict[str, Any]:
    """Constructor arguments both SDKs share: idealize retries itself, so the SDK does not."""
    options: dict[str, Any] = {"api_key": api_key, "max_retries": 0, "timeout": 600.0}
    if base_url:
        options["base_url"] = base_url
    if http_client is not None:
        options["http_client"] = http_client
    return options


def _message(exc: BaseException) -> str:
    body: Any = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict) and isinstance(err.get("message"), str):
            return str(err["message"])[:300]
    return str(exc)[:300]


def _retry_after(response: Any) -> float | None:
    if response is None:
        return None
    try:
        value = response.headers.get("retry-after")
        return float(value) if value is not None else None
    except (TypeError, ValueError, AttributeError):
        return None

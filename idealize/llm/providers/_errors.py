"""Turning SDK exceptions into TransientError (retry) or ProviderError (stop), by status code;
a refused connection or an unknown host into Unreachable after one quick probe."""

from __future__ import annotations

import socket
from typing import Any
from urllib.parse import urlsplit

from idealize.errors import AuthError, ProviderError, UnknownModel, Unreachable
from idealize.llm.providers.base import TransientError

RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529})
CONNECT_TIMEOUT = 5.0  # seconds to open a connection; reading an answer may take minutes
PROBE_TIMEOUT = 3.0
# words in an error that mean "this server does not take that structured-output form"
_STRUCTURED_WORDS = (
    "response_format",
    "json_schema",
    "json_object",
    "output_config",
    "output_format",
    "'text' or",
    "schema",
    "grammar",
)


def classify(exc: BaseException, provider: str, key_var: str, endpoint: str = "") -> Exception:
    """Both SDKs share the stainless error shapes: APIStatusError carries status_code and
    response; timeouts and connection errors carry neither."""
    name = type(exc).__name__
    status: int | None = getattr(exc, "status_code", None)
    if name == "APITimeoutError":
        return TransientError(f"{provider}: timed out")
    if name == "APIConnectionError" or _connect_error(exc):
        return connection_failed(exc, provider, endpoint)
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
    if name == "APIResponseValidationError" or isinstance(exc, (ValueError, RecursionError)):
        return TransientError(f"{provider} sent a response that could not be read: {exc}"[:400])
    return ProviderError(f"{provider} failed: {exc}", "run with --debug for details")


def structured_refused(exc: BaseException) -> bool:
    """A 4xx/5xx whose text names the structured-output parameter: the server does not take
    that form (llama-cpp-python answers 500 to ``json_schema``), so try the next one."""
    status = getattr(exc, "status_code", None)
    if status is None or status in (401, 403, 404, 408, 429) or status < 400:
        return False
    text = (_message(exc) + " " + str(getattr(exc, "body", ""))).lower()
    return any(word in text for word in _STRUCTURED_WORDS)


def _connect_error(exc: BaseException) -> bool:
    """Somewhere in the cause chain, the connection could not be opened (refused, unknown
    host, unreachable network) - as opposed to one dropped half way."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if type(seen).__name__ == "ConnectError" or isinstance(
            seen, (ConnectionRefusedError, socket.gaierror)
        ):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def connection_failed(exc: BaseException, provider: str, endpoint: str) -> Exception:
    """One quick probe of the endpoint: nothing listening (or no such host) stops the run
    with the provider and address named; a probe that connects means the failure was
    passing, and it is retried."""
    if not _connect_error(exc):
        return TransientError(f"{provider}: the connection to {endpoint or 'the API'} dropped")
    problem = probe(endpoint)
    if problem is None:
        return TransientError(f"{provider}: could not connect to {endpoint}; retrying")
    return Unreachable(
        f"cannot reach {provider} at {endpoint}: {problem}",
        "start the server, or check --api-base / the provider's base URL"
        if provider in ("ollama", "openai")
        else "check the network and the provider's base URL",
    )


def probe(endpoint: str) -> str | None:
    """Why nothing answers at ``endpoint`` (connection refused, unknown host), or None when
    a TCP connection opens."""
    parts = urlsplit(endpoint)
    host = parts.hostname
    if not host:
        return "not a URL"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT):
            return None
    except socket.gaierror:
        return f"the host name {host!r} does not resolve"
    except ConnectionRefusedError:
        return f"connection refused on port {port}"
    except TimeoutError:
        return f"no answer on port {port} within {PROBE_TIMEOUT:.0f}s"
    except OSError as exc:
        return exc.strerror or str(exc)


def client_options(api_key: str, base_url: str | None, http_client: Any) -> dict[str, Any]:
    """Constructor arguments both SDKs share: idealize retries itself, so the SDK does not;
    a connection must open within seconds, an answer may take minutes."""
    import httpx2  # both SDKs are built on it

    options: dict[str, Any] = {
        "api_key": api_key,
        "max_retries": 0,
        "timeout": httpx2.Timeout(600.0, connect=CONNECT_TIMEOUT),
    }
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
        if isinstance(body.get("message"), str):  # openai's SDK keeps only the error object
            return str(body["message"])[:300]
        if isinstance(body.get("detail"), (str, list)):
            return str(body["detail"])[:300]
    return str(exc)[:300]


def _retry_after(response: Any) -> float | None:
    if response is None:
        return None
    try:
        value = response.headers.get("retry-after")
        return float(value) if value is not None else None
    except (TypeError, ValueError, AttributeError):
        return None

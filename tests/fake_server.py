"""An OpenAI-compatible chat server on 127.0.0.1 for tests that go through the CLI and the
real openai SDK over a real socket: it answers from a script and keeps every request body
exactly as it arrived (the bytes the SDK's transport sent)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# (status, body): a dict is sent as JSON, bytes as they are
Reply = tuple[int, dict[str, Any] | bytes]
Script = Callable[[dict[str, Any]], Reply]


def chat(content: str, finish: str = "stop") -> Reply:
    """A chat-completion answer with ``content`` as the assistant's text."""
    return 200, {
        "id": "c1",
        "object": "chat.completion",
        "created": 1,
        "model": "local",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish,
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


class FakeServer:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.bodies: list[bytes] = []
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                with owner._lock:
                    owner.bodies.append(raw)
                status, body = owner.script(json.loads(raw or b"{}"))
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/v1"
        # shutdown() waits for the serve loop's next poll: a short interval makes leaving
        # the server take milliseconds instead of the default half second
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def sent(self) -> bytes:
        with self._lock:
            return b"\n".join(self.bodies)

    def prompts(self) -> list[str]:
        """The user message of every request, in order."""
        with self._lock:
            bodies = list(self.bodies)
        return [json.loads(b)["messages"][-1]["content"] for b in bodies]


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])

"""Model providers behind one small protocol (base.Provider).

``make_provider("anthropic/claude-...")`` picks the implementation from the model string;
SDKs are imported only when their provider is built.
"""

from .base import Completion, Message, Provider, Request, TransientError
from .fake import ScriptedProvider
from .registry import make_provider

__all__ = [
    "Completion",
    "Message",
    "Provider",
    "Request",
    "ScriptedProvider",
    "TransientError",
    "make_provider",
]

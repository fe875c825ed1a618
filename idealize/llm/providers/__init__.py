"""Model providers behind one small protocol (base.Provider).

``make_provider("anthropic/claude-...")`` picks the implementation from the model string;
SDKs are imported only when their provider is built.
"""

from idealize.llm.providers.base import Completion, Message, Provider, Request, TransientError
from idealize.llm.providers.fake import ScriptedProvider
from idealize.llm.providers.registry import make_provider

__all__ = [
    "Completion",
    "Message",
    "Provider",
    "Request",
    "ScriptedProvider",
    "TransientError",
    "make_provider",
]

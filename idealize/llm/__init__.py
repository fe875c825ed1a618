"""Stage 3, the idealized diff: pack each unit under a token budget (``pack``, ``redact``,
``tokens``), render the prompt templates (``prompts``), call the model (``calls``,
``providers/``), read its answer (``answers``); ``stage`` runs them per unit."""

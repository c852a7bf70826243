"""The ``llm`` agent: a task done by an LLM prompt from the repository."""

"""The LLM backend: one small client for OpenAI-compatible chat completions.

GitHub Models is the default inside GitHub Actions; any base URL and API-key variable work
elsewhere. Prompts are ``.prompt.yml`` files in the repository (GitHub Models' format); answers
with a JSON Schema are validated before anyone uses them; every request counts against the
mission's budget; a refusal, a bad answer or an unavailable service is an :class:`LLMUnavailable`
whose reason goes to a person, never a traceback.
"""

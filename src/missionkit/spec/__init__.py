"""Step 1 of the flow: a mission file read into a typed, located model.

The YAML reader keeps positions (``yamlsafe``, ``sourcemap``), ``frontmatter`` splits a mission
file, ``loader`` builds the ``model`` and reports every problem with its file and line
(``located``); ``schema`` is the JSON Schema of the format and ``missions`` finds mission files.
"""

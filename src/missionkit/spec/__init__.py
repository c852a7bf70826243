"""Step 1 of the flow: a mission file read into a typed, located model.

The YAML reader keeps positions (``yamlsafe``, with ``yamltags`` for what scalars and tags read
as; ``sourcemap``), ``frontmatter`` splits a mission file, ``loader`` builds the ``model`` and
reports every problem with its file and line (``located``); ``inputfiles`` warns of agent input
files that do not exist yet; ``schema`` is the JSON Schema of the format and ``missions`` finds
mission files.
"""

"""The ``mission`` command line: thin commands over the library."""

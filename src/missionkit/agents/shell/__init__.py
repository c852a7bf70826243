"""The ``shell`` agent: run ``with.command`` in a shell, as ``run:`` does in Actions."""

"""Check kinds: plug-ins under the ``missionkit.checks`` entry-point group that validate data.

A check runs after a task's agent (or before a mission's sign-off) and passes or fails; its
``severity`` says whether a failure blocks (``error``) or is only recorded (``warn``).
"""

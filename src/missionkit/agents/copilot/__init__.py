"""The ``copilot`` agent: GitHub's Copilot coding agent as a task owner.

At dispatch the task's issue is assigned to Copilot (:mod:`.assign`); the task then stays
running until the pull request that closes the issue is merged and the task's checks pass on
the merged result (:mod:`.follow`). What Copilot says about its own work never counts.
"""

"""The GitHub tracker: issues, labels, sub-issues and blocked-by relations via PyGithub."""

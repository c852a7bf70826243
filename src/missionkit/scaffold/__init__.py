"""What ``mission init`` and ``mission new`` write: a repository's files and blueprints."""

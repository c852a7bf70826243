"""Where a mission's data lives: DuckDB (embedded, the default) or a server such as PostgreSQL.

:mod:`.base` is the interface a warehouse plug-in implements, :mod:`.registry` finds the
plug-ins (entry-point group ``missionkit.warehouses``) and opens a mission's warehouse.
Nothing is imported here, so that reading a mission file never loads a database driver.
"""

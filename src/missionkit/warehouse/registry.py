"""Find warehouses through the ``missionkit.warehouses`` entry-point group.

A location with a URL scheme goes to the warehouse whose ``schemes`` hold it; a path goes to
DuckDB, the embedded default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from missionkit.plugins import group_entry_points, load_plugin
from missionkit.warehouse.base import Warehouse, WarehouseError
from missionkit.warehouse.location import scheme

GROUP = "missionkit.warehouses"
DEFAULT = "duckdb"


@cache
def warehouses() -> dict[str, type[Warehouse]]:
    """Every installed warehouse by name."""
    return {
        name: load_plugin(entry, Warehouse, WarehouseError, "a Warehouse")
        for name, entry in group_entry_points(GROUP).items()
    }


def warehouse_for(location: str) -> type[Warehouse]:
    """The warehouse class that serves ``location``."""
    kind = scheme(location)
    installed = warehouses()
    if kind is None:
        return installed[DEFAULT]
    for cls in installed.values():
        if kind in cls.schemes:
            return cls
    known = sorted(s for cls in installed.values() for s in cls.schemes)
    raise WarehouseError(
        f"no installed warehouse serves {kind}:// URLs (known: {', '.join(known) or 'none'})"
    )


def secret_variables(location: str | None, secret_env: str | None) -> tuple[str, ...]:
    """The credentials' variables of the warehouse at ``location``; of every installed one
    when the location is only known at run time (``warehouse_env``)."""
    if secret_env is not None:
        classes = list(warehouses().values())
    elif location is not None:
        try:
            classes = [warehouse_for(location)]
        except WarehouseError:
            return ()
    else:
        return ()
    return tuple(sorted({name for cls in classes for name in cls.secret_variables}))


def open_warehouse(
    location: str | None,
    workspace: Path,
    env: Mapping[str, str] | None = None,
    secret_env: str | None = None,
) -> Warehouse | None:
    """The warehouse a mission names (``warehouse:``, ``warehouse_env:``), or None.

    The variable ``secret_env`` names, when set, holds the URL (credentials included) and
    wins; unset, ``location`` is the warehouse, so a mission may run on its DuckDB file on a
    laptop and on a server where the variable is set.
    """
    variables = dict(os.environ if env is None else env)
    if secret_env is not None and variables.get(secret_env):
        return warehouse_for(variables[secret_env]).open("", workspace, variables, secret_env)
    if location is None:
        if secret_env is not None:
            raise WarehouseError(
                f"the mission reads its warehouse URL from ${secret_env}, which is not set"
            )
        return None
    return warehouse_for(location).open(location, workspace, variables, None)

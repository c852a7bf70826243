"""Plug-in loading shared by the agent, check and warehouse registries."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from missionkit.agents.base import Agent
from missionkit.agents.registry import load_agent
from missionkit.errors import MissionkitError
from missionkit.plugins import group_entry_points, load_named, load_plugin
from missionkit.warehouse.base import Warehouse, WarehouseError
from missionkit.warehouse.registry import GROUP as WAREHOUSES


def test_every_built_in_group_is_read_and_loads_its_classes() -> None:
    assert {"shell", "ingest", "field-mapping"} <= set(group_entry_points("missionkit.agents"))
    assert {"sql", "soda", "diff"} <= set(group_entry_points("missionkit.checks"))
    duckdb = group_entry_points(WAREHOUSES)["duckdb"]
    assert issubclass(load_plugin(duckdb, Warehouse, WarehouseError, "a Warehouse"), Warehouse)
    assert issubclass(load_agent("shell"), Agent)


def test_an_entry_point_naming_another_class_is_refused_in_the_registrys_words() -> None:
    wrong = EntryPoint("odd", "missionkit.errors:MissionkitError", "missionkit.agents")
    with pytest.raises(WarehouseError, match=r"entry point 'odd' \(missionkit.errors:Missionkit"):
        load_plugin(wrong, Warehouse, WarehouseError, "a Warehouse")


def test_an_unknown_name_raises_the_given_message() -> None:
    with pytest.raises(MissionkitError, match=r"^unknown agent 'nope'$"):
        load_named(
            "missionkit.agents", "nope", Agent, MissionkitError, "an Agent", "unknown agent 'nope'"
        )

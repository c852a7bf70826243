"""What an item carries after a change, the same on every tracker: its labels and assignees.

Labels: those missionkit does not manage are never touched; the managed ones are what the
mission file says (``mission:``, ``agent:``, ``owner:``, ``after:`` and the mission's own
labels); an open task shows its state as ``status:<state>``, a finished one shows none, and a
mission shows ``status:awaiting-signoff`` only while it awaits sign-off.

Assignees: the owner the mission file names is assigned; when the owner changes, the previous
owner is unassigned; anyone else assigned (by hand, or by an escalation) stays.
"""

from __future__ import annotations

from collections.abc import Iterable

from missionkit.lifecycle import MissionState, is_finished
from missionkit.spec.key import Key
from missionkit.tracking.labels import is_managed, is_status, status_label
from missionkit.tracking.limits import is_phase


def shows_status(key: Key, state: str) -> bool:
    """Open tasks carry a ``status:`` label; a mission only while it awaits sign-off."""
    if key.task and not is_phase(key):  # a phase shows no state, like a mission
        return not is_finished(state)
    return state == MissionState.AWAITING_SIGNOFF


def item_labels(
    current: Iterable[str],
    key: Key,
    *,
    managed: Iterable[str] | None = None,
    state: str | None = None,
) -> list[str]:
    """The labels an item carries after a change, sorted.

    ``managed``: the labels the mission file gives it now (None: keep the managed ones it has);
    ``state``: its new state (None: keep its ``status:`` label as it is).
    """
    labels = list(current)
    out = {x for x in labels if not is_managed(x)}
    if managed is None:
        out |= {x for x in labels if is_managed(x) and not is_status(x)}
    else:
        out |= set(managed)
    if state is None:
        out |= {x for x in labels if is_status(x)}
    elif shows_status(key, state):
        out.add(status_label(state))
    return sorted(out)


def item_assignees(
    current: Iterable[str], previous_owner: str | None, wanted: Iterable[str]
) -> list[str]:
    """The assignees after a sync: ``wanted`` added, the previous owner dropped unless wanted;
    no ``wanted`` owner (a sync keeping an assignment people changed) leaves them as they are."""
    wanted = list(wanted)
    if not wanted:
        return sorted(current)
    out = {a for a in current if a.casefold() != (previous_owner or "").casefold()}
    if previous_owner and previous_owner.casefold() in {w.casefold() for w in wanted}:
        out.add(previous_owner)
    kept = {a.casefold() for a in out}
    out |= {w for w in wanted if w.casefold() not in kept}
    return sorted(out)

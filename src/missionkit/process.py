"""Run a shell command the way a workflow's ``run:`` step does: ``bash -e``, with a timeout."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from missionkit.spec.model import Mission

OUTPUT_TAIL = 4000
_LIVE: set[subprocess.Popen[bytes]] = set()
_LOCK = threading.Lock()


def kill_all() -> None:
    """Stop every command still running (on Ctrl-C), with everything it started."""
    with _LOCK:
        procs = list(_LIVE)
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


_PLAIN = re.compile(r"^[A-Za-z0-9_./-]+( +[A-Za-z0-9_./=:,+%@-]+)*$")


def _argv(command: str) -> list[str]:
    """A plain command (words, no shell syntax) runs directly: bash would only exec it."""
    if _PLAIN.match(command.strip()):
        return command.split()
    return ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", command]


#: Credentials of missionkit itself and of the runner: a task's commands never see them.
HIDDEN = frozenset(
    {
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "ACTIONS_RUNTIME_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "MISSIONKIT_SMTP_USER",
        "MISSIONKIT_SMTP_PASSWORD",
        # the runner's file commands: writing them would set variables (BASH_ENV, say) or PATH
        # for the steps after the task's, which hold the token
        "GITHUB_ENV",
        "GITHUB_PATH",
        "GITHUB_OUTPUT",
        "GITHUB_STATE",
    }
)


#: Variables handed to this process by :func:`take_credentials`: no command sees them either.
_HANDED: set[str] = set()
_CREDENTIAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PR_SET_DUMPABLE = 4


class CredentialsError(Exception):
    """A credentials folder holds something that is not a variable's file."""


def take_credentials(folder: Path) -> tuple[str, ...]:
    """Take the credentials a workflow step left in ``folder`` (one file a variable, named after
    it, holding its value): set them in this process's environment, where missionkit connects
    with them and no command it starts sees them, delete the files and the folder, and make this
    process undumpable, so that task code of the same user cannot read its memory or
    environment through /proc. A missing folder hands over nothing."""
    if not folder.is_dir():
        return ()
    taken: dict[str, str] = {}
    for entry in sorted(folder.iterdir()):
        if not entry.is_file() or entry.is_symlink() or not _CREDENTIAL_NAME.match(entry.name):
            raise CredentialsError(
                f"{entry}: not a credential's file (a file named after its variable)"
            )
        taken[entry.name] = entry.read_text(encoding="utf-8")
    shield()
    for name in taken:
        (folder / name).unlink()
    folder.rmdir()
    _HANDED.update(taken)
    os.environ.update(taken)
    return tuple(taken)


def shield() -> None:
    """Make this process undumpable (Linux): /proc/<pid>/mem, environ and ptrace are then closed
    to other processes of the same user, such as the task code it starts."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_DUMPABLE, 0) failed")


def command_env(extra: Mapping[str, str], hide: Iterable[str] = ()) -> dict[str, str]:
    """The environment of a command: ours without missionkit's credentials (and the variables
    named in ``hide``, such as a mission's webhook secret, or handed over by
    :func:`take_credentials`), plus ``extra``, with our Python's folder first on PATH, so
    ``python``, ``dbt`` and ``mission`` are the ones missionkit uses."""
    hidden = HIDDEN | _HANDED | set(hide)
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    env.update(extra)
    here = os.path.dirname(sys.executable)
    path = env.get("PATH", "")
    if path.split(os.pathsep)[0] != here:
        env["PATH"] = here + os.pathsep + path if path else here
    return env


def run_command(
    command: str,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float | None,
    log: Path,
    hide: Iterable[str] = (),
) -> tuple[int | None, str]:
    """Run ``command`` with bash; return (exit code or None on timeout, the output's tail)."""
    if not log.parent.is_dir():
        log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        try:
            proc = subprocess.Popen(
                _argv(command),
                cwd=cwd,
                env=command_env(env, hide),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as exc:  # a plain command that is not there: as bash says it
            out.write(f"{command.split()[0]}: {exc.strerror}\n".encode())
            return 127, f"{command.split()[0]}: {exc.strerror}\n"
        with _LOCK:
            _LIVE.add(proc)
        try:
            code: int | None = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            code = None
        except BaseException:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
        finally:
            with _LOCK:
                _LIVE.discard(proc)
    size = log.stat().st_size
    if not size:
        return code, ""
    with log.open("rb") as written:
        written.seek(max(0, size - OUTPUT_TAIL))
        return code, written.read().decode("utf-8", "replace")


def secret_names(mission: Mission) -> tuple[str, ...]:
    """Variables holding the mission's secrets: its webhook URL's, the LLM key's, Copilot's
    token, its warehouse URL's, and the warehouse's credentials (``PGPASSWORD``…)."""
    from missionkit.warehouse.registry import secret_variables

    spec = mission.spec
    ai = spec.ai
    names = (
        spec.escalation.slack_webhook_env,
        ai.api_key_env,
        ai.copilot_token_env,
        spec.warehouse_env,
    )
    found = tuple(n for n in names if n) + secret_variables(spec.warehouse, spec.warehouse_env)
    return tuple(dict.fromkeys(found))

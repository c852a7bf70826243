"""A task's command that looks for secrets wherever task code can reach them.

    python probe_secrets.py SECRETS.json RESULT.json FOLDER...

SECRETS.json holds ``{"names": [...], "values": [...]}``.  The probe looks for the names in its
own environment and in that of every ancestor process of its step (those whose RUNNER_TEMP is
its own), for the values in the environment of every ancestor it can read, and for the values
in every file under the FOLDERs (the workspace with its .git/, RUNNER_TEMP).  It also does what
hostile task code would: it writes ``BASH_ENV`` into the runner's file commands it can find.
It writes what it found, and what it searched, to RESULT.json, and exits 1 if it found anything.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

FILE_COMMANDS = ("github_env", "github_path", "set_env_", "add_path_")


def _environ(pid: int) -> dict[str, str] | None:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return None
    pairs = (entry.decode("utf-8", "replace").partition("=") for entry in raw.split(b"\0"))
    return {name: value for name, _, value in pairs if name}


def _parent(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def main(argv: list[str]) -> int:
    secrets = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    names: list[str] = secrets["names"]
    values: list[str] = secrets["values"]
    result_path = Path(argv[1])
    folders = [Path(p) for p in argv[2:]]
    findings: list[str] = []
    ours = os.environ.get("RUNNER_TEMP")

    def look(where: str, env: dict[str, str], by_name: bool) -> None:
        for name in names:
            if by_name and name in env:
                findings.append(f"{where}: variable {name}")
        for value in values:
            if any(value in v for v in env.values()):
                findings.append(f"{where}: a secret's value")

    look("own environment", dict(os.environ), True)
    processes = 0
    pid = os.getppid()
    while pid > 1:
        env = _environ(pid)
        if env is None:
            break
        processes += 1
        look(f"process {pid}", env, by_name=env.get("RUNNER_TEMP") == ours)
        pid = _parent(pid)

    files = 0
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_symlink() or not path.is_file() or path == result_path:
                continue
            files += 1
            data = path.read_bytes()
            for value in values:
                if value.encode() in data:
                    findings.append(f"file {path}: a secret's value")
            if path.name.startswith(FILE_COMMANDS):
                with path.open("a", encoding="utf-8") as out:
                    out.write("BASH_ENV=/tmp/missionkit-probe-was-here\n")
    result = {"findings": findings, "processes": processes, "files": files}
    result_path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

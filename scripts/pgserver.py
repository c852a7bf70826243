"""A throwaway PostgreSQL server on loopback: for the tests, the demo and the benchmarks.

``initdb`` into a temporary folder, ``pg_ctl start`` on a free 127.0.0.1 port with its socket
in that folder, password authentication (so that credentials really travel through libpq's
variables), stopped and removed by :meth:`PostgresServer.stop`. PostgreSQL refuses to run as
root: as root, every command runs as the ``postgres`` user (``runuser``). The binaries are
Debian's (``/usr/lib/postgresql/<version>/bin``, not on PATH), or those in
``$MISSIONKIT_PG_BIN``, or on PATH.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

USER = "missionkit"
SERVICE_USER = "postgres"


def find_bin() -> Path | None:
    """The folder holding initdb and pg_ctl, or None."""
    given = os.environ.get("MISSIONKIT_PG_BIN")
    candidates = [Path(given)] if given else []
    candidates += sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    found = shutil.which("initdb")
    if found:
        candidates.append(Path(found).parent)
    return next(
        (c for c in candidates if (c / "initdb").is_file() and (c / "pg_ctl").is_file()), None
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    """``start()``, then ``url(db)``/``env()`` to connect, ``create_database()``, ``stop()``."""

    def __init__(self, bin_dir: Path, tuned_for_tests: bool = True) -> None:
        self.bin = bin_dir
        self.tuned = tuned_for_tests
        self.password = secrets.token_hex(12)
        self.port = 0
        self.root = Path(tempfile.mkdtemp(prefix="missionkit-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.as_service = os.geteuid() == 0

    def _run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / argv[0]), *argv[1:]]
        if self.as_service:
            command = ["runuser", "-u", SERVICE_USER, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)

    def start(self) -> PostgresServer:
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.password + "\n", encoding="utf-8")
        if self.as_service:
            entry = pwd.getpwnam(SERVICE_USER)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
            os.chown(pwfile, entry.pw_uid, entry.pw_gid)
        init = self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            USER,
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
            "--encoding=UTF8",
            "--locale=C",
        )
        pwfile.unlink()
        if init.returncode:
            raise RuntimeError(f"initdb failed: {init.stderr.strip() or init.stdout.strip()}")
        options = [
            f"-p {{port}} -k {self.root} -c listen_addresses=127.0.0.1",
            "-c max_connections=60",
        ]
        if self.tuned:
            options.append("-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        for _ in range(5):  # a port found free may be taken before the server binds it
            self.port = free_port()
            started = self._run(
                "pg_ctl",
                "-D",
                str(self.data),
                "-l",
                str(self.log),
                "-w",
                "-t",
                "60",
                "-o",
                " ".join(options).format(port=self.port),
                "start",
            )
            if started.returncode == 0:
                return self
        raise RuntimeError(f"pg_ctl start failed: {self.log_tail()}")

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(encoding="utf-8").splitlines()[-20:])
        return ""

    def url(self, database: str = "postgres") -> str:
        """The URL without credentials, as a mission file would name the server."""
        return f"postgresql://127.0.0.1:{self.port}/{database}"

    def env(self) -> dict[str, str]:
        """libpq's variables holding the credentials."""
        return {"PGUSER": USER, "PGPASSWORD": self.password}

    def create_database(self, name: str) -> str:
        """A new empty database; its URL."""
        import psycopg

        with psycopg.connect(self.url(), user=USER, password=self.password, autocommit=True) as con:
            con.execute(f'create database "{name}"')  # name chosen by the caller, not data
        return self.url(name)

    def stop(self) -> None:
        if self.port:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            self.port = 0
        shutil.rmtree(self.root, ignore_errors=True)


def start_server(tuned_for_tests: bool = True) -> PostgresServer:
    """A running server; RuntimeError saying what is missing when PostgreSQL is not installed."""
    found = find_bin()
    if found is None:
        raise RuntimeError(
            "PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin, "
            "$MISSIONKIT_PG_BIN or PATH): apt-get install postgresql"
        )
    return PostgresServer(found, tuned_for_tests).start()

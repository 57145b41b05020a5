"""A throwaway PostgreSQL cluster on 127.0.0.1 (its own data directory and port, never the shared server) that a
test may stop and start again, holding a copy of the test database so that a worker and the test share it."""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


class PrivatePostgres:
    NAME = "retailiq"

    def __init__(self) -> None:
        bin_dir = _bin_dir()
        if bin_dir is None or not (bin_dir / "initdb").exists():
            pytest.skip("no initdb/pg_ctl found: the database-outage test needs a private PostgreSQL it may stop")
        self.bin_dir = bin_dir
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="retailiq-pg-"))
        self.data = self.root / "data"
        # initdb refuses to run as root; the cluster then belongs to the postgres user.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.root, user="postgres")

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self.as_user, *command], check=check, capture_output=True, text=True, timeout=60, cwd=self.root
        )

    def init(self) -> None:
        result = self._run(
            str(self.bin_dir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync",
            "-E", "UTF8", check=False,
        )  # fmt: skip
        if result.returncode != 0:
            pytest.skip(f"initdb could not make a private cluster: {result.stderr.strip()[-300:]}")

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
            "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
        )
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                  str(self.root / "server.log"), "-w", "-t", "30", "start")  # fmt: skip

    def stop(self, mode: str = "immediate") -> None:
        """``immediate`` is a crash as clients see it: connections drop, nothing is shut down politely."""
        self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def copy_database(self, *, host: str, port: int | str, user: str, name: str) -> None:
        """Schema and rows of ``name`` on the shared server, into this cluster's own database."""
        createdb = [str(self.bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        subprocess.run([*createdb, self.NAME], check=True, capture_output=True, timeout=30)
        dump = subprocess.Popen(
            [str(self.bin_dir / "pg_dump"), "-h", host, "-p", str(port), "-U", user, "--no-owner", name],
            stdout=subprocess.PIPE,
        )
        psql = [str(self.bin_dir / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q"]
        subprocess.run(
            [*psql, "-v", "ON_ERROR_STOP=1", "-d", self.NAME], stdin=dump.stdout, check=True, capture_output=True,
            timeout=60,
        )  # fmt: skip
        dump.stdout.close()
        assert dump.wait(timeout=30) == 0

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

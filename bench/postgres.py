"""A throwaway PostgreSQL cluster for the benchmarks, started the way ``.ci/run`` starts one.

``initdb`` and ``pg_ctl`` come from the machine (Debian's ``postgresql`` package, installed with
apt-get when it is missing and we are root); as root the server runs as the ``postgres`` user.
The cluster lives in a temporary directory, listens on a free local port, and is stopped and
deleted when the ``with`` block ends, whatever happens inside it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

USER = "cicte"
DATABASE = "cicte_bench"
# The same durability shortcuts as .ci/run: they only speed up writes (the bulk load); the
# timed searches read, and read the same with or without them.
SERVER_OPTIONS = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
)


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot be found or installed on this machine."""


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _binaries() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: [int(x) if x.isdigit() else x for x in Path(p).parts[-3].split(".")],
    )
    return Path(found[-1]).parent if found else None


def binaries(*, install: bool = True, log: Callable[[str], None] = print) -> Path:
    """The directory of ``initdb`` and ``pg_ctl``; installs Debian's postgresql if missing."""
    found = _binaries()
    if found is None and install and _is_root() and shutil.which("apt-get"):
        log("Installing Debian's postgresql package (apt-get)...")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "postgresql"],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        found = _binaries()
    if found is None:
        raise PostgresUnavailable(
            "PostgreSQL's initdb was not found under /usr/lib/postgresql/*/bin. Install Debian's "
            "postgresql package (apt-get install postgresql), or run the benchmark as root so "
            "that it installs it."
        )
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def throwaway_cluster(log: Callable[[str], None] = print) -> Iterator[str]:
    """Start a fresh cluster with an empty database; yield its DATABASE_URL; stop and delete it."""
    bindir = binaries(log=log)
    root = Path(tempfile.mkdtemp(prefix="cicte-bench-pg."))
    data = root / "data"
    runas: list[str] = []
    if _is_root():
        # initdb refuses to run as root: the cluster belongs to the postgres user.
        shutil.chown(root, "postgres", "postgres")
        runas = ["runuser", "-u", "postgres", "--"]

    def run(*args: str) -> None:
        subprocess.run([*runas, *args], check=True, stdout=subprocess.DEVNULL)

    port = free_port()
    started = False
    try:
        run(
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            USER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-instructions",
        )
        run(
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-w",
            "-l",
            str(root / "server.log"),
            "-o",
            f"-p {port} -k {root} {SERVER_OPTIONS}",
            "start",
        )
        started = True
        run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", USER, DATABASE)
        log(f"PostgreSQL cluster on 127.0.0.1:{port} ({bindir.parent.name})")
        yield f"postgres://{USER}@127.0.0.1:{port}/{DATABASE}"
    finally:
        if started:
            subprocess.run(
                [*runas, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"],
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        shutil.rmtree(root, ignore_errors=True)

"""The client side of the TAXII GET benchmark: start a server under gunicorn on loopback, walk a
collection with ``next`` to reach several positions, time Get Objects (``limit=100``) with
plain HTTP and with taxii2-client (the OASIS client), and the same for medallion.

No Django here: this runs in the benchmark's parent process, against servers in their own
processes.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests

from bench import postgres
from bench.report import percentiles

TAXII = "application/taxii+json;version=2.1"


class TokenAuth(requests.auth.AuthBase):
    """``Authorization: Token <secret>``, as the platform's API and TAXII take it."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: Any) -> Any:
        request.headers["Authorization"] = f"Token {self.token}"
        return request


@contextlib.contextmanager
def gunicorn(
    app: str, env: dict[str, str], cwd: Path, log: Callable[[str], None], probe: str = "/"
) -> Iterator[str]:
    """Run ``app`` under gunicorn (one synchronous worker: one request at a time, as timed) on a
    free loopback port; yield its base URL."""
    port = postgres.free_port()
    logfile = tempfile.NamedTemporaryFile(prefix="cicte-bench-gunicorn.", suffix=".log")  # noqa: SIM115 - closed in finally
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "600",
            app,
        ],
        cwd=cwd,
        env=env,
        stdout=logfile,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if process.poll() is not None:
                raise RuntimeError(
                    "gunicorn stopped: " + Path(logfile.name).read_text(errors="replace")[-2000:]
                )
            try:
                requests.get(base + probe, timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        logfile.close()


def timed(call: Callable[[], Any], repeat: int, warmup: int, budget: float) -> dict[str, Any]:
    """Percentiles (ms) of ``repeat`` calls after ``warmup``; stops early after ``budget``
    seconds of timing (and says how many ran)."""
    for _ in range(warmup):
        call()
    samples: list[float] = []
    started = time.perf_counter()
    while len(samples) < repeat and time.perf_counter() - started < budget:
        begin = time.perf_counter_ns()
        call()
        samples.append((time.perf_counter_ns() - begin) / 1e6)
    if len(samples) >= 2:
        figures = percentiles(samples)
    else:
        figures = dict.fromkeys(("p50", "p95", "p99"), samples[0])
    return {"samples": len(samples), **{k: round(v, 2) for k, v in figures.items()}}


def _get(session: requests.Session, url: str, params: dict[str, str]) -> requests.Response:
    response = session.get(url, params=params, headers={"Accept": TAXII}, timeout=600)
    response.raise_for_status()
    return response


def positions(
    session: requests.Session, url: str, wanted: list[int], page: int = 100
) -> dict[int, dict[str, str]]:
    """The query of the page that starts at each of ``wanted`` (objects from the start), found by
    walking the collection with ``next`` (limit=``page``)."""
    found: dict[int, dict[str, str]] = {}
    params: dict[str, str] = {"limit": str(page)}
    offset = 0
    remaining = sorted(wanted)
    while remaining:
        if offset >= remaining[0]:
            found[remaining.pop(0)] = dict(params)
            continue
        body = _get(session, url, params).json()
        offset += len(body.get("objects", []))
        if not body.get("more"):
            break
        params = {"limit": str(page), "next": body["next"]}
    return found


def time_platform(
    base: str,
    root: str,
    collection: str,
    token: str,
    echo_dir: Path,
    wanted: list[int],
    repeat: int,
    warmup: int,
    budget: float,
) -> list[dict[str, Any]]:
    """Get Objects at each position (plain HTTP and taxii2-client), and the trivial view
    answering the same bytes."""
    from taxii2client.v21 import Collection

    session = requests.Session()
    session.auth = TokenAuth(token)
    url = f"{base}/taxii2/{root}/collections/{collection}/objects/"
    results = []
    client = Collection(f"{base}/taxii2/{root}/collections/{collection}/", auth=TokenAuth(token))
    for position, params in positions(session, url, wanted).items():
        body = _get(session, url, params).content
        name = f"page-{position}.json"
        (echo_dir / name).write_bytes(body)
        page_url = f"{base}/bench/echo/{name}"
        kwargs: dict[str, Any] = {"limit": 100}
        if "next" in params:
            kwargs["next"] = params["next"]

        def real(query: dict[str, str] = params) -> Any:
            return _get(session, url, query)

        def trivial(address: str = page_url) -> Any:
            return _get(requests.Session(), address, {})

        def through(options: dict[str, Any] = kwargs) -> Any:
            return client.get_objects(**options)

        plain = timed(real, repeat, warmup, budget)
        echo = timed(trivial, repeat, warmup, budget)
        through_client = timed(through, max(repeat // 4, 20), warmup, budget)
        results.append(
            {
                "position": position,
                "objects": len(json.loads(body).get("objects", [])),
                "bytes": len(body),
                "http": plain,
                "echo": echo,
                "taxii2_client": through_client,
            }
        )
    return results


# --- medallion --------------------------------------------------------------------------------

MEDALLION_USER, MEDALLION_PASSWORD = "bench", "bench-password"
MEDALLION_COLLECTION = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"


def medallion_data(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """medallion's memory-backend file: one API root, one collection holding ``objects``."""
    start = 1_767_225_600.0  # 2026-01-01
    manifest, stored = [], []
    for index, obj in enumerate(objects):
        added = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start + index)) + ".000000Z"
        version = obj.get("modified") or obj.get("created") or added
        manifest.append(
            {
                "id": obj["id"],
                "date_added": added,
                "version": version,
                "media_type": "application/stix+json;version=2.1",
            }
        )
        # medallion keeps the version of an object without modified or created here.
        stored.append(
            obj if "modified" in obj or "created" in obj else {**obj, "_date_added": added}
        )
    return {
        "/discovery": {
            "title": "medallion (bench)",
            "default": "http://127.0.0.1/api1/",
            "api_roots": ["http://127.0.0.1/api1/"],
        },
        "api1": {
            "information": {
                "title": "bench",
                "versions": [TAXII],
                "max_content_length": 10_000_000,
            },
            "status": [],
            "collections": [
                {
                    "id": MEDALLION_COLLECTION,
                    "title": "bench",
                    "can_read": True,
                    "can_write": True,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": stored,
                    "manifest": manifest,
                }
            ],
        },
    }


def time_medallion(
    objects: list[dict[str, Any]],
    cwd: Path,
    repeat: int,
    warmup: int,
    budget: float,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """The first page (limit=100) of a medallion collection of ``objects``, with plain HTTP and
    with taxii2-client, each capped at ``budget`` seconds of timing."""
    from taxii2client.v21 import Collection

    with tempfile.TemporaryDirectory(prefix="cicte-bench-medallion.") as tmp:
        data = Path(tmp) / "data.json"
        data.write_text(json.dumps(medallion_data(objects)), encoding="utf-8")
        config = Path(tmp) / "config.json"
        config.write_text(
            json.dumps(
                {
                    "backend": {
                        "module_class": "MemoryBackend",
                        "module": "medallion.backends.memory_backend",
                        "filename": str(data),
                    },
                    "users": {MEDALLION_USER: MEDALLION_PASSWORD},
                    "taxii": {"max_page_size": 100},
                }
            ),
            encoding="utf-8",
        )
        env = {**os.environ, "MEDALLION_CONFIG": str(config), "PYTHONPATH": str(cwd)}
        with gunicorn("bench.taxii.medallion_app:application", env, cwd, log) as base:
            auth = (MEDALLION_USER, MEDALLION_PASSWORD)
            session = requests.Session()
            session.auth = auth
            url = f"{base}/api1/collections/{MEDALLION_COLLECTION}/objects/"
            body = _get(session, url, {"limit": "100"}).content
            plain = timed(lambda: _get(session, url, {"limit": "100"}), repeat, warmup, budget)
            client = Collection(
                f"{base}/api1/collections/{MEDALLION_COLLECTION}/", user=auth[0], password=auth[1]
            )
            through_client = timed(
                lambda: client.get_objects(limit=100), max(repeat // 4, 5), 0, budget
            )
    return {
        "objects": len(objects),
        "page_objects": len(json.loads(body).get("objects", [])),
        "bytes": len(body),
        "http": plain,
        "taxii2_client": through_client,
    }

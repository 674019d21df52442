"""Servers for the service tests: ``sen-rules serve`` started as a real process on
127.0.0.1 at a free port, and reached through a real HTTP client."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
pytest.importorskip("sqlalchemy")
pytest.importorskip("httpx")
import httpx

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "cases"
POSTGRES_ENV = "SEN_RULES_TEST_POSTGRES_URL"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


@dataclass
class Server:
    """A running ``sen-rules serve`` process."""

    process: subprocess.Popen[bytes]
    port: int
    stderr_path: Path
    args: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(tmp: Path, *args: str, wait: bool = True) -> Server:
    port = free_port()
    stderr_path = tmp / f"server-{port}.log"
    command = [sys.executable, "-m", "sen_rules", "serve", "--port", str(port), *args]
    with open(stderr_path, "wb") as err:
        process = subprocess.Popen(command, env=environment(), cwd=tmp,
                                   stdout=subprocess.DEVNULL, stderr=err)
    server = Server(process, port, stderr_path, list(args))
    if wait:
        wait_ready(server)
    return server


def wait_ready(server: Server, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"the server exited: {server.stderr()}")
        try:
            if httpx.get(server.url + "/v1/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop(signal.SIGKILL)
    raise AssertionError(f"the server did not start: {server.stderr()}")


@pytest.fixture(scope="session")
def service_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("service")


@pytest.fixture(scope="session")
def server(service_dir: Path) -> Iterator[Server]:
    """An open server (no tokens) with an SQLite decision log."""
    running = start_server(service_dir, "--log", f"sqlite:///{service_dir / 'log.db'}")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def client(server: Server) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


def example(name: str) -> str:
    return (EXAMPLES / f"{name}.json").read_text(encoding="utf-8")


def postgres_url() -> str | None:
    """The throwaway PostgreSQL server's URL (.ci/postgres.sh), or skip; under CI its
    absence is a failure, not a skip."""
    url = os.environ.get(POSTGRES_ENV)
    if url:
        return url
    if os.environ.get("CI") == "true":
        pytest.fail(f"{POSTGRES_ENV} is not set under CI: .ci/postgres.sh should start "
                    "PostgreSQL")
    pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (see docs/service.md)")
    return None

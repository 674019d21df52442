"""Load on the decision service, on this machine (127.0.0.1 only): sustained requests per
second, p50/p99 latency and errors for evaluate and for evaluate-with-record (SQLite
decision log), at 1, 2 and 4 worker processes, with the server's memory before and after.

    PYTHONPATH=src python benchmarks/service_load.py [--seconds 10] [--concurrency 16]

The load generator is a small asyncio + httpx loop rather than locust: it needs nothing
beyond the test extra, is bounded in requests and time, and reports exactly these figures.
It runs on the same cores as the server, so the figures are a floor for one machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CASES = ["school-action", "placement-candidates", "complex-needs-referral",
         "transport-travel-provision", "cessation-nineteenth-birthday"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    total_kb = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        pending.extend(children.get(current, []))
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except OSError:
            pass
    return total_kb / 1024


def start(workers: int, log_url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    process = subprocess.Popen(
        [sys.executable, "-m", "sen_rules", "serve", "--port", str(port), "--workers",
         str(workers), "--log", log_url], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/v1/ready", timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


async def run_phase(url: str, path: str, bodies: list[bytes], seconds: float,
                    concurrency: int, max_requests: int) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    sent = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as client:

        async def one_client(k: int) -> None:
            nonlocal errors, sent
            i = k
            while time.monotonic() < deadline and sent < max_requests:
                sent += 1
                body = bodies[i % len(bodies)]
                i += 1
                began = time.perf_counter()
                try:
                    answer = await client.post(path, content=body,
                                               headers={"content-type": "application/json"})
                    ok = answer.status_code in (200, 201)
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - began)
                errors += 0 if ok else 1

        began = time.perf_counter()
        await asyncio.gather(*(one_client(k) for k in range(concurrency)))
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {"requests": len(latencies), "rps": len(latencies) / elapsed,
            "p50_ms": statistics.median(latencies) * 1000,
            "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
            "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per phase (default 10)")
    parser.add_argument("--concurrency", type=int, default=16, help="clients in flight")
    parser.add_argument("--max-requests", type=int, default=50_000, help="per phase")
    parser.add_argument("--workers", default="1,2,4", help="worker counts to measure")
    args = parser.parse_args()
    bodies = [json.dumps({"case": json.loads((ROOT / "examples" / "cases" /
                                              f"{name}.json").read_text()),
                          "as_of": "2026-11-28"}).encode() for name in CASES]
    print(f"sen-rules service load: {os.cpu_count()} cores, {args.concurrency} clients in "
          f"flight, {args.seconds:g} s per phase, 127.0.0.1; load average "
          f"{os.getloadavg()[0]:.1f} before")
    print(f"{'workers':>7}  {'phase':<22} {'requests':>8} {'req/s':>8} {'p50 ms':>7} "
          f"{'p99 ms':>7} {'errors':>6}  {'RSS MB before -> after':>22}")
    for workers in [int(w) for w in args.workers.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            process, url = start(workers, f"sqlite:///{tmp}/log.db")
            try:
                for label, path in (("evaluate", "/v1/evaluate"),
                                    ("evaluate + record", "/v1/records")):
                    before = tree_rss_mb(process.pid)
                    figures = asyncio.run(run_phase(url, path, bodies, args.seconds,
                                                    args.concurrency, args.max_requests))
                    after = tree_rss_mb(process.pid)
                    print(f"{workers:>7}  {label:<22} {figures['requests']:>8.0f} "
                          f"{figures['rps']:>8.1f} {figures['p50_ms']:>7.1f} "
                          f"{figures['p99_ms']:>7.1f} {figures['errors']:>6.0f}  "
                          f"{before:>9.0f} -> {after:<9.0f}", flush=True)
            finally:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)
    print(f"load average {os.getloadavg()[0]:.1f} after (the machine's other work shares "
          "these cores)")


if __name__ == "__main__":
    main()

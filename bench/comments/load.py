"""A small, bounded HTTP/1.1 load generator on raw asyncio streams (loopback only).

Keep-alive connections, one outstanding request each; latencies per request.
It is light enough to share a 2-core machine with the server it measures.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

MakeRequest = Callable[[int], bytes]


@dataclass
class Result:
    """What one scenario at one concurrency gave."""

    requests: int = 0
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        if len(self.latencies) < 2:
            return self.latencies[0]
        return statistics.quantiles(self.latencies, n=1000, method="inclusive")[int(p * 10) - 1]

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500)


def request(method: str, path: str, host: str, body: bytes = b"", ctype: str = "") -> bytes:
    head = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    if body or method in ("POST", "PATCH", "PUT"):
        head += [f"Content-Type: {ctype}", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    version, status = lines[0].split(" ", 2)[:2]
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip().lower()
    keep = version == "HTTP/1.1" and headers.get("connection") != "close"
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif int(status) not in (204, 304):
        await reader.read()
        keep = False
    return int(status), keep


async def _worker(
    host: str, port: int, make: MakeRequest, start: int, step: int, deadline: float, out: Result
) -> None:
    i = start
    reader = writer = None
    while time.perf_counter() < deadline:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            assert reader is not None
            t0 = time.perf_counter()
            writer.write(make(i))
            remaining = max(0.1, deadline + 10 - t0)
            status, keep = await asyncio.wait_for(_read_response(reader), remaining)
            out.latencies.append(time.perf_counter() - t0)
            out.statuses[status] += 1
            out.requests += 1
            if not keep:
                writer.close()
                writer = None
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            out.errors += 1
            if writer is not None:
                writer.close()
            writer = None
            await asyncio.sleep(0.01)
        i += step
    if writer is not None:
        writer.close()


async def run_load(
    host: str, port: int, make: MakeRequest, concurrency: int, seconds: float, warmup: float = 0.5
) -> Result:
    """Drive ``concurrency`` connections for ``seconds`` (after a short warm-up)."""
    if warmup:
        await asyncio.gather(
            *(
                _worker(
                    host, port, make, -1 - n, -concurrency, time.perf_counter() + warmup, Result()
                )
                for n in range(min(concurrency, 4))
            )
        )
    out = Result()
    t0 = time.perf_counter()
    deadline = t0 + seconds
    await asyncio.gather(
        *(_worker(host, port, make, n, concurrency, deadline, out) for n in range(concurrency))
    )
    out.seconds = time.perf_counter() - t0
    return out

"""Closed-loop load generator for the decision endpoint, run in its own process on loopback.

Each of ``--connections`` keep-alive HTTP/1.1 connections sends a decision request, waits for the answer,
sends the next: the rate is what the server sustains, and every latency is that of one request as a portal
service would see it (from the first byte written to the last byte read). The client is a few lines of
asyncio over raw sockets with the requests serialised in advance, so that on a 2-core machine it takes as
little CPU as possible from the server it measures.

Prints one JSON object: requests, decisions, errors, granted share, elapsed seconds, rates, latency quantiles.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path


def encode(host: str, port: int, path: str, token: str, body: dict) -> bytes:
    payload = json.dumps(body, separators=(",", ":")).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
            break
    body = await reader.readexactly(length) if length else b""
    return status, body


async def connection_loop(host, port, requests, offset, stop_at, latencies, outcome, batch_size):
    reader, writer = await asyncio.open_connection(host, port)
    index = offset
    count = len(requests)
    clock = time.perf_counter
    try:
        while clock() < stop_at:
            request = requests[index % count]
            index += 1
            started = clock()
            writer.write(request)
            status, body = await read_response(reader)
            latencies.append(clock() - started)
            if status != 200:
                outcome["errors"] += 1
                continue
            outcome["requests"] += 1
            outcome["decisions"] += batch_size
            outcome["granted"] += body.count(b'"granted": true') + body.count(b'"granted":true')
    finally:
        writer.close()


def quantile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


async def run(args) -> dict:
    queries = json.loads(Path(args.queries).read_text(encoding="utf-8"))
    if args.batch > 1:
        bodies = [
            {"decisions": queries[i : i + args.batch]}
            for i in range(0, len(queries) - args.batch + 1, args.batch)
        ]
        path = "/api/v1/decisions/batch"
    else:
        bodies, path = queries, "/api/v1/decisions"
    requests = [encode(args.host, args.port, path, args.token, body) for body in bodies]
    latencies: list[float] = []
    outcome = {"requests": 0, "decisions": 0, "granted": 0, "errors": 0}
    started = time.perf_counter()
    stop_at = started + args.duration
    spread = max(1, len(requests) // args.connections)
    await asyncio.gather(
        *(
            connection_loop(
                args.host, args.port, requests, n * spread, stop_at, latencies, outcome, args.batch
            )
            for n in range(args.connections)
        )
    )
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        **outcome,
        "connections": args.connections,
        "batch": args.batch,
        "elapsed_s": round(elapsed, 2),
        "requests_per_s": round(outcome["requests"] / elapsed, 1),
        "decisions_per_s": round(outcome["decisions"] / elapsed, 1),
        "granted_share": round(outcome["granted"] / outcome["decisions"], 3)
        if outcome["decisions"]
        else None,
        "latency_ms": {
            name: round(quantile(latencies, q) * 1000, 2)
            for name, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("max", 1.0))
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--queries", required=True, help="JSON écrit par bench/scale/load.py")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--batch", type=int, default=1, help="décisions par requête (forme groupée si > 1)")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))))
    return 0


if __name__ == "__main__":
    sys.exit(main())

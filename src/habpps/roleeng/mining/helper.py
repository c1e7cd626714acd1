"""A second process growing covers while the anytime search runs: the machine's other core put to work.

Grown greedy covers are the slow part of the anytime search on large planted structures (on COMP_02.1 one cover
takes seconds of processor, and each one is a fresh chance of the best count once pair merging has run); they are
pure numpy on one core, while the machines the miner runs on have two. :class:`CoverHelper` starts
``python -m habpps.roleeng.mining.helper``, hands it the component's matrix (packed bits on its standard input)
and a seed of its own, and collects the covers it sends back (each greedy cover and its pair-merged version,
packed the same way) from a reader thread; the anytime search offers them like its own, so the exactness check
and the cover merging treat them alike.

The helper is an optimisation only: if it cannot start, dies, or sends something unreadable, the search goes on
alone. It ignores Ctrl-C (the search stops it), stops at the deadline it was given, and when the search's
process disappears (its standard output closes).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import queue
import signal
import struct
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

#: A role of a component: (user rows, permission columns), boolean masks.
Role = tuple[np.ndarray, np.ndarray]

_LENGTH = struct.Struct("<Q")
#: First byte of a cover frame: a greedy run, or its pair-merged version.
_GREEDY, _MERGED = b"G", b"M"
#: Frames larger than this are refused (a cover of a 10⁸-cell component is far smaller).
_MAX_FRAME = 1 << 31


class CoverHelper:
    """The parent's side: start the helper process, feed it the matrix, gather its covers without blocking."""

    def __init__(self, matrix: np.ndarray, seed: int, seconds: float) -> None:
        self.shape = matrix.shape
        self._received: queue.Queue[tuple[bool, list[Role]]] = queue.Queue()
        package_root = str(Path(__file__).resolve().parents[3])  # the folder holding ``habpps``
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
        env["OMP_NUM_THREADS"] = env["OPENBLAS_NUM_THREADS"] = "1"  # one core for the helper, the other for us
        self.process = subprocess.Popen(
            [sys.executable, "-m", "habpps.roleeng.mining.helper"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
        )
        header = json.dumps({"shape": list(matrix.shape), "seed": seed, "seconds": seconds}).encode()
        payload = np.packbits(matrix, axis=None).tobytes()
        threading.Thread(target=self._feed, args=(header, payload), daemon=True).start()
        threading.Thread(target=self._read, daemon=True).start()

    def _feed(self, header: bytes, payload: bytes) -> None:
        stdin = self.process.stdin
        with contextlib.suppress(OSError, ValueError):  # the helper died or was stopped: nothing to do
            _write_frame(stdin, header)
            _write_frame(stdin, payload)
            stdin.flush()

    def _read(self) -> None:
        stdout = self.process.stdout
        try:
            while True:
                frame = _read_frame(stdout)
                if frame is None:
                    return
                self._received.put((frame[:1] == _GREEDY, _decode_cover(frame[1:], self.shape)))
        except (OSError, ValueError):
            return

    def covers(self) -> list[tuple[bool, list[Role]]]:
        """The covers received since the last call (never blocks), each with whether it is a fresh greedy run
        (else the pair-merged version of the one before)."""
        found = []
        while True:
            try:
                found.append(self._received.get_nowait())
            except queue.Empty:
                return found

    def close(self) -> None:
        """Stop the helper process (this process started it: it is ended by its own handle)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError, ValueError):
                stream.close()


def encode_cover(cover: list[Role]) -> bytes:
    """A cover as one boolean matrix (a row per role: its user mask then its permission mask), packed."""
    rows = np.array([np.concatenate(role) for role in cover], dtype=bool)
    buffer = io.BytesIO()
    np.save(buffer, np.packbits(rows, axis=1), allow_pickle=False)
    return buffer.getvalue()


def _decode_cover(frame: bytes, shape: tuple[int, int]) -> list[Role]:
    packed = np.load(io.BytesIO(frame), allow_pickle=False)
    n, m = shape
    if packed.ndim != 2 or packed.dtype != np.uint8 or packed.shape[1] != (n + m + 7) // 8:
        raise ValueError("couverture illisible")
    rows = np.unpackbits(packed, axis=1, count=n + m).astype(bool)
    return [(row[:n].copy(), row[n:].copy()) for row in rows]


def _write_frame(stream, data: bytes) -> None:
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)


def _read_frame(stream) -> bytes | None:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(head)
    if length > _MAX_FRAME:
        raise ValueError("trame trop longue")
    data = stream.read(length)
    return data if len(data) == length else None


def main() -> int:
    """The helper's side: read the matrix, then grow covers and send them until the deadline or a closed pipe."""
    from habpps.roleeng.mining.anytime import AnytimeSearch, SearchState
    from habpps.roleeng.mining.deadline import Deadline
    from habpps.roleeng.mining.pair_merge import merge_role_pairs

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the search stops us itself
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    header = _read_frame(stdin)
    payload = _read_frame(stdin)
    if header is None or payload is None:
        return 1
    settings = json.loads(header)
    n, m = settings["shape"]
    deadline = Deadline(float(settings["seconds"]))
    bits = np.unpackbits(np.frombuffer(payload, dtype=np.uint8), count=n * m)
    matrix = bits.reshape(n, m).astype(bool)
    state = SearchState([(np.arange(n) == i, matrix[i]) for i in range(n)], bound=1)
    search = AnytimeSearch(matrix, state, seed=int(settings["seed"]), use_solver=False)
    try:
        while not deadline.expired():
            cover = search.greedy_cover(deadline)
            if cover is None:
                break
            _write_frame(stdout, _GREEDY + encode_cover(cover))
            stdout.flush()
            if deadline.expired():
                break
            merged = merge_role_pairs(search.matrix, search.transposed, cover, deadline)
            if len(merged) < len(cover):
                _write_frame(stdout, _MERGED + encode_cover(merged))
                stdout.flush()
            if len(merged) < len(state.roles):
                state.roles = merged  # a greedy run that cannot beat it is then cut short
    except (BrokenPipeError, OSError):  # the search is gone
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Measuring: wall time and peak memory of a command's whole process tree.

Peak memory is read from ``/proc`` every 20 ms over the process tree: the
larger of the highest ``VmHWM`` (a process's own high-water mark, so no spike
is missed except in its last 20 ms) and the highest sum of ``VmRSS`` (helpers
running at the same time, e.g. a search indexer beside the Python build; pages
shared after a fork count once per process). ``ru_maxrss`` is not used: a
child forked from the bench inherits the bench's own size until it execs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import statistics
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SAMPLE_SECONDS = 0.02


@dataclass(frozen=True, slots=True)
class Sample:
    """One run of a command."""

    seconds: float
    peak_mb: float
    returncode: int | None  # None: killed at the timeout
    error: str = ""
    cpu_seconds: float | None = None  # user + system of the tree: steadier on a busy machine

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.error


@dataclass(frozen=True, slots=True)
class Summary:
    """Medians of several runs of one scenario; ``error`` set if any run failed."""

    seconds: float | None
    peak_mb: float | None
    runs: int
    error: str = ""
    note: str = ""
    cpu_seconds: float | None = None

    @classmethod
    def of(cls, samples: Sequence[Sample], note: str = "") -> Summary:
        good = [s for s in samples if s.ok]
        bad = [s for s in samples if not s.ok]
        error = bad[0].error if bad else ""
        if not good:
            return cls(None, None, 0, error or "no run", note)
        cpus = [s.cpu_seconds for s in good if s.cpu_seconds is not None]
        return cls(
            statistics.median(s.seconds for s in good),
            statistics.median(s.peak_mb for s in good),
            len(good),
            error,
            note,
            statistics.median(cpus) if len(cpus) == len(good) else None,
        )


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rindex(b")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants alive now."""
    children = _children_map()
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, ()))
    return out


def _cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return 0
    fields = stat[stat.rindex(b")") + 2 :].split()
    return int(fields[11]) + int(fields[12])


def _memory_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of one process in kB; zeros if it is gone."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith(b"VmHWM:"):
                    hwm = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return rss, hwm


def tree_memory(pid: int) -> tuple[float, float]:
    """(sum of RSS, largest high-water mark) over the tree of ``pid``, in MB."""
    total = top = 0
    for p in tree(pid):
        rss, hwm = _memory_kb(p)
        total += rss
        top = max(top, hwm)
    return total / 1024, top / 1024


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the processes alive in the tree."""
    return sum(_cpu_ticks(p) for p in tree(pid)) / CLOCK_TICKS


class _Sampler(threading.Thread):
    """Samples the tree's RSS until stopped; keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_mb = 0.0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            with contextlib.suppress(Exception):
                self.peak_mb = max(self.peak_mb, *tree_memory(self.pid))
            self._halt.wait(SAMPLE_SECONDS)

    def stop(self) -> float:
        self._halt.set()
        self.join()
        return self.peak_mb


def _tail(path: Path, lines: int = 3) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    kept = [line.strip() for line in text.splitlines() if line.strip()]
    return " / ".join(kept[-lines:])[-300:]


def _kill_group(pid: int, sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def run(
    cmd: Sequence[str],
    cwd: Path,
    timeout: float,
    log: Path,
    env: dict[str, str] | None = None,
) -> Sample:
    """Run ``cmd`` once; output goes to ``log`` (its last lines become the error)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(
                list(cmd),
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            return Sample(0.0, 0.0, 127, f"cannot start {cmd[0]}: {exc}")
        sampler = _Sampler(proc.pid)
        sampler.start()
        result: dict[str, float] = {}

        def reap() -> None:
            _, status, usage = os.wait4(proc.pid, 0)
            result["end"] = time.perf_counter()
            result["code"] = os.waitstatus_to_exitcode(status)
            result["cpu"] = usage.ru_utime + usage.ru_stime

        reaper = threading.Thread(target=reap, daemon=True)
        reaper.start()
        try:
            reaper.join(timeout)
        finally:  # on a timeout, and on Ctrl-C or SIGTERM of the bench itself
            timed_out = reaper.is_alive()
            if timed_out:
                _kill_group(proc.pid)
                reaper.join()
        polled = sampler.stop()
        _kill_group(proc.pid)  # leftovers a tool may have spawned in its session
        code = int(result["code"])
        proc.returncode = code  # reaped by wait4 above; keep Popen from waiting again
    seconds = result["end"] - start
    peak = polled
    cpu = result["cpu"]
    if timed_out:
        return Sample(seconds, peak, None, f"timed out after {timeout:.0f} s", cpu)
    error = "" if code == 0 else f"exit {code}: {_tail(log)}"
    return Sample(seconds, peak, code, error, cpu)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fetch(url: str, timeout: float = 5.0) -> str | None:
    """The body of ``url``, or None if it cannot be had (yet)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return str(response.read().decode("utf-8", errors="replace"))
    except (urllib.error.URLError, OSError, ValueError):
        return None


@dataclass
class Server:
    """A dev server (``veille serve``, ``hugo server``, ``pelican -lr``) under watch."""

    cmd: Sequence[str]
    cwd: Path
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    sampler: _Sampler | None = None
    peak_mb: float = 0.0
    _out: object = field(default=None, repr=False)

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = open(self.log, "wb")  # noqa: SIM115 - closed in stop()
        self._out = out
        self.proc = subprocess.Popen(
            list(self.cmd),
            cwd=self.cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.sampler = _Sampler(self.proc.pid)
        self.sampler.start()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def error(self) -> str:
        if self.alive():
            return _tail(self.log)
        return f"exited: {_tail(self.log)}"

    def wait_for(self, url: str, text: str | None, timeout: float) -> float | None:
        """Seconds until ``url`` answers (and contains ``text``); None on timeout or exit."""
        start = time.perf_counter()
        deadline = start + timeout
        while time.perf_counter() < deadline:
            body = fetch(url, timeout=max(0.1, min(5.0, deadline - time.perf_counter())))
            if body is not None and (text is None or text in body):
                return time.perf_counter() - start
            if not self.alive():
                return None
            time.sleep(SAMPLE_SECONDS)
        return None

    def settle(self, quiet: float = 1.0, timeout: float = 600.0) -> bool:
        """Wait until the tree uses under 5% of a core for ``quiet`` seconds (work done)."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        last = tree_cpu(self.proc.pid)
        while time.monotonic() < deadline:
            time.sleep(quiet)
            now = tree_cpu(self.proc.pid)
            if now - last < 0.05 * quiet:
                return True
            last = now
            if not self.alive():
                return False
        return False

    def stop(self) -> float:
        """Stop the whole tree; return its peak memory (MB) over its life."""
        if self.proc is None:
            return 0.0
        self.peak_mb = self.sampler.stop() if self.sampler is not None else 0.0
        if self.proc.poll() is None:
            _kill_group(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                _kill_group(self.proc.pid)
                self.proc.wait()
        _kill_group(self.proc.pid)  # grandchildren that outlived their parent
        if hasattr(self._out, "close"):
            self._out.close()
        return self.peak_mb

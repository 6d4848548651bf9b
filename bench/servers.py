"""The forms under test, started as new processes and timed: spawn -> first successful prediction.

Every server is pinned to core 0 (`taskset -c 0`), as a 1 vCPU instance would be; the load
generator and everything else the bench starts run on core 1, so they do not take its CPU.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from scripts.sizes import read as read_sizes

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SERVER_CORE, CLIENT_CORE = "0", "1"
ONE_CORE = ["taskset", "-c", SERVER_CORE]
CLIENT = ["taskset", "-c", CLIENT_CORE]
ARTIFACTS = {"fast": ROOT / "model", "minilm-int8": ROOT / "model-minilm"}  # the artifacts under test

TYPICAL = (
    "Dear customer, we noticed unusual activity on your account. To avoid suspension, "
    "confirm your identity within 24 hours by replying with your full name, card number "
    "and the code we sent you. Thank you for banking with us. "
) * 6  # about 300 words, a typical e-mail
LONG = TYPICAL * 10  # about 3,000 words

# What the deployed forms run with (serving.env): one worker, ONNX Runtime threads.
DEPLOYED = {name: value for name, value in read_sizes().items() if name in ("WORKERS", "ORT_THREADS")}
CONTAINER_MODEL = "/bench-model"  # where the artifact under test is mounted in the container

# The forms: (a) the function, lazy; (b) the container's start command, eager, as a plain
# process and (b-podman) as the real container; (c) a bare functions-framework function;
# (d) the design document's seed: FastAPI + uvicorn, the model loaded at import; and the floor
# (bench/floor.py): what any model function on this runtime pays, the function's cold start measured
# against it.
FORMS = {
    "floor": "floor: ASGI hello + the model (libraries, session, one inference)",
    "a": "(a) function, lazy",
    "b": "(b) CaaS, eager (plain process)",
    "b-podman": "(b) CaaS, eager (podman run)",
    "c": "(c) bare functions-framework (ASGI)",
    "c-flask": "(c) bare functions-framework, Flask/gthread form",
    "d": "(d) naive FastAPI + uvicorn",
    # Start-up experiments (bench/overlap.py, bench/shared.py)
    "a-early": "(a), onnxruntime and tokenizers imported in the master first",
    "a-overlap": "(a), onnxruntime and tokenizers imported in a thread beside main.py",
    "b-shared": "(b), the model loaded in the master before the fork (preload)",
    "a-gc": "(a), garbage collection off while main.py imports, then frozen",
}


def words(n: int) -> str:
    """A scam-like text of exactly n words."""
    pool = TYPICAL.split()
    return " ".join(pool[i % len(pool)] for i in range(n))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def functions_framework(source: Path, target: str, port: int) -> list[str]:
    return [str(BIN / "functions-framework"), "--source", str(source), "--target", target,
            "--host", "127.0.0.1", "--port", str(port)]


def function_command(port: int) -> list[str]:
    """The Cloud Functions form: functions-framework serving main.py."""
    return functions_framework(ROOT / "main.py", "predict", port)


def container_name(port: int) -> str:
    return f"scam-bench-{port}"


def command(form: str, port: int, model: Path, image: str = "",
            cores: str = SERVER_CORE) -> tuple[list[str], dict[str, str]]:
    """The argv and the extra environment of `form` serving the artifact in `model` on `port`,
    on the CPUs `cores` (taskset's list: one core as deployed, "0,1" for a start-up CPU boost)."""
    pinned = ["taskset", "-c", cores]
    if form == "a":
        return [*pinned, *function_command(port)], {**DEPLOYED, "MODEL_DIR": str(model)}
    if form == "b":
        return [*pinned, *function_command(port)], {**DEPLOYED, "MODEL_DIR": str(model),
                                                    "MODEL_PRELOAD": "true"}
    if form in ("a-early", "a-overlap"):
        return [*pinned, *functions_framework(ROOT / "bench" / "overlap.py", "predict", port)], {
            **DEPLOYED, "MODEL_DIR": str(model), "BENCH_IMPORT": form.removeprefix("a-")}
    if form == "a-gc":
        return [*pinned, *functions_framework(ROOT / "bench" / "gc_off.py", "predict", port)], {
            **DEPLOYED, "MODEL_DIR": str(model)}
    if form == "b-shared":
        return [*pinned, *functions_framework(ROOT / "bench" / "shared.py", "predict", port)], {
            **DEPLOYED, "MODEL_DIR": str(model)}
    if form == "b-podman":  # the image's own CMD and MODEL_PRELOAD; the artifact mounted read-only
        settings = {**DEPLOYED, "PORT": str(port), "HOST": "127.0.0.1", "MODEL_DIR": CONTAINER_MODEL}
        return ["podman", "run", "--rm", "--name", container_name(port), "--network", "host",
                "--cpuset-cpus", cores, "-v", f"{model}:{CONTAINER_MODEL}:ro",
                *[f"--env={k}={v}" for k, v in settings.items()], image], {}
    if form == "floor":
        return [*pinned, *functions_framework(ROOT / "bench" / "floor.py", "floor", port)], {
            **DEPLOYED, "MODEL_DIR": str(model)}
    if form in ("c", "c-flask"):  # the gthread form gets a thread per request in flight, as it would need
        target = "hello" if form == "c" else "hello_flask"
        return [*pinned, *functions_framework(ROOT / "bench" / "hello.py", target, port)], {
            **DEPLOYED, "THREADS": read_sizes()["CONCURRENCY"]}
    if form == "d":
        return [*pinned, str(BIN / "uvicorn"), "bench.naive_app:app", "--host", "127.0.0.1",
                "--port", str(port), "--no-access-log"], {"MODEL_DIR": str(model)}
    raise ValueError(f"unknown form {form!r}")


@dataclass
class Running:
    process: subprocess.Popen
    port: int
    cold_start: float  # seconds from spawn to the first successful prediction
    container: str = ""  # the podman container's name, for the container form
    ready: float = 0.0  # seconds from spawn to readiness (the ready path's first 200), if polled

    def root_pid(self) -> int:
        if not self.container:
            return self.process.pid
        found = subprocess.run(["podman", "inspect", "--format", "{{.State.Pid}}", self.container],
                               check=True, capture_output=True, text=True)
        return int(found.stdout)

    def _pids(self) -> list[int]:
        root = self.root_pid()
        return [root, *_children(root)]

    def peak_rss_mib(self) -> float:
        """The largest peak resident set (VmHWM) among the server and its children."""
        return max(status_kib(pid, "VmHWM") for pid in self._pids()) / 1024

    def memory(self) -> list[dict]:
        """Per process of the server (its master first, then the workers): peak RSS (VmHWM) and,
        now, RSS split into unique pages (private to it) and shared ones (with its master or
        workers, or mapped libraries), and PSS; MiB."""
        return [{"process": "master" if i == 0 else "worker", **process_memory(pid)}
                for i, pid in enumerate(self._pids())]

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server and its children have used so far."""
        return sum(_cpu_ticks(pid) for pid in self._pids()) / os.sysconf("SC_CLK_TCK")

    def thread_cpu_seconds(self) -> float:
        """CPU time the server's live threads have used so far, to the nanosecond (schedstat):
        precise over short intervals, where cpu_seconds() counts 10 ms clock ticks."""
        return sum(int((task / "schedstat").read_text().split()[0])
                   for pid in self._pids() for task in Path(f"/proc/{pid}/task").iterdir()) / 1e9

    def settle(self, timeout: float = 60) -> None:
        """Waits until the server uses no CPU for a while: requests that wrk left queued when it
        stopped (64 at a transformer's pace take seconds) are done before the next run starts."""
        deadline = time.monotonic() + timeout
        used = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = self.cpu_seconds()
            if now == used:
                return
            used = now
        raise RuntimeError(f"the server on port {self.port} stayed busy for {timeout} s")

    def stop(self) -> None:
        if self.container:
            subprocess.run(["podman", "rm", "--force", "--time", "0", self.container],
                           check=False, capture_output=True)
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_children(int(child))]
    return found


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def status_kib(pid: int, field: str) -> int:
    """A size field of /proc/PID/status, such as VmRSS or VmHWM, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status has no {field}")


def process_memory(pid: int) -> dict:
    """Peak RSS, RSS, unique (private), shared and proportional (PSS) memory of one process, MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, value = line.partition(":")
        fields[name] = int(value.split()[0])
    unique = fields["Private_Clean"] + fields["Private_Dirty"]
    return {"peak_rss": status_kib(pid, "VmHWM") / 1024, "rss": fields["Rss"] / 1024, "unique": unique / 1024,
            "shared": (fields["Rss"] - unique) / 1024, "pss": fields["Pss"] / 1024}


def post(connection: http.client.HTTPConnection, body: bytes, content_type: str = "text/plain",
         path: str = "/predict") -> tuple[int, bytes]:
    connection.request("POST", path, body=body, headers={"Content-Type": content_type})
    response = connection.getresponse()
    return response.status, response.read()


def _status(port: int, method: str, path: str, body: bytes | None, timeout: float) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={"Content-Type": "text/plain"} if body else {})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def spawn(command: list[str], port: int, env: dict | None = None, timeout: float = 60,
          container: str = "", ready_path: str = "") -> Running:
    """Starts `command` and polls POST /predict until it answers 200; the clock starts at spawn.

    With `ready_path`, it first polls GET ready_path until 200 (the eager form's readiness) and
    records when (`Running.ready`).
    """
    with tempfile.TemporaryFile() as errors:  # the server's stderr, shown if it exits before it answers
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **(env or {}), "PORT": str(port)},
                                   stdout=subprocess.DEVNULL, stderr=errors)
        running = Running(process, port, 0.0, container)
        deadline = time.monotonic() + timeout

        def wait(method: str, path: str, body: bytes | None) -> float:
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    running.stop()
                    errors.seek(0)
                    said = errors.read().decode(errors="replace")[-2000:]
                    raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}:\n{said}")
                try:
                    if _status(port, method, path, body, timeout) == 200:
                        return time.perf_counter() - started
                except OSError:
                    pass
                time.sleep(0.005)
            running.stop()
            raise RuntimeError(f"{' '.join(command)} did not answer {method} {path} within {timeout} s")

        if ready_path:
            running.ready = wait("GET", ready_path, None)
        running.cold_start = wait("POST", "/predict", TYPICAL.encode())
        return running


def start(form: str, model: Path, image: str = "", env: dict | None = None,
          cores: str = SERVER_CORE) -> Running:
    """Spawns `form` on a free port and waits for its first prediction. Another program on this
    machine may take the port between free_port() and the server's bind: then it tries another."""
    attempts = 3
    while True:
        port = free_port()
        argv, extra = command(form, port, model, image, cores)
        container = container_name(port) if form == "b-podman" else ""
        try:
            return spawn(argv, port, {**extra, **(env or {})}, container=container,
                         ready_path="/readyz" if form.startswith("b") else "")
        except RuntimeError as error:
            attempts -= 1
            if not attempts or "Address already in use" not in str(error):
                raise

"""Fixtures for integration tests: a real lodestone-server (and, for the
differential tests, a real redis-server) started on free loopback ports.

The binary comes from $LODESTONE_BIN (default: build/lodestone-server).
Most tests run against a server with --threads 4 so that keys spread over
several shards; tests that matter at both thread counts use the
`server_threads` parametrization.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
import redis

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("LODESTONE_BIN", os.path.join(ROOT, "build", "lodestone-server"))
SANITIZED = os.environ.get("LODESTONE_SANITIZED") == "1"


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: long-running test, skipped in sanitizer runs")
    config.addinivalue_line("markers", "threads: exercises cross-thread paths (run under TSan too)")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, proc, timeout=20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited with code %s" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("server did not start on port %d" % port)


class ServerProcess:
    """A lodestone-server child process on a free port."""

    def __init__(self, threads=4, args=(), config_text=None, binary=None):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="lodestone-test-")
        cmd = [binary or BIN]
        if config_text is not None:
            path = os.path.join(self.dir, "test.conf")
            with open(path, "w") as f:
                f.write(config_text)
            cmd.append(path)
        cmd += ["--port", str(self.port), "--bind", "127.0.0.1", "--threads", str(threads),
                "--dir", self.dir] + list(args)
        self.cmd = cmd
        self.log_path = os.path.join(self.dir, "server.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.proc)

    def client(self, **kw):
        kw.setdefault("decode_responses", True)
        return redis.Redis(host="127.0.0.1", port=self.port, **kw)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        code = self.proc.returncode
        shutil.rmtree(self.dir, ignore_errors=True)
        return code


class RedisProcess:
    """Debian's redis-server, the reference implementation."""

    def __init__(self, args=()):
        exe = shutil.which("redis-server")
        if exe is None:
            pytest.skip("redis-server is not installed")
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="redis-ref-")
        cmd = [exe, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", self.dir, "--daemonize", "no"] + list(args)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, self.proc)

    def client(self, **kw):
        kw.setdefault("decode_responses", True)
        return redis.Redis(host="127.0.0.1", port=self.port, **kw)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def server():
    """A shared 4-thread server for the whole session (tests flush what they use)."""
    s = ServerProcess(threads=4)
    yield s
    assert s.stop() == 0, "server did not shut down cleanly"


@pytest.fixture(scope="session", params=[1, 4], ids=["threads1", "threads4"])
def server_threads(request):
    """The same tests at --threads 1 and --threads 4."""
    s = ServerProcess(threads=request.param)
    yield s
    assert s.stop() == 0, "server did not shut down cleanly"


@pytest.fixture
def r(server):
    c = server.client()
    c.flushall()
    yield c
    c.close()


@pytest.fixture
def rt(server_threads):
    c = server_threads.client()
    c.flushall()
    yield c
    c.close()


@pytest.fixture(scope="session")
def reference():
    s = RedisProcess()
    yield s
    s.stop()

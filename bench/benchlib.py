"""Shared parts of the bench/ scripts: starting servers, a raw RESP client,
CPU and memory readings from /proc, and Markdown output.

The scripts compare Lodestone with Debian's redis-server side by side. Both
servers are started the same way (pinned with taskset, persistence off, on a
free loopback port), read the same way (/proc/PID/stat, /proc/PID/status,
INFO) and fed the same bytes, so that a ratio taken in one run means
something on a shared, noisy machine.

Standard library only (Debian's /usr/bin/python3); the RESP client here is
ours, small and fast enough to load a million keys in a few seconds.
"""

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)

# The cores servers and clients are pinned to on a 2-core machine.
SERVER_CPU = 1
CLIENT_CPU = 0

CLK_TCK = os.sysconf("SC_CLK_TCK")


def default_lodestone():
    """The Release build made by `ninja -C build-bench` (or $LODESTONE_BIN)."""
    env = os.environ.get("LODESTONE_BIN")
    if env:
        return env
    for build in ("build-bench", "build"):
        path = os.path.join(REPO_ROOT, build, "lodestone-server")
        if os.path.exists(path):
            return path
    return os.path.join(REPO_ROOT, "build-bench", "lodestone-server")


def default_stub():
    """bench/reply_stub's binary, built beside the server by `ninja -C build-bench`."""
    return os.path.join(os.path.dirname(default_lodestone()), "reply_stub")


def default_redis():
    return os.environ.get("REDIS_SERVER_BIN") or shutil.which("redis-server") or "/usr/bin/redis-server"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def median(values):
    return statistics.median(values) if values else None


# ---- RESP -------------------------------------------------------------------


def encode(*args):
    """One command as a RESP multibulk (arguments are str, bytes or int)."""
    parts = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, int):
            a = b"%d" % a
        elif isinstance(a, str):
            a = a.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(parts)


class RespError(Exception):
    pass


class Connection:
    """A blocking RESP2 connection. Replies are parsed into Python values;
    error replies become RespError instances (returned, not raised, by
    read_replies so a pipeline's other replies survive)."""

    def __init__(self, port, host="127.0.0.1", timeout=600):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.pos = 0

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _fill(self):
        if self.pos > 65536 and self.pos * 2 > len(self.buf):
            del self.buf[: self.pos]
            self.pos = 0
        data = self.sock.recv(1 << 20)
        if not data:
            raise ConnectionError("server closed the connection")
        self.buf += data

    def _line(self):
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                line = bytes(self.buf[self.pos : end])
                self.pos = end + 2
                return line
            self._fill()

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RespError(rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) - self.pos < n + 2:
                self._fill()
            data = bytes(self.buf[self.pos : self.pos + n])
            self.pos += n + 2
            return data
        if kind == b"*":
            n = int(rest)
            if n < 0:
                return None
            return [self._reply() for _ in range(n)]
        raise ConnectionError("unexpected reply type %r" % line[:20])

    def send(self, data):
        self.sock.sendall(data)

    def read_replies(self, n):
        return [self._reply() for _ in range(n)]

    def call(self, *args):
        """Sends one command and returns its reply; raises RespError on error."""
        self.send(encode(*args))
        reply = self._reply()
        if isinstance(reply, RespError):
            raise reply
        return reply

    def pipeline(self, commands_bytes, count):
        """Sends pre-encoded commands, reads `count` replies, returns the first
        error reply (or None)."""
        self.send(commands_bytes)
        first_error = None
        for _ in range(count):
            r = self._reply()
            if first_error is None and isinstance(r, RespError):
                first_error = r
        return first_error

    def info(self, section=None):
        """INFO as a dict of field -> str."""
        raw = self.call("INFO", section) if section else self.call("INFO")
        fields = {}
        for line in raw.decode().splitlines():
            if line and not line.startswith("#") and ":" in line:
                k, v = line.split(":", 1)
                fields[k] = v
        return fields


def is_unknown_command(error):
    return isinstance(error, RespError) and str(error).startswith("ERR unknown command")


# ---- Servers ----------------------------------------------------------------


class Server:
    """A lodestone-server, redis-server or reply_stub child process on a free port.

    kind: "lodestone", "redis" or "stub" (bench/reply_stub, a server that
    answers without doing any work). cpu: core to pin to (taskset), or None.
    wrapper: argv prefix placed after taskset (valgrind ...). env: extra
    environment. The server's own log goes to `log_path` (or /dev/null).
    """

    def __init__(self, kind, binary, cpu=SERVER_CPU, wrapper=(), env=None, threads=1,
                 log_path=None, extra_args=()):
        self.kind = kind
        self.port = free_port()
        if kind == "lodestone":
            args = [binary, "--port", str(self.port), "--bind", "127.0.0.1",
                    "--threads", str(threads)]
        elif kind == "redis":
            args = [binary, "--port", str(self.port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no"]
        elif kind == "stub":
            args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--spin"]
        else:
            raise ValueError(kind)
        args += list(extra_args)
        argv = (["taskset", "-c", str(cpu)] if cpu is not None else []) + list(wrapper) + args
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.log_file = open(log_path or os.devnull, "wb")
        self.proc = subprocess.Popen(argv, stdout=self.log_file, stderr=subprocess.STDOUT,
                                     env=full_env, start_new_session=True)
        # taskset execs the server (and valgrind keeps its pid), so the child's
        # pid is the server's.
        self.pid = self.proc.pid

    def wait_ready(self, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited during start-up (rc %s)" % (self.kind, self.proc.returncode))
            try:
                with Connection(self.port, timeout=5) as c:
                    if c.call("PING") == "PONG":
                        return self
            except (OSError, ConnectionError, RespError):
                time.sleep(0.1)
        raise RuntimeError("%s did not answer PING within %ds" % (self.kind, timeout))

    def cpu_seconds(self):
        """CPU time of every thread of the server (user + system), in seconds.

        Read from the process's CPU-time clock (clock_getcpuclockid's clock id,
        computed as the kernel defines it: ~pid << 3 | CPUCLOCK_SCHED), which
        has nanosecond resolution; /proc/PID/stat's utime + stime count whole
        clock ticks (10 ms) and are the fallback.
        """
        try:
            return time.clock_gettime(((~self.pid) << 3) | 2)
        except OSError:
            pass
        with open("/proc/%d/stat" % self.pid) as f:
            stat = f.read()
        # Fields after the command name (which may hold spaces) start at 3.
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def rss_bytes(self):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def connect(self):
        return Connection(self.port)

    def stop(self, timeout=120):
        if self.proc.poll() is None:
            try:
                with Connection(self.port, timeout=10) as c:
                    c.send(encode("SHUTDOWN", "NOSAVE"))
                    try:
                        c._reply()
                    except (OSError, ConnectionError):
                        pass
            except (OSError, ConnectionError):
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        self.log_file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def start_server(kind, args, **kw):
    binary = {"lodestone": args.lodestone, "redis": args.redis, "stub": getattr(args, "stub_binary", None)}[kind]
    return Server(kind, binary, **kw).wait_ready()


def server_version(kind, binary):
    out = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()
    return out


# ---- Output -----------------------------------------------------------------


def markdown_table(headers, rows):
    out = ["| " + " | ".join(headers) + " |",
           "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|"]
    for row in rows:
        out.append("| " + " | ".join(str(c) for c in row) + " |")
    return "\n".join(out)


def fmt_int(v):
    return "n/a" if v is None else "{:,}".format(int(round(v)))


def fmt_ratio(a, b):
    """a / b as '1.23x', or n/a."""
    if a is None or b is None or b == 0:
        return "n/a"
    return "%.2fx" % (a / b)


def fmt_float(v, digits=2):
    return "n/a" if v is None else ("%.*f" % (digits, v))


def machine_summary():
    """One line per fact: CPU model, cores, kernel, memory."""
    model = cores = "?"
    extra = []
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in out.splitlines():
            k, _, v = line.partition(":")
            k, v = k.strip(), v.strip()
            if k == "Model name":
                model = v
            elif k == "CPU(s)":
                cores = v
            elif k in ("CPU family", "Model"):
                extra.append("%s %s" % (k.lower(), v))
            elif k in ("L2 cache", "L3 cache"):
                extra.append("%s %s" % (k.split()[0], v))
            elif k == "Hypervisor vendor":
                extra.append("%s guest" % v)
    except OSError:
        pass
    if extra:
        model = "%s (%s)" % (model, ", ".join(extra))
    mem = "?"
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = "%.1f GiB" % (int(line.split()[1]) / 1024 / 1024)
    return {"cpu": model, "cores": cores, "kernel": os.uname().release, "memory": mem}


# ---- callgrind ----------------------------------------------------------------


def short_function_name(name):
    """A callgrind_annotate function name made readable: no parameter list, no
    `lodestone::` prefix, common std types abbreviated."""
    name = name.replace("(anonymous namespace)", "{anon}")
    stripped = name.rstrip()
    if stripped.endswith(" const"):
        stripped = stripped[: -len(" const")]
    if stripped.endswith(")"):
        depth = 0
        for i in range(len(stripped) - 1, -1, -1):
            ch = stripped[i]
            if ch == ")":
                depth += 1
            elif ch == "(":
                depth -= 1
                if depth == 0:
                    stripped = stripped[:i]
                    break
    stripped = collapse_templates(stripped)
    for long, short in (("std::basic_string_view<char, std::char_traits<char> >", "string_view"),
                        ("std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >",
                         "string"),
                        ("lodestone::", "")):
        stripped = stripped.replace(long, short)
    return stripped


def collapse_templates(name, limit=40):
    """Replaces template argument lists longer than `limit` characters with <...>."""
    out = []
    i = 0
    while i < len(name):
        ch = name[i]
        if ch == "<" and not name[:i].endswith("operator"):
            depth, j = 0, i
            while j < len(name):
                if name[j] == "<":
                    depth += 1
                elif name[j] == ">":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            inner = name[i : j + 1]
            out.append("<...>" if len(inner) > limit else inner)
            i = j + 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def top_functions(callgrind_file, n=15, inclusive=False):
    """[(instructions, share 0..1, function, object)] of the `n` costliest
    functions of one callgrind file, by self cost (or inclusive cost)."""
    out = subprocess.run(["callgrind_annotate", "--inclusive=" + ("yes" if inclusive else "no"),
                          "--threshold=100", callgrind_file],
                         capture_output=True, text=True).stdout
    total = None
    rows = []
    for line in out.splitlines():
        line = line.strip()
        if line.endswith("PROGRAM TOTALS"):
            total = int(line.split()[0].replace(",", ""))
            continue
        if total is None or "(" not in line or not line[0].isdigit():
            continue
        count_text, rest = line.split(" ", 1)
        rest = rest.strip()
        if not rest.startswith("("):
            continue
        rest = rest[rest.index(")") + 1 :].strip()
        obj = ""
        if rest.endswith("]") and " [" in rest:
            rest, obj = rest[: rest.rindex(" [")], rest[rest.rindex(" [") + 2 : -1]
        fn = rest.split(":", 1)[1] if ":" in rest else rest
        count = int(count_text.replace(",", ""))
        if not inclusive and count >= 0.99 * total:
            # Frames active when the dump was taken (thread entry points)
            # show their inclusive cost here; they have no real self cost.
            continue
        rows.append((count, count / total, short_function_name(fn), os.path.basename(obj)))
        if len(rows) == n:
            break
    return rows

"""Helpers for Switchyard's integration tests: real processes, cleaned up by PID.

Each test gets its own socket directory and its own DPDK file prefixes, starts
syd-dataplane and syd-bench peers as child processes, and stops exactly those (by PID)
even when an assertion fails.
"""
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

BUILD = os.environ.get("SYD_BUILD", os.path.join(os.path.dirname(__file__), "../../build"))
DATAPLANE = os.path.join(BUILD, "dataplane/syd-dataplane")
BENCH = os.path.join(BUILD, "tools/syd-bench")
CONTROL = os.path.join(BUILD, "control/syd-control")
SYDCTL = os.path.join(BUILD, "tools/sydctl")


def wait_for(what, cond, timeout=10.0, step=0.05):
    """Poll cond() until it returns a true value; fail with what after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1f s waiting for %s" % (timeout, what))
        time.sleep(step)


class Workspace:
    """A temporary directory and a name prefix; tracks and stops every child process."""

    def __init__(self, name):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="syd-%s-" % name)
        self.prefix = "syd-t%d-%s" % (os.getpid(), name)
        self.procs = []

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def track(self, proc):
        self.procs.append(proc)
        return proc

    def close(self):
        for p in reversed(self.procs):
            p.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is not None:
            for p in self.procs:
                p.dump_log()
        self.close()
        return False


class Proc:
    def __init__(self, ws, name, argv, stdin=False):
        self.name = name
        self.log_path = ws.path(name + ".log")
        self.log = open(self.log_path, "w+")
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE if stdin else self.log,
            stderr=self.log,
            text=True,
        )
        self.pid = self.proc.pid
        ws.track(self)

    def alive(self):
        return self.proc.poll() is None

    def stop(self, timeout=10.0):
        """SIGTERM, then SIGKILL after timeout; returns the exit code."""
        if self.proc.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait()
        return self.proc.returncode

    def text(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def dump_log(self):
        sys.stderr.write("---- log of %s (pid %d) ----\n%s\n" % (self.name, self.pid, self.text()[-6000:]))


class Dataplane(Proc):
    """syd-dataplane with ports given as (kind, path, name) triples."""

    def __init__(self, ws, ports=(), extra=(), name="dataplane", worker=1, main=0, netns=None):
        argv = [DATAPLANE, "--file-prefix", ws.prefix + "-" + name, "--mem", "256",
                "--main-core", str(main), "--workers", str(worker)]
        if netns is not None:  # ip netns exec execs the dataplane: the PID stays its own
            argv = ["ip", "netns", "exec", netns] + argv
        for kind, path, pname in ports:
            argv += ["--vhost-" + kind, "%s,name=%s" % (path, pname)]
        argv += list(extra)
        super().__init__(ws, name, argv)
        wait_for("%s to start" % name, lambda: "switching" in self.text() or not self.alive(), 30)
        if not self.alive():
            raise AssertionError("%s exited at start:\n%s" % (name, self.text()))

    def kill9(self):
        os.kill(self.pid, signal.SIGKILL)
        self.proc.wait()

    def wait_link(self, port, up, timeout=15.0):
        word = "up" if up else "down"
        pat = "port %s: link " % port
        def last():
            lines = [l for l in self.text().splitlines() if pat in l]
            return lines and lines[-1].split(pat)[1].startswith(word)
        wait_for("port %s link %s" % (port, word), last, timeout)

    def counters(self):
        """Dump counters with SIGUSR1 and parse the newest block:
        {"ports": {name: {...}}, "workers": [{...}], "mac": {...}}"""
        before = self.text().count("counters over the last")
        os.kill(self.pid, signal.SIGUSR1)
        wait_for("counter dump", lambda: self.text().count("mbufs in use") > before and
                 self.text().count("counters over the last") > before, 5)
        block = self.text().split("counters over the last")[-1]
        return parse_counters(block)


class Control(Proc):
    """syd-control between a dataplane's control socket and a sydctl socket."""

    def __init__(self, ws, dp_sock, sock, state, name="control", extra=()):
        super().__init__(ws, name, [CONTROL, "--dataplane", dp_sock, "--listen", sock,
                                    "--state", state] + list(extra))
        self.sock = sock
        wait_for("%s to listen" % name, lambda: os.path.exists(sock) or not self.alive(), 10)
        if not self.alive():
            raise AssertionError("%s exited at start:\n%s" % (name, self.text()))

    def kill9(self):
        os.kill(self.pid, signal.SIGKILL)
        self.proc.wait()


def sydctl(sock, *args, check=True):
    """Run sydctl; returns (exit code, stdout, stderr).  With check, a non-zero exit
    fails the test; with -o json in args, stdout is parsed."""
    r = subprocess.run([SYDCTL, "--socket", sock] + list(args), capture_output=True,
                       text=True, timeout=30)
    if check and r.returncode != 0:
        raise AssertionError("sydctl %s: exit %d: %s" % (" ".join(args), r.returncode,
                                                       r.stderr + r.stdout))
    out = r.stdout
    if "-o" in args and "json" in args and r.returncode == 0:
        out = json.loads(out)
    return r.returncode, out, r.stderr


def parse_counters(block):
    out = {"ports": {}, "workers": [], "mac": {}}
    for line in block.splitlines():
        f = line.split()
        if len(f) == 8 and f[0] == "syd:" and f[2] in ("up", "down"):
            out["ports"][f[1]] = {"link": f[2], "rx_packets": int(f[3]), "rx_bytes": int(f[4]),
                                  "tx_packets": int(f[5]), "tx_bytes": int(f[6]),
                                  "drops": int(f[7]), "drop_reasons": {}}
        m = re.match(r"syd:\s+(\S+) drops: (.*)", line)
        if m:
            out["ports"][m.group(1)]["drop_reasons"] = {
                k: int(v) for k, v in (kv.split("=") for kv in m.group(2).split())}
        m = re.match(r"syd:\s+worker (\d+) lcore (\d+): (.*)", line)
        if m:
            out["workers"].append({k: float(v) for k, v in (kv.split("=") for kv in m.group(3).split())})
        m = re.match(r"syd:\s+mac table: (.*)", line)
        if m:
            out["mac"] = {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
    return out


class Peer(Proc):
    """A VM played by `syd-bench peer` on one virtio-user port."""

    def __init__(self, ws, name, sock, mac, server=False, core=0):
        spec = sock + (",server" if server else "") + ",mac=" + mac
        argv = [BENCH, "peer", "--port", spec, "--core", str(core),
                "--file-prefix", "%s-%s" % (ws.prefix, name), "--mem", "64"]
        super().__init__(ws, name, argv, stdin=True)
        self.mac = mac
        ready = self._read(30)
        if ready.get("event") != "ready":
            raise AssertionError("peer %s did not start: %r\n%s" % (name, ready, self.text()))

    def _read(self, timeout):
        r, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not r:
            raise AssertionError("peer %s: no answer in %.0f s\n%s" % (self.name, timeout, self.text()))
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError("peer %s exited (code %s)\n%s" % (self.name, self.proc.poll(), self.text()))
        return json.loads(line)

    def cmd(self, line, timeout=10):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        reply = self._read(timeout)
        if not reply.get("ok"):
            raise AssertionError("peer %s: %r failed: %r" % (self.name, line, reply))
        return reply

    def send(self, dst, count=1, **kw):
        args = " ".join("%s=%s" % kv for kv in kw.items())
        return self.cmd("send dst=%s count=%d %s" % (dst, count, args))["sent"]

    def recv(self, wait_ms=300):
        """{(src, dst): count} received since the last clear, and the packet total."""
        port = self.cmd("recv wait_ms=%d" % wait_ms)["ports"][0]
        return {(f["src"], f["dst"]): f["count"] for f in port["frames"]}, port["rx_packets"]

    def clear(self):
        self.cmd("clear")

    def quit(self):
        if self.alive():
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait(10)
        return self.proc.returncode

    def stop(self, timeout=10.0):
        try:
            self.quit()
        except Exception:
            pass
        return super().stop(timeout)


class Netns:
    """Network namespaces and veth pairs made for one test, removed when it ends (by
    name: each name carries the test's PID)."""

    def __init__(self, ws, tag):
        self.tag = "%s%d" % (tag, os.getpid() % 100000)
        self.names = []
        ws.track(self)

    def ns(self, short):
        name = "syd-%s-%s" % (self.tag, short)
        subprocess.run(["ip", "netns", "del", name], capture_output=True)
        sh("ip netns add %s" % name)
        self.names.append(name)
        sh("ip -n %s link set lo up" % name)
        return name

    def veth(self, a_ns, a_if, b_ns, b_if):
        """A veth pair a_if (in a_ns) <-> b_if (in b_ns), both up, offloads off so that
        frames reach AF_XDP/AF_PACKET whole and with finished checksums."""
        sh("ip link add %s netns %s type veth peer name %s netns %s" % (a_if, a_ns, b_if, b_ns))
        for ns, ifname in ((a_ns, a_if), (b_ns, b_if)):
            sh("ip -n %s link set %s up" % (ns, ifname))
            subprocess.run(["ip", "netns", "exec", ns, "ethtool", "-K", ifname, "tx", "off",
                            "rx", "off", "tso", "off", "gso", "off", "gro", "off"],
                           capture_output=True)

    def stop(self, timeout=None):
        for name in reversed(self.names):
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
        self.names = []

    def dump_log(self):
        pass


def sh(cmd):
    """Run a shell command that must succeed; returns its stdout."""
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise AssertionError("%s: exit %d: %s" % (cmd, r.returncode, r.stderr + r.stdout))
    return r.stdout


def run(tests):
    """Run test functions in order; print a line each; exit 1 when any failed."""
    failed = 0
    for t in tests:
        start = time.monotonic()
        try:
            t()
            print("ok   %s (%.1f s)" % (t.__name__, time.monotonic() - start), flush=True)
        except Exception as e:  # noqa: BLE001 - report every failure the same way
            failed += 1
            print("FAIL %s: %s" % (t.__name__, e), flush=True)
            traceback.print_exc()
    sys.exit(1 if failed else 0)

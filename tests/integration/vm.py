"""Real QEMU guests for the integration tests, booted with tools/vm's own code.

Guest is a QEMU child process tracked by a Workspace (stopped by PID, its log dumped when
a test fails, with the guest console's tail); CliGuest is one started by the `tools/vm`
command itself, which returns the PID of a QEMU it does not wait for.
"""
import importlib.machinery
import importlib.util
import os
import signal
import subprocess
import sys
import time

from sydtest import Proc

TOOL_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tools/vm")


def _load_tool():
    loader = importlib.machinery.SourceFileLoader("syd_tools_vm", TOOL_PATH)
    spec = importlib.util.spec_from_loader("syd_tools_vm", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


vmtool = _load_tool()
_prepared = None


def prepare():
    """QEMU, busybox and the kernel (fetched into the cache the first time)."""
    global _prepared
    if _prepared is None:
        _prepared = vmtool.prepare()
    return _prepared


def check_hugepages(guests, dataplane_mb):
    """Fail with the fix when the guests and the dataplane would not fit in the free
    2 MiB hugepages (each guest has 256 MiB)."""
    need = guests * 128 + dataplane_mb // 2
    free = vmtool.free_hugepages()
    if free < need:
        raise AssertionError("%d guests and a dataplane need %d free hugepages of 2 MiB, %d "
                             "are free (tools/bootstrap reserves them)" % (guests, need, free))


def features_from_sysfs(text):
    """/sys/bus/virtio/devices/*/features is '0'/'1' per bit, bit 0 first."""
    bits = text.strip()
    return sum(1 << i for i, c in enumerate(bits) if c == "1")


class _Shell:
    """Commands in the guest over its command channel (ttyS1)."""

    cmd_sock = None
    channel = None

    def wait_ready(self, timeout=150.0):
        if self.channel is None:
            self.channel = vmtool.Channel(self.cmd_sock, timeout=timeout)
        self.channel.wait_ready(timeout, alive=self.alive)

    def run(self, script, timeout=30.0):
        """(exit status, output) of a shell script run in the guest."""
        return self.channel.run(script, timeout)

    def sh(self, script, timeout=30.0, check=True):
        """Run a shell script in the guest; its output. With check, a non-zero status
        fails the test."""
        rc, out = self.run(script, timeout)
        if check and rc != 0:
            raise AssertionError("%s: '%s' exited %d:\n%s" % (self.name, script, rc, out))
        return out

    def status(self, script, timeout=30.0):
        return self.run(script, timeout)[0]

    def features(self):
        return features_from_sysfs(self.sh("cat /sys/class/net/eth0/device/features"))

    def ping(self, ip, count=1, wait=1):
        """True when every echo got its reply."""
        return self.status("ping -c %d -W %d %s" % (count, wait, ip),
                           timeout=count * (wait + 1) + 10) == 0

    def console(self):
        try:
            with open(self.console_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def close_channel(self):
        if self.channel is not None:
            self.channel.close()
            self.channel = None


class Guest(_Shell, Proc):
    """A QEMU guest as a child process. mode is the switch's side of the socket:
    'server' (vhost-server port: QEMU reconnect=1) or 'client' (vhost-client port:
    QEMU server=on)."""

    def __init__(self, ws, name, sock, mode, mac, ip, cpus="0", cmd=""):
        qemu, busybox, vmlinuz, modules = prepare()
        d = ws.path(name)
        os.makedirs(d, exist_ok=True)
        initrd = os.path.join(d, "initramfs.cpio")
        vmtool.build_initramfs(initrd, busybox, modules, name, ip, cmd)
        self.cmd_sock = os.path.join(d, "cmd.sock")
        self.console_path = os.path.join(d, "console.log")
        self.mac, self.ip = mac, ip.split("/")[0]
        argv = vmtool.qemu_argv(qemu, vmlinuz, initrd, name, sock, mode, mac, self.cmd_sock,
                                self.console_path)
        if cpus:
            argv = ["taskset", "-c", cpus] + argv
        super().__init__(ws, name, argv)

    def stop(self, timeout=10.0):
        self.close_channel()
        return super().stop(timeout)

    def dump_log(self):
        super().dump_log()
        sys.stderr.write("---- console of %s ----\n%s\n" % (self.name, self.console()[-3000:]))


class CliGuest(_Shell):
    """A guest started with `tools/vm start`: QEMU is not our child; stopped by its PID."""

    def __init__(self, ws, name, sock, mode, mac, ip, cpus="0"):
        d = ws.path(name)
        self.name = name
        self.cmd_sock = os.path.join(d, "cmd.sock")
        self.console_path = os.path.join(d, "console.log")
        self.mac, self.ip = mac, ip.split("/")[0]
        argv = [TOOL_PATH, "start", "--name", name, "--dir", d, "--socket", sock, "--mode", mode,
                "--mac", mac, "--ip", ip]
        if cpus:
            argv += ["--cpus", cpus]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=300)
        if r.returncode != 0 or not r.stdout.strip().isdigit():
            raise AssertionError("tools/vm start %s: exit %d\n%s%s" %
                                 (name, r.returncode, r.stdout, r.stderr))
        self.pid = int(r.stdout.strip())
        ws.track(self)

    def wait_ready(self, timeout=150.0):
        """`tools/vm wait DIR`."""
        r = subprocess.run([TOOL_PATH, "wait", "--timeout", str(timeout),
                            os.path.dirname(self.cmd_sock)],
                           capture_output=True, text=True, timeout=timeout + 30)
        if r.returncode != 0:
            raise AssertionError("tools/vm wait %s: exit %d: %s" % (self.name, r.returncode,
                                                                    r.stderr))

    def run(self, script, timeout=30.0):
        """`tools/vm exec DIR SCRIPT`: (exit status, output)."""
        r = subprocess.run([TOOL_PATH, "exec", "--timeout", str(timeout),
                            os.path.dirname(self.cmd_sock), script],
                           capture_output=True, text=True, timeout=timeout + 30)
        if r.stderr.startswith("vm: "):
            raise AssertionError("tools/vm exec %s: %s" % (self.name, r.stderr.strip()))
        return r.returncode, r.stdout

    def alive(self):
        try:
            with open("/proc/%d/stat" % self.pid) as f:
                return f.read().split(") ")[-1][0] != "Z"
        except OSError:
            return False

    def stop(self, timeout=10.0):
        self.close_channel()
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            if not self.alive():
                return 0
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                return 0
            deadline = time.monotonic() + wait
            while self.alive() and time.monotonic() < deadline:
                time.sleep(0.05)
        return 0 if not self.alive() else None

    def dump_log(self):
        log = os.path.join(os.path.dirname(self.cmd_sock), "qemu.log")
        try:
            with open(log, errors="replace") as f:
                text = f.read()
        except OSError:
            text = ""
        sys.stderr.write("---- log of %s (QEMU pid %d) ----\n%s\n---- console ----\n%s\n" %
                         (self.name, self.pid, text[-3000:], self.console()[-3000:]))

#!/usr/bin/env python3
"""Real VMs: QEMU guests (Linux, virtio-net) attach their NICs to the switch with
vhost-user, in both socket directions.

Three guests boot in parallel (tools/vm's kernel and busybox initramfs, TCG, 256 MiB of
shared hugepage memory each) on ports made through syd-control: vm1 (switch is the
vhost-user server) and vm2 (switch is the client) on network blue, vm3 (client) alone on
network red. They ping and move 4 MiB each way over TCP with matching md5sums; vm3
reaches nobody; the guests' drivers negotiated no offload the switch cannot honour; and
after a kill -9 of the dataplane, a new one gets its state back from syd-control and the
guests' links and pings come back by themselves.

One set of guests serves every step (booting is what costs), so the steps run in order.
"""
import glob
import json
import os
import re
import shutil
import signal
import sys
import time
import traceback

from sydtest import Control, Dataplane, Workspace, sydctl, wait_for
from vm import CliGuest, Guest, check_hugepages

WORKER_CORE = 1
MAC = {1: "02:5e:00:00:00:01", 2: "02:5e:00:00:00:02", 3: "02:5e:00:00:00:03"}
IP = {1: "198.18.7.1/24", 2: "198.18.7.2/24", 3: "198.18.7.3/24"}

# virtio-net feature bits (virtio spec 5.1.3; VIRTIO_F_* 2.2 / 6)
F = {"csum": 0, "guest_csum": 1, "gso": 6, "guest_tso4": 7, "guest_tso6": 8,
     "guest_ecn": 9, "guest_ufo": 10, "host_tso4": 11, "host_tso6": 12, "host_ecn": 13,
     "host_ufo": 14, "mrg_rxbuf": 15, "mq": 22, "indirect_desc": 28, "event_idx": 29,
     "version_1": 32}
WANTED = ("mrg_rxbuf", "indirect_desc", "event_idx", "version_1")
OFFLOADS = ("csum", "guest_csum", "gso", "guest_tso4", "guest_tso6", "guest_ecn",
            "guest_ufo", "host_tso4", "host_tso6", "host_ecn", "host_ufo")


class Env:
    """The switch (dataplane + syd-control) and three guests, shared by the steps."""

    def __init__(self, ws):
        self.ws = ws
        self.dp_sock, self.sock = ws.path("dataplane.sock"), ws.path("control.sock")
        check_hugepages(guests=3, dataplane_mb=256)
        self.dp = Dataplane(ws, extra=["--control", self.dp_sock], worker=WORKER_CORE)
        self.ctl = Control(ws, self.dp_sock, self.sock, ws.path("state"))
        wait_for("syd-control to connect",
                 lambda: "in sync" in self.ctl.text() or "adopted" in self.ctl.text())
        sydctl(self.sock, "add-network", "blue")
        sydctl(self.sock, "add-network", "red")
        sydctl(self.sock, "add-port", "vm1", "vhost-server", ws.path("vm1.sock"), "--network", "blue")
        sydctl(self.sock, "add-port", "vm2", "vhost-client", ws.path("vm2.sock"), "--network", "blue")
        sydctl(self.sock, "add-port", "vm3", "vhost-client", ws.path("vm3.sock"), "--network", "red")
        # QEMU keeps off the worker's busy-polling core.
        cpus = ",".join(str(c) for c in sorted(os.sched_getaffinity(0) - {WORKER_CORE})) or "0"
        self.vm1 = Guest(ws, "vm1", ws.path("vm1.sock"), "server", MAC[1], IP[1], cpus)
        self.vm2 = Guest(ws, "vm2", ws.path("vm2.sock"), "client", MAC[2], IP[2], cpus)
        # vm3 through the tools/vm command itself: start, wait, exec.
        self.vm3 = CliGuest(ws, "vm3", ws.path("vm3.sock"), "client", MAC[3], IP[3], cpus)
        start = time.monotonic()
        for g in (self.vm1, self.vm2, self.vm3):
            g.wait_ready(150)
        self.boot_seconds = time.monotonic() - start

    def show(self):
        out = sydctl(self.sock, "-o", "json", "show")[1]
        return {"ports": sorted((p["name"], p["kind"], p["network"], p["path"]) for p in out["ports"]),
                "networks": sorted(n["name"] for n in out["networks"])}

    def stats(self):
        return {p["name"]: p for p in sydctl(self.sock, "-o", "json", "show", "stats")[1]["ports"]}

    def doctor(self):
        code, out, err = sydctl(self.sock, "-o", "json", "doctor", check=False)
        assert code in (0, 1), "sydctl doctor: exit %d: %s" % (code, err)
        return (out if isinstance(out, dict) else json.loads(out))["findings"]


def bits(value, names):
    return {n for n in names if value >> F[n] & 1}


def switch_features(findings):
    """{port: features} from doctor's 'port X: connected, ... features 0x...' findings."""
    out = {}
    for f in findings:
        m = re.match(r"port (\S+): connected, .* features (0x[0-9a-f]+)", f["finding"])
        if m:
            out[m.group(1)] = int(m.group(2), 16)
    return out


def transfer(src, dst, port, kib=4096):
    """src sends kib KiB of random data to dst over TCP (busybox nc); the md5sums of
    what was sent and what arrived."""
    dst.sh("rm -f /tmp/rx /tmp/rx.done; [ -p /tmp/hold ] || mkfifo /tmp/hold; "
           # the listener's stdin is a FIFO held open: it never sends EOF, so nc stops
           # only when the sender has sent everything and closed its side
           "(nc -l -p %d <>/tmp/hold > /tmp/rx; echo $? > /tmp/rx.done) > /dev/null 2>&1 &" % port)
    wait_for("nc to listen on %s" % dst.name,
             lambda: ":%d " % port in dst.sh("netstat -ltn"), 10, 0.2)
    sent = src.sh("dd if=/dev/urandom of=/tmp/tx bs=1024 count=%d 2>/dev/null && "
                  "nc %s %d < /tmp/tx && md5sum < /tmp/tx" % (kib, dst.ip, port), timeout=120)
    wait_for("the transfer to end on %s" % dst.name,
             lambda: dst.status("[ -e /tmp/rx.done ]") == 0, 30, 0.2)
    got = dst.sh("stat -c %s /tmp/rx; md5sum < /tmp/rx").split()
    assert int(got[0]) == kib * 1024, "%s got %s of %d bytes" % (dst.name, got[0], kib * 1024)
    return sent.split()[0], got[1]


# ---------------------------------------------------------------- steps

def test_guests_attach_both_directions(env):
    for p in ("vm1", "vm2", "vm3"):
        env.dp.wait_link(p, up=True)
    ports = {p[0]: p for p in env.show()["ports"]}
    assert ports["vm1"][1:3] == ("vhost-server", "blue"), ports
    assert ports["vm2"][1:3] == ("vhost-client", "blue"), ports
    assert ports["vm3"][1:3] == ("vhost-client", "red"), ports
    # In every guest: its MAC and address on eth0, its carrier up.
    for g in (env.vm1, env.vm2, env.vm3):
        out = g.sh("cat /sys/class/net/eth0/address /sys/class/net/eth0/carrier; ip -4 addr show eth0")
        assert g.mac in out and g.ip in out, (g.name, out)
        assert out.split()[1] == "1", (g.name, "carrier", out)
    # sydctl doctor sees each VM connected, with shared memory.
    findings = env.doctor()
    for p in ("vm1", "vm2", "vm3"):
        mine = [f for f in findings if ("port %s:" % p) in f["finding"]]
        assert any(f["check"] == "peers" and f["level"] == "ok" for f in mine), mine
        assert any(f["check"] == "guest-memory" and f["level"] == "ok" for f in mine), mine
        assert not any(f["level"] == "problem" for f in mine), mine


def test_negotiated_features(env):
    """The guests' drivers use mergeable rx buffers, indirect descriptors and event index
    on virtio 1.0, and none of the offloads the switch cannot honour (it never completes
    a checksum nor segments), nor multiqueue on a one-worker switch."""
    seen = switch_features(env.doctor())
    for g in (env.vm1, env.vm2, env.vm3):
        guest = g.features()
        assert bits(guest, WANTED) == set(WANTED), (g.name, hex(guest))
        assert bits(guest, OFFLOADS + ("mq",)) == set(), (g.name, hex(guest),
                                                          bits(guest, OFFLOADS + ("mq",)))
        sw = seen[g.name]
        assert bits(sw, WANTED) == set(WANTED), (g.name, hex(sw))
        assert bits(sw, OFFLOADS + ("mq",)) == set(), (g.name, hex(sw))
        print("     %s: guest driver 0x%x, switch 0x%x" % (g.name, guest, sw))


def test_same_network_ping(env):
    assert env.vm1.ping(env.vm2.ip, count=3, wait=2), "vm1 -> vm2"
    assert env.vm2.ping(env.vm1.ip, count=3, wait=2), "vm2 -> vm1"


def test_tcp_transfer_checksums_match(env):
    before = env.stats()
    for src, dst, port in ((env.vm1, env.vm2, 5001), (env.vm2, env.vm1, 5002)):
        t = time.monotonic()
        sent, got = transfer(src, dst, port)
        assert sent == got, "%s -> %s: md5 %s sent, %s received" % (src.name, dst.name, sent, got)
        print("     %s -> %s: 4 MiB in %.1f s, md5 %s" % (src.name, dst.name,
                                                         time.monotonic() - t, got))
    after = env.stats()
    for p in ("vm1", "vm2"):
        # 4 MiB in frames of at most 1514 bytes: no super-frames went through
        assert after[p]["rx_packets"] - before[p]["rx_packets"] >= 4 * 2**20 // 1514, (p, after[p])
        assert after[p]["rx_bytes"] - before[p]["rx_bytes"] < \
            1514 * (after[p]["rx_packets"] - before[p]["rx_packets"]) + 1, (p, after[p])


def test_other_network_unreachable(env):
    assert not env.vm3.ping(env.vm1.ip, count=2, wait=1), "vm3 (red) reached vm1 (blue)"
    assert not env.vm3.ping(env.vm2.ip, count=2, wait=1), "vm3 (red) reached vm2 (blue)"
    assert not env.vm1.ping(env.vm3.ip, count=2, wait=1), "vm1 (blue) reached vm3 (red)"
    # Nothing of blue's traffic (ARP, IPv6 multicast, the transfers) reached vm3 at all,
    # and the switch forwarded none of vm3's frames (red has no other port).
    rx = int(env.vm3.sh("cat /sys/class/net/eth0/statistics/rx_packets"))
    assert rx == 0, "vm3 received %d frames" % rx
    s = env.stats()["vm3"]
    assert s["rx_packets"] > 0 and s["forwarded"] == 0 and s["tx_packets"] == 0, s
    for g in (env.vm1, env.vm2):
        neigh = g.sh("ip neigh show %s" % env.vm3.ip)
        assert "lladdr" not in neigh, (g.name, neigh)


def test_dataplane_kill9_guests_come_back(env):
    """kill -9 of the dataplane; a new one gets networks and ports back from
    syd-control; the guests' links come back and ping resumes with nothing done in them."""
    want = env.show()
    features = {g.name: g.features() for g in (env.vm1, env.vm2)}
    synced = env.ctl.text().count("in sync")
    os.kill(env.dp.pid, signal.SIGKILL)
    env.dp.proc.wait()
    _forget_dpdk_files(env.ws.prefix + "-dataplane")
    wait_for("syd-control to notice", lambda: "lost the dataplane" in env.ctl.text())
    # While the switch is away the guests see their link go down.
    wait_for("vm2 to lose its carrier",
             lambda: env.vm2.sh("cat /sys/class/net/eth0/carrier").strip() == "0", 10, 0.2)

    t0 = time.monotonic()
    env.dp = Dataplane(env.ws, extra=["--control", env.dp_sock], name="dataplane2",
                       worker=WORKER_CORE)
    wait_for("syd-control to resync", lambda: env.ctl.text().count("in sync") > synced, 20)
    t_sync = time.monotonic() - t0
    for p in ("vm1", "vm2", "vm3"):
        env.dp.wait_link(p, up=True, timeout=20)
    t_link = time.monotonic() - t0

    def pings():
        return env.vm1.ping(env.vm2.ip, count=1, wait=1) and env.vm2.ping(env.vm1.ip, count=1, wait=1)
    wait_for("ping vm1 <-> vm2 to resume", pings, 20, 0.1)
    t_ping = time.monotonic() - t0
    print("     after the restart: state in sync %.1f s, links up %.1f s, ping %.1f s" %
          (t_sync, t_link, t_ping))
    assert t_ping < 10, "ping resumed only after %.1f s" % t_ping
    assert env.show() == want
    for g in (env.vm1, env.vm2):
        assert g.features() == features[g.name], g.name
    assert env.vm1.ping(env.vm2.ip, count=3, wait=2)
    sent, got = transfer(env.vm1, env.vm2, 5003, kib=1024)
    assert sent == got, (sent, got)
    assert not env.vm3.ping(env.vm1.ip, count=1, wait=1), "vm3 reached vm1 after the restart"


def _forget_dpdk_files(prefix):
    """A kill -9'd DPDK process leaves its hugepage files (and its runtime directory):
    give the pages back."""
    for f in glob.glob("/dev/hugepages/%smap_*" % prefix):
        os.unlink(f)
    shutil.rmtree("/var/run/dpdk/%s" % prefix, ignore_errors=True)


STEPS = [test_guests_attach_both_directions, test_negotiated_features, test_same_network_ping,
         test_tcp_transfer_checksums_match, test_other_network_unreachable,
         test_dataplane_kill9_guests_come_back]


def main():
    start = time.monotonic()
    failed = 0
    ws = Workspace("vm")
    try:
        try:
            env = Env(ws)
            print("ok   boot 3 guests (%.1f s, %.1f s for the guests to answer)" %
                  (time.monotonic() - start, env.boot_seconds), flush=True)
        except Exception:
            print("FAIL boot: guests did not come up", flush=True)
            traceback.print_exc()
            for p in ws.procs:
                p.dump_log()
            return 1
        for step in STEPS:
            t = time.monotonic()
            try:
                step(env)
                print("ok   %s (%.1f s)" % (step.__name__, time.monotonic() - t), flush=True)
            except Exception as e:  # noqa: BLE001 - every failure reported the same way
                failed += 1
                print("FAIL %s: %s" % (step.__name__, e), flush=True)
                traceback.print_exc()
        if failed:
            for p in ws.procs:
                p.dump_log()
    finally:
        ws.close()
    print("test_vm took %.1f s" % (time.monotonic() - start))
    print("test_vm: %d passed, %d failed" % (len(STEPS) - failed, failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

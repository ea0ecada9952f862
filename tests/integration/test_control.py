#!/usr/bin/env python3
"""The control plane: sydctl -> syd-control -> syd-dataplane, at runtime.

Ports and networks are added with sydctl while the switch runs; traffic flows; a
kill -9 of syd-control leaves traffic flowing; after its restart nothing is resent
and `sydctl show` and the counters carry on; a restarted dataplane gets its whole
state back; bad requests change nothing.
"""
import os
import signal
import struct
import time

import sydproto as sp
from sydtest import (Control, Dataplane, Peer, Workspace, run, sydctl, wait_for)

BCAST = "ff:ff:ff:ff:ff:ff"
MAC = {1: "02:00:00:00:00:01", 2: "02:00:00:00:00:02", 3: "02:00:00:00:00:03"}


def setup(ws):
    dp_sock, ctl_sock = ws.path("dataplane.sock"), ws.path("control.sock")
    dp = Dataplane(ws, extra=["--control", dp_sock])
    ctl = Control(ws, dp_sock, ctl_sock, ws.path("state"))
    wait_for("syd-control to connect", lambda: "in sync" in ctl.text() or
             "adopted" in ctl.text())
    return dp, ctl, dp_sock, ctl_sock


def flows(a, b, n=5):
    """n frames from peer a to b's MAC arrive at b exactly."""
    b.clear()
    assert a.send(b.mac, count=n) == n
    got = b.recv()[0]
    assert got == {(a.mac, b.mac): n}, got


def show(sock):
    out = sydctl(sock, "-o", "json", "show")[1]
    return {"ports": sorted((p["name"], p["network"], p["path"]) for p in out["ports"]),
            "networks": sorted(n["name"] for n in out["networks"])}


def port_stats(sock):
    return {p["name"]: p for p in sydctl(sock, "-o", "json", "show", "stats")[1]["ports"]}


def test_runtime_ports_survive_control_kill():
    with Workspace("ctl") as ws:
        dp, ctl, dp_sock, sock = setup(ws)
        sydctl(sock, "add-network", "blue")
        sydctl(sock, "add-port", "vm1", "vhost-server", ws.path("vm1.sock"), "--network", "blue")
        sydctl(sock, "add-port", "vm2", "vhost-server", ws.path("vm2.sock"))
        sydctl(sock, "attach", "vm2", "blue")
        p1 = Peer(ws, "peer1", ws.path("vm1.sock"), MAC[1])
        p2 = Peer(ws, "peer2", ws.path("vm2.sock"), MAC[2])
        dp.wait_link("vm1", up=True)
        dp.wait_link("vm2", up=True)
        assert p1.send(BCAST) == 1 and p2.recv()[1] == 1
        flows(p2, p1, 3)
        flows(p1, p2, 4)
        before = show(sock)
        assert before["networks"] == ["blue"]
        assert [p[:2] for p in before["ports"]] == [("vm1", "blue"), ("vm2", "blue")]
        stats0 = port_stats(sock)

        # syd-control dies hard: the switch goes on switching.
        ctl.kill9()
        flows(p1, p2, 10)
        flows(p2, p1, 10)
        code, _, err = sydctl(sock, "show", check=False)
        assert code == 3, "sydctl without syd-control: exit %d (%s)" % (code, err)

        # Back again: it finds the dataplane as desired and sends nothing.
        ctl2 = Control(ws, dp_sock, sock, ws.path("state"), name="control2")
        wait_for("resync", lambda: "in sync" in ctl2.text())
        assert "(0 changes sent)" in ctl2.text(), ctl2.text()
        assert show(sock) == before
        stats1 = port_stats(sock)
        assert stats1["vm1"]["tx_packets"] == stats0["vm1"]["tx_packets"] + 10
        assert stats1["vm2"]["rx_packets"] == stats0["vm2"]["rx_packets"] + 10
        flows(p1, p2, 2)


def test_dataplane_restart_gets_state_back():
    with Workspace("dprestart") as ws:
        dp, ctl, dp_sock, sock = setup(ws)
        sydctl(sock, "add-network", "red")
        sydctl(sock, "add-network", "green")
        sydctl(sock, "add-port", "a", "vhost-server", ws.path("a.sock"), "--network", "red")
        sydctl(sock, "add-port", "b", "vhost-server", ws.path("b.sock"), "--network", "red")
        sydctl(sock, "add-port", "c", "vhost-server", ws.path("c.sock"), "--network", "green")
        sydctl(sock, "add-mac", "red", MAC[3], "b")
        want = show(sock)
        dp.stop()
        wait_for("syd-control to notice", lambda: "lost the dataplane" in ctl.text())
        # A change while the dataplane is away is kept and applied when it returns.
        sydctl(sock, "del-port", "c")
        dp2 = Dataplane(ws, extra=["--control", dp_sock], name="dataplane2")
        wait_for("resync to the new dataplane", lambda: "in sync" in ctl.text(), 20)
        want["ports"] = [p for p in want["ports"] if p[0] != "c"]
        assert show(sock) == want
        macs = sydctl(sock, "-o", "json", "show", "macs")[1]["macs"]
        assert [(m["network"], m["mac"], m["port"]) for m in macs if m["is_static"]] == \
            [("red", MAC[3], "b")]
        # And it switches: a peer on a, a peer on b; the static entry steers MAC[3] to b.
        pa = Peer(ws, "pa", ws.path("a.sock"), MAC[1])
        pb = Peer(ws, "pb", ws.path("b.sock"), MAC[2])
        dp2.wait_link("a", up=True)
        dp2.wait_link("b", up=True)
        assert pa.send(MAC[3], count=3) == 3
        assert pb.recv()[0] == {(MAC[1], MAC[3]): 3}


def test_changes_do_not_disturb_other_ports():
    """Traffic between vm1 and vm2 runs while other ports and networks come and go:
    not one frame is lost."""
    import json
    import subprocess
    from sydtest import BENCH
    with Workspace("undisturbed") as ws:
        dp, ctl, dp_sock, sock = setup(ws)
        sydctl(sock, "add-network", "blue")
        sydctl(sock, "add-network", "red")
        for n in ("vm1", "vm2"):
            sydctl(sock, "add-port", n, "vhost-server", ws.path(n + ".sock"), "--network", "blue")
        gen = subprocess.Popen(
            [BENCH, "stream", "--port", ws.path("vm1.sock"), "--port", ws.path("vm2.sock"),
             "--rate", "50000", "--duration", "5", "--warmup", "0", "-o", "json", "--quiet",
             "--file-prefix", ws.prefix + "-gen", "--mem", "64"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            dp.wait_link("vm2", up=True)
            time.sleep(1)
            for i in range(6):
                sydctl(sock, "add-port", "x%d" % i, "vhost-server", ws.path("x%d.sock" % i),
                       "--network", "red")
                sydctl(sock, "add-mac", "red", "02:00:00:00:01:%02x" % i, "x%d" % i)
                sydctl(sock, "add-network", "tmp%d" % i)
                sydctl(sock, "attach", "x%d" % i, "tmp%d" % i)
                sydctl(sock, "flush-macs", "red")
                sydctl(sock, "del-port", "x%d" % i)
                sydctl(sock, "del-network", "tmp%d" % i)
            out, err = gen.communicate(timeout=60)
        finally:
            if gen.poll() is None:
                gen.kill()
                gen.wait()
        assert gen.returncode == 0, err
        res = json.loads(out)
        # 500,000 frames at the asked rate; a generator starved of its core sends fewer, and
        # the point is that whatever was sent during the changes arrived.
        assert res["tx_packets"] > 100000, res
        assert res["rx_packets"] == res["tx_packets"], \
            "lost %d of %d frames" % (res["tx_packets"] - res["rx_packets"], res["tx_packets"])
        # The generator's opening announcements may reach the switch before the other
        # port is up (flood_no_port); nothing else may be dropped.
        stats = port_stats(sock)
        for n in ("vm1", "vm2"):
            other = {k: v for k, v in stats[n]["drops"].items() if k != "flood_no_port"}
            assert other == {}, (n, stats[n]["drops"])


def test_kernel_interface_ports():
    """af_packet on a veth, and a tap: added at runtime, they switch with vhost-user."""
    import subprocess
    with Workspace("kif") as ws:
        dp, ctl, dp_sock, sock = setup(ws)
        a, b, tap = "sydv%da" % os.getpid(), "sydv%db" % os.getpid(), "sydt%d" % os.getpid()
        subprocess.run(["ip", "link", "add", a, "type", "veth", "peer", "name", b], check=True)
        try:
            for i in (a, b):
                subprocess.run(["ip", "link", "set", i, "up"], check=True)
            sydctl(sock, "add-network", "blue")
            sydctl(sock, "add-port", "vm1", "vhost-server", ws.path("vm1.sock"), "--network", "blue")
            sydctl(sock, "add-port", "k1", "af_packet", a, "--network", "blue")
            sydctl(sock, "add-port", "t1", "tap", tap, "--network", "blue")
            subprocess.run(["ip", "link", "set", tap, "up"], check=True)
            kinds = {p["name"]: p["kind"] for p in sydctl(sock, "-o", "json", "show", "ports")[1]["ports"]}
            assert kinds == {"vm1": "vhost-server", "k1": "af_packet", "t1": "tap"}, kinds
            peer = Peer(ws, "peer1", ws.path("vm1.sock"), MAC[1])
            dp.wait_link("vm1", up=True)
            dp.wait_link("k1", up=True)
            dp.wait_link("t1", up=True)

            def rx(ifname):
                with open("/sys/class/net/%s/statistics/rx_packets" % ifname) as f:
                    return int(f.read())
            before_b, before_t = rx(b), rx(tap)
            assert peer.send(BCAST, count=20) == 20
            wait_for("the veth peer to receive 20 frames", lambda: rx(b) - before_b >= 20)
            stats = port_stats(sock)
            assert stats["k1"]["tx_packets"] >= 20 and stats["t1"]["tx_packets"] >= 20, stats
            sydctl(sock, "del-port", "k1")
            sydctl(sock, "del-port", "t1")
            assert [p["name"] for p in sydctl(sock, "-o", "json", "show", "ports")[1]["ports"]] == ["vm1"]
            assert not os.path.exists("/sys/class/net/" + tap), "tap left behind"
        finally:
            subprocess.run(["ip", "link", "del", a], check=False)


def test_largest_messages_pass():
    """A batch of the most ops allowed, and dumps of thousands of entries, through both
    sockets (messages of up to 256 KiB exceed the default socket buffer)."""
    with Workspace("big") as ws:
        dp, ctl, dp_sock, sock = setup(ws)
        sydctl(sock, "add-network", "blue")
        sydctl(sock, "add-port", "vm1", "vhost-server", ws.path("vm1.sock"), "--network", "blue")
        c = sp.Client(sock)
        for b in range(4):
            ops = [sp.op("MAC_ADD", name="vm1", network="blue",
                         mac="02:00:00:%02x:%02x:%02x" % (b, i >> 8, i & 0xff))
                   for i in range(sp.BATCH_MAX)]
            c.batch(ops)
        # A barrier after the batches: answered once the workers use everything before it.
        assert c.request(sp.MSG["BARRIER"])[0] == sp.MSG["OK"]
        assert sp.Client(dp_sock).request(sp.MSG["BARRIER"])[0] == sp.MSG["OK"]
        macs = sydctl(sock, "-o", "json", "show", "macs")[1]["macs"]
        assert len(macs) == 4 * sp.BATCH_MAX, len(macs)
        direct = sydctl(dp_sock, "-o", "json", "show", "macs")[1]["macs"]
        assert len(direct) == 4 * sp.BATCH_MAX
        # And they survive a restart of syd-control (the state file holds them).
        ctl.kill9()
        ctl2 = Control(ws, dp_sock, sock, ws.path("state"), name="control2")
        wait_for("resync", lambda: "in sync" in ctl2.text())
        assert "(0 changes sent)" in ctl2.text(), ctl2.text()


def test_bad_requests_change_nothing():
    with Workspace("bad") as ws:
        dp, ctl, dp_sock, sock = setup(ws)
        sydctl(sock, "add-network", "blue")
        sydctl(sock, "add-port", "vm1", "vhost-server", ws.path("vm1.sock"), "--network", "blue")
        before = show(sock)
        # Refused by the rules: the CLI exits 1 with the reason.
        for args, words in [
            (("add-network", "blue"), "exists"),
            (("add-port", "vm1", "vhost-server", ws.path("x.sock")), "exists"),
            (("add-port", "vm9", "vhost-server", ws.path("vm1.sock")), "already used"),
            (("attach", "nosuch", "blue"), "no port"),
            (("del-network", "blue"), "still has port"),
            (("add-port", "vm9", "vhost-server", ws.path("nodir/vm9.sock")), "does not exist"),
        ]:
            code, out, err = sydctl(sock, *args, check=False)
            assert code == 1 and words in err, (args, code, out, err)
        # Refused before sending: usage errors exit 2.
        for args in (("add-port", "vm9"), ("add-port", "bad name!", "tap", "t0"),
                     ("add-mac", "blue", "zz:00", "vm1"), ("frobnicate",)):
            code, out, err = sydctl(sock, *args, check=False)
            assert code == 2, (args, code, err)
        assert show(sock) == before

        # Hostile messages straight at the dataplane: an ERROR each, nothing changes.
        c = sp.Client(dp_sock)
        good = sp.op("NET_ADD", name="red")
        cases = [
            ("unknown type", sp.message(99)),
            ("inconsistent length", sp.message(sp.MSG["BATCH"], sp.batch([good]), length=500)),
            ("count disagrees", sp.message(sp.MSG["BATCH"], struct.pack("=II", 2, 0) + good)),
            ("oversized batch", sp.message(sp.MSG["BATCH"], struct.pack("=II", 5000, 0))),
            ("bad name", sp.message(sp.MSG["BATCH"], sp.batch([sp.op("NET_ADD", name="a b")]))),
            ("unknown port", sp.message(sp.MSG["BATCH"], sp.batch([sp.op("DETACH", name="zz")]))),
            ("duplicate add", sp.message(sp.MSG["BATCH"], sp.batch([good, good]))),
            ("relative socket", sp.message(sp.MSG["BATCH"], sp.batch(
                [sp.op("PORT_ADD", name="q", path="q.sock", kind=1)]))),
            ("kind out of range", sp.message(sp.MSG["BATCH"], sp.batch(
                [sp.op("PORT_ADD", name="q", path="/q.sock", kind=9)]))),
        ]
        for what, data in cases:
            c = c if c else sp.Client(dp_sock)
            c.send_raw(data)
            t, xid, body = c.recv()
            assert t == sp.MSG["ERROR"], "%s: got type %d" % (what, t)
            if what == "inconsistent length":
                c.close()
                c = None  # framing errors disconnect
        # Short, and another version: an ERROR, then the connection is closed.
        for data in (b"\x01\x00\x05", sp.message(sp.MSG["GET_INFO"], version=7)):
            c = sp.Client(dp_sock)
            c.send_raw(data)
            t, _, body = c.recv()
            assert t == sp.MSG["ERROR"]
            try:
                c.recv()
                assert False, "connection left open after a framing error"
            except (ConnectionError, OSError):
                pass
        assert show(sock) == before
        assert dp.alive() and ctl.alive()


if __name__ == "__main__":
    run([test_runtime_ports_survive_control_kill, test_dataplane_restart_gets_state_back,
         test_changes_do_not_disturb_other_ports, test_kernel_interface_ports,
         test_largest_messages_pass,
         test_bad_requests_change_nothing])

#!/usr/bin/env python3
"""A VXLAN underlay with no kernel in it: two switches whose uplinks are one vhost-user
socket (switch A's uplink in mode vhost-server listens on it, switch B's in mode
virtio-user connects to it).

(a) VMs (syd-bench peers) on both switches exchange broadcast and unicast across VXLAN in
    both directions; the VTEPs are resolved by the switches' own ARP (there is no kernel
    to ask), and the uplinks' counters show exactly the frames encapsulated and
    decapsulated.  Bad uplink settings are refused with a reason and change nothing.
    When switch A restarts, switch B's virtio-user uplink connects again by itself.
(b) Switch B's uplink comes from a YAML file through syd-control; a restarted dataplane B
    gets it back from syd-control and reconnects to switch A.
(c) syd-bench plays host B on switch A's uplink (a --port with vxlan=): it answers A's ARP,
    sends its frames in VXLAN and reads A's inside it; a stream both ways loses nothing,
    and A's uplink counted exactly what syd-bench sent and received there.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from sydtest import (BENCH, Control, Dataplane, Peer, Workspace, run, sydctl,  # noqa: E402
                     wait_for)

A_IP, B_IP = "198.18.0.1", "198.18.0.2"
A_MAC = "02:59:c6:12:00:01"  # made from A's VTEP address: 02:59 + 198.18.0.1
B_MAC = "02:00:00:00:0b:ff"  # given with --mac / mac:
VMA, VMB = "02:00:00:00:0a:01", "02:00:00:00:0b:01"
BCAST = "ff:ff:ff:ff:ff:ff"


dps = {}  # side: its Dataplane


def switch(ws, side, other, name=None):
    """A dataplane with network blue (VNI 5001) flooding to the other VTEP, and a VM port."""
    sock = ws.path("dp-%s.sock" % side)
    dps[side] = Dataplane(ws, extra=["--control", sock], name=name or "dp-" + side)
    sydctl(sock, "add-network", "blue", "--vni", "5001")
    sydctl(sock, "add-vtep", "blue", other)
    sydctl(sock, "add-port", "vm", "vhost-server", ws.path("vm%s.sock" % side), "--network",
           "blue")
    return sock


def uplink(sock):
    return sydctl(sock, "show", "uplink", "-o", "json")[1]["uplink"]


def vteps(sock):
    return sydctl(sock, "show", "vteps", "-o", "json")[1]["vteps"]


def port_stats(sock, port):
    return [p for p in sydctl(sock, "show", "stats", "-o", "json")[1]["ports"]
            if p["name"] == port][0]


def refused(sock, args, want, code=1):
    """sydctl args must fail with exit code code and want in its message; the uplink
    must be what it was."""
    before = uplink(sock)
    rc, out, err = sydctl(sock, *args, check=False)
    assert rc == code and want in err + out, (args, rc, err + out)
    assert uplink(sock) == before, (args, uplink(sock), before)


def received(vm):
    return vm.recv(wait_ms=500)[0]


def test_two_switches_over_a_vhost_user_underlay():
    with Workspace("underlay") as ws:
        under = ws.path("underlay.sock")
        a = switch(ws, "a", B_IP)
        b = switch(ws, "b", A_IP)
        # B's virtio-user uplink needs an existing directory; set before anyone listens,
        # it waits (as a vhost-client port waits for its VM) and connects once A listens.
        refused(b, ["set-uplink", "ulb", "--vtep", B_IP, "--mode", "virtio-user", "--path",
                    ws.path("no/such/dir.sock")], "does not exist")
        sydctl(b, "set-uplink", "ulb", "--vtep", B_IP, "--mode", "virtio-user", "--path",
               under, "--mac", B_MAC, "--mtu", "1600")
        ub = uplink(b)
        assert not ub["link_up"] and "waiting for a vhost-user server on " + under in \
            ub["note"], ub
        sydctl(a, "set-uplink", "ula", "--vtep", A_IP, "--mode", "vhost-server", "--path",
               under, "--mtu", "1600")
        wait_for("B connects", lambda: uplink(b)["link_up"], 10)
        assert "uplink ulb: connected to " + under in dps["b"].text()
        ua, ub = uplink(a), uplink(b)
        assert (ua["interface"], ua["driver"], ua["mode"], ua["socket"], ua["mac"]) == \
            ("ula", "vhost", "vhost-server", under, A_MAC), ua
        assert (ub["interface"], ub["driver"], ub["mode"], ub["socket"], ub["mac"]) == \
            ("ulb", "virtio_user", "virtio-user", under, B_MAC), ub
        assert ua["answers_arp"] and ub["answers_arp"], (ua, ub)
        wait_for("both uplinks up", lambda: uplink(a)["link_up"] and uplink(b)["link_up"])

        # Each switch resolves the other's VTEP with its own ARP: on-link, the other's MAC.
        for sock, other, mac in ((a, B_IP, B_MAC), (b, A_IP, A_MAC)):
            wait_for("VTEP %s resolved" % other, lambda: all(v["resolved"] for v in vteps(sock)))
            v = vteps(sock)[0]
            assert (v["vtep"], v["nexthop"], v["mac"]) == (other, other, mac), v

        vma = Peer(ws, "vma", ws.path("vma.sock"), VMA)
        vmb = Peer(ws, "vmb", ws.path("vmb.sock"), VMB)
        for side in "ab":
            dps[side].wait_link("vm", up=True)
        # Broadcast from A reaches B's VM (flooded to the VTEP), and B learns VMA behind A.
        vma.send(BCAST, count=20)
        assert received(vmb) == {(VMA, BCAST): 20}
        # Unicast both ways, with exact counts of what went through each uplink.
        for sock in (a, b):
            sydctl(sock, "clear-stats")
        vmb.clear()
        vma.clear()
        assert vmb.send(VMA, count=30) == 30
        assert received(vma) == {(VMB, VMA): 30}
        assert vma.send(VMB, count=40, size=1400) == 40
        assert received(vmb) == {(VMA, VMB): 40}
        sa, sb = port_stats(a, "uplink"), port_stats(b, "uplink")
        assert (sa["tx_packets"], sa["rx_packets"]) == (40, 30), sa   # A encap 40, decap 30
        assert (sb["tx_packets"], sb["rx_packets"]) == (30, 40), sb   # B encap 30, decap 40
        assert not any(sa["drops"].values()) and not any(sb["drops"].values()), (sa, sb)
        assert sa["tx_bytes"] == 40 * (1400 + 50), sa  # VXLAN adds 50 bytes to each frame
        macs = sydctl(a, "show", "macs", "-o", "json")[1]["macs"]
        assert any(m["mac"] == VMB and m["port"] == B_IP for m in macs), macs

        # Bad settings: refused, nothing changes (the overlay keeps working).
        refused(a, ["set-uplink", "ula", "--vtep", A_IP, "--mode", "vhost-server"],
                "needs the socket", code=2)
        refused(a, ["set-uplink", "eth0", "--vtep", A_IP, "--mode", "af_xdp", "--path", under],
                "--path and --mac are for --mode vhost-server or virtio-user", code=2)
        refused(a, ["set-uplink", "ula", "--vtep", A_IP, "--mode", "vhost-server", "--path",
                    "rel.sock"], "an absolute path", code=2)
        refused(a, ["set-uplink", "a-very-long-name", "--vtep", A_IP, "--mode", "vhost-server",
                    "--path", under], "1-15 letters", code=2)
        refused(a, ["set-uplink", "ula", "--vtep", A_IP, "--mode", "vhost-server", "--path",
                    ws.path("no/such/dir.sock")], "does not exist")
        refused(a, ["set-uplink", "ula", "--vtep", A_IP, "--mode", "vhost-server", "--path",
                    ws.path("vma.sock")], "is port 'vm'")
        refused(a, ["set-uplink", "ula", "--vtep", B_IP, "--mode", "vhost-server", "--path",
                    under], "is a remote VTEP of network 'blue'")
        vma.clear()
        assert vmb.send(VMA, count=5) == 5
        assert received(vma) == {(VMB, VMA): 5}
        # A new MTU keeps the port (and the peer connected).
        sydctl(a, "set-uplink", "ula", "--vtep", A_IP, "--mode", "vhost-server", "--path",
               under, "--mtu", "1500")
        assert uplink(a)["mtu"] == 1500 and uplink(a)["link_up"]

        # Switch A restarts: B's virtio-user uplink goes down, and connects again by itself
        # once A listens again.
        vma.stop()
        dps["a"].stop()
        wait_for("B's uplink down", lambda: not uplink(b)["link_up"])
        a = switch(ws, "a", B_IP, name="dp-a2")
        sydctl(a, "set-uplink", "ula", "--vtep", A_IP, "--mode", "vhost-server", "--path",
               under)
        wait_for("B's uplink up again", lambda: uplink(b)["link_up"], 15)
        assert dps["b"].text().count("uplink ulb: connected to " + under) == 2
        wait_for("A resolves B", lambda: all(v["resolved"] for v in vteps(a)), 15)
        vma = Peer(ws, "vma2", ws.path("vma.sock"), VMA)
        dps["a"].wait_link("vm", up=True)
        vmb.clear()
        assert vma.send(VMB, count=10) == 10
        assert received(vmb) == {(VMA, VMB): 10}


YAML_B = """switch:
  name: host-b
  vtep:
    address: %s
    uplink: ulb
    mode: virtio-user
    socket: %s
    mac: %s
networks:
  - {name: blue, vni: 5001, flood: [%s]}
ports:
  - {name: vm, type: vhost-user, socket: %s, mode: server, network: blue}
"""


def test_syd_control_gives_a_restarted_dataplane_its_socket_uplink():
    with Workspace("underlay-ctl") as ws:
        under = ws.path("underlay.sock")
        a = switch(ws, "a", B_IP)
        sydctl(a, "set-uplink", "ula", "--vtep", A_IP, "--mode", "vhost-server", "--path", under)
        conf = ws.path("host-b.yaml")
        with open(conf, "w") as f:
            f.write(YAML_B % (B_IP, under, B_MAC, A_IP, ws.path("vmb.sock")))
        b_dp = ws.path("dp-b.sock")
        dp = Dataplane(ws, extra=["--control", b_dp], name="dp-b")
        ctl = Control(ws, b_dp, ws.path("ctl-b.sock"), ws.path("state"), extra=["--config", conf])
        b = ctl.sock
        wait_for("syd-control to sync", lambda: "in sync" in ctl.text())
        plan = sydctl(b, "plan", conf)[1]
        assert "no changes" in plan, plan
        ub = uplink(b)
        assert (ub["interface"], ub["mode"], ub["socket"], ub["mac"]) == \
            ("ulb", "virtio-user", under, B_MAC), ub
        wait_for("B resolves A", lambda: all(v["resolved"] for v in vteps(b)))

        dp.stop()
        wait_for("syd-control to notice", lambda: "lost the dataplane" in ctl.text())
        dp2 = Dataplane(ws, extra=["--control", b_dp], name="dp-b2")
        wait_for("resync", lambda: ctl.text().count("in sync") >= 2, 20)
        assert uplink(b)["socket"] == under
        wait_for("B resolves A again", lambda: all(v["resolved"] for v in vteps(b)))
        wait_for("A resolves B again", lambda: all(v["resolved"] for v in vteps(a)))
        vma = Peer(ws, "vma", ws.path("vma.sock"), VMA)
        vmb = Peer(ws, "vmb", ws.path("vmb.sock"), VMB)
        dps["a"].wait_link("vm", up=True)
        dp2.wait_link("vm", up=True)
        vma.send(BCAST, count=10)
        assert received(vmb) == {(VMA, BCAST): 10}
        vmb.send(VMA, count=10)
        assert received(vma) == {(VMB, VMA): 10}


def bench(ws, args):
    """syd-bench with args; @return (exit code, stdout, stderr)."""
    r = subprocess.run([BENCH] + args + ["--file-prefix", ws.prefix + "-gen", "--mem", "64"],
                       capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout, r.stderr


def test_syd_bench_plays_a_remote_vtep():
    with Workspace("remote-vtep") as ws:
        under = ws.path("underlay.sock")
        a = switch(ws, "a", B_IP)
        sydctl(a, "set-uplink", "ula", "--vtep", A_IP, "--mode", "vhost-server", "--path",
               under, "--mtu", "1600")
        remote = "%s,mac=%s,vxlan=5001,vtep=%s,remote=%s,remote-mac=%s" % (
            under, B_MAC, B_IP, A_IP, A_MAC)
        stream = ["stream", "--port", ws.path("vma.sock"), "--port", remote, "--size", "200",
                  "--flows", "8", "--rate", "20000", "--duration", "1", "--warmup", "1",
                  "-o", "json", "--quiet"]
        # Bad remote-VTEP settings: refused before any port opens.
        for bad, want in ((remote.replace(",remote-mac=" + A_MAC, ""), "needs vxlan=VNI"),
                          (remote.replace("vxlan=5001", "vxlan=16777216"), "bad VNI"),
                          (remote.replace("vtep=" + B_IP, "vtep=1.2.3"), "bad vtep '1.2.3'"),
                          (remote.replace("remote=" + A_IP, "remote=" + B_IP), "the same")):
            rc, out, err = bench(ws, stream[:4] + [bad] + stream[5:])
            assert rc == 2 and want in err, (bad, rc, err)
        rc, out, err = bench(ws, ["stream", "--port", remote, "--port", remote])
        assert rc == 2 and "both are remote VTEPs" in err, (rc, err)

        sydctl(a, "clear-stats")
        rc, out, err = bench(ws, stream)
        assert rc == 0, err
        res = json.loads(out)["result"]
        p0, p1 = res["ports"]
        # A resolved B's VTEP by ARP, answered by syd-bench, and learnt its inner MAC.
        v = vteps(a)[0]
        assert (v["vtep"], v["resolved"], v["mac"]) == (B_IP, True, B_MAC), v
        macs = sydctl(a, "show", "macs", "-o", "json")[1]["macs"]
        assert any(m["mac"] == B_MAC and m["port"] == B_IP for m in macs), macs
        # Both directions whole: A decapsulated what p1 sent, encapsulated what p0 sent.
        assert p0["tx_packets"] > 15000 and p1["tx_packets"] > 15000, res
        assert res["rx_packets"] == res["tx_packets"], res
        assert p0["rx_packets"] == p1["tx_packets"] and p1["rx_packets"] == p0["tx_packets"]
        assert res["latency"]["samples"] > 0, res
        st = port_stats(a, "uplink")
        # Only start-up frames are dropped: the VM's 4 announcements may be flooded
        # before A learnt B's VTEP from the remote's (A's control thread reads ARP from
        # the uplink), and a frame for the uplink (A's ARP request for B's VTEP, or an
        # announcement) may go out before syd-bench's uplink port is up: syd-bench
        # connects its two ports in turn as it starts.
        assert set(st["drops"]) <= {"vtep_unresolved", "link_down"} and \
            st["drops"].get("vtep_unresolved", 0) <= 4 and \
            st["drops"].get("link_down", 0) <= 4, st
        # Warm-up, measured period and the announcements: at least the measured frames,
        # each 50 bytes longer on the uplink.
        assert st["rx_packets"] >= p1["tx_packets"] and st["tx_packets"] >= p0["tx_packets"]
        assert st["tx_bytes"] >= p0["tx_packets"] * (200 + 50), st


if __name__ == "__main__":
    run([test_two_switches_over_a_vhost_user_underlay,
         test_syd_control_gives_a_restarted_dataplane_its_socket_uplink,
         test_syd_bench_plays_a_remote_vtep])

#!/usr/bin/env python3
"""VXLAN overlays end to end, in network namespaces made by the test.

(a) The Linux kernel's own vxlan device is the remote VTEP: a VM (syd-bench peer on a
    vhost-user port) and an address on the kernel's vxlan interface exchange ARP, ping and
    UDP across the overlay, with the switch answering ARP for its VTEP address, and again
    with the kernel owning that address (next hops from its neighbour table).
(b) Two switches in two namespaces joined by a veth, each with VMs in two networks with
    different VNIs: traffic is delivered within a network and never between networks;
    flow rules match decapsulated frames on their VNI and remote VTEP; a frame too big for
    the underlay MTU is counted and dropped, never truncated.
"""
import json
import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from sydtest import (Control, Dataplane, Netns, Peer, Workspace, run, sh, sydctl,  # noqa: E402
                     wait_for)

VM1 = "02:00:00:00:01:01"
BCAST = "ff:ff:ff:ff:ff:ff"


# ---- frames, byte for byte ----

def mac_bytes(s):
    return bytes(int(x, 16) for x in s.split(":"))


def mac_text(b):
    return ":".join("%02x" % x for x in b)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def eth(dst, src, etype, payload):
    f = mac_bytes(dst) + mac_bytes(src) + struct.pack("!H", etype) + payload
    return f + b"\0" * max(0, 60 - len(f))


def arp_request(src_mac, src_ip, target_ip):
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, mac_bytes(src_mac),
                       socket.inet_aton(src_ip), b"\0" * 6, socket.inet_aton(target_ip))
    return eth(BCAST, src_mac, 0x0806, body)


def ipv4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    h = h[:10] + struct.pack("!H", checksum(h)) + h[12:]
    return h + payload


def icmp_echo(ident, seq, data):
    m = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + data
    return m[:2] + struct.pack("!H", checksum(m)) + m[4:]


def udp(sport, dport, data):
    return struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data


def parse(frame):
    """The fields the tests look at, from a frame as bytes."""
    out = {"dst": mac_text(frame[0:6]), "src": mac_text(frame[6:12])}
    etype = struct.unpack("!H", frame[12:14])[0]
    out["type"] = etype
    if etype == 0x0806:
        op, sha, spa, tha, tpa = struct.unpack("!6xH6s4s6s4s", frame[14:42])
        out.update(arp_op=op, sha=mac_text(sha), spa=socket.inet_ntoa(spa),
                   tpa=socket.inet_ntoa(tpa))
    elif etype == 0x0800:
        ihl = (frame[14] & 0xf) * 4
        total = struct.unpack("!H", frame[16:18])[0]
        proto = frame[23]
        out.update(proto=proto, ip_src=socket.inet_ntoa(frame[26:30]),
                   ip_dst=socket.inet_ntoa(frame[30:34]))
        l4 = frame[14 + ihl:14 + total]
        if proto == 1:
            out.update(icmp_type=l4[0], icmp_id=struct.unpack("!H", l4[4:6])[0],
                       icmp_data=l4[8:])
        elif proto == 17:
            sport, dport, ulen = struct.unpack("!HHH", l4[0:6])
            out.update(sport=sport, dport=dport, data=l4[8:ulen])
    return out


def exchange(peer, frame, want, timeout=5.0):
    """Send frame from the peer, then wait for a received frame for which want(parsed)."""
    peer.cmd("frames")  # forget older ones
    peer.cmd("sendraw hex=%s" % frame.hex())
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        for h in peer.cmd("frames")["frames"]:
            p = parse(bytes.fromhex(h))
            seen.append(p)
            if want(p):
                return p
        time.sleep(0.05)
    raise AssertionError("no answer to %s; received: %r" % (frame.hex()[:80], seen))


def link_mac(ns, ifname):
    return json.loads(sh("ip -n %s -j link show %s" % (ns, ifname)))[0]["address"]


def drops(sock, port):
    st = sydctl(sock, "show", "stats", "-o", "json")[1]
    for p in st["ports"]:
        if p["name"] == port:
            return p["drops"]
    raise AssertionError("no port %s in %r" % (port, st))


def ns_python(ns, code, *args):
    """Run Python code in the namespace ns (stdout a pipe); return once it has printed
    'ready'."""
    proc = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "-c", code] + list(args),
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if line != "ready":
        proc.kill()
        proc.wait()
        raise AssertionError("helper in %s did not start: %r" % (ns, line))
    return proc


def outer_source_ports(ns, peer, frames):
    """Send frames from peer (in order) and return the outer UDP source port of each
    VXLAN packet that reached the namespace ns, captured with a packet socket there."""
    cap = ns_python(ns, "import socket, struct, sys\n"
                    "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))\n"
                    "s.settimeout(5)\n"
                    "print('ready', flush=True)\n"
                    "n = int(sys.argv[1])\n"
                    "while n:\n"
                    "    f = s.recv(2048)\n"
                    "    ihl = (f[14] & 15) * 4\n"
                    "    if f[23] == 17 and struct.unpack('!H', f[16 + ihl:18 + ihl])[0] == 4789:\n"
                    "        print(struct.unpack('!H', f[14 + ihl:16 + ihl])[0], flush=True)\n"
                    "        n -= 1\n", str(len(frames)))
    try:
        for f in frames:
            peer.cmd("sendraw hex=%s" % f.hex())
            time.sleep(0.02)  # in order: one at a time
        out, _ = cap.communicate(timeout=10)
    finally:
        cap.kill()
        cap.wait()
    ports = [int(x) for x in out.split()]
    assert len(ports) == len(frames), "captured %r for %d frames" % (ports, len(frames))
    return ports


# ---- (a) the kernel's vxlan device as the remote VTEP ----

def kernel_vtep_case(kernel_owns_address):
    with Workspace("overlay-k") as ws:
        nets = Netns(ws, "k")
        ns_s, ns_k = nets.ns("sw"), nets.ns("kern")
        nets.veth(ns_s, "sw0", ns_k, "kern0")
        sh("ip -n %s addr add 198.18.0.2/24 dev kern0" % ns_k)
        sh("ip -n %s link add vx0 type vxlan id 5001 dstport 4789 local 198.18.0.2 "
           "remote 198.18.0.1 dev kern0" % ns_k)
        sh("ip -n %s addr add 10.1.0.2/24 dev vx0" % ns_k)
        sh("ip -n %s link set vx0 up" % ns_k)
        # a second VNI the switch does not know: its frames are counted, not delivered
        sh("ip -n %s link add vx9 type vxlan id 9999 dstport 4789 local 198.18.0.2 "
           "remote 198.18.0.1 dev kern0" % ns_k)
        sh("ip -n %s addr add 10.9.0.2/24 dev vx9" % ns_k)
        sh("ip -n %s link set vx9 up" % ns_k)
        if kernel_owns_address:
            sh("ip -n %s addr add 198.18.0.1/24 dev sw0" % ns_s)
        vx_mac = link_mac(ns_k, "vx0")

        dp_sock = ws.path("dp.sock")
        dp = Dataplane(ws, extra=["--control", dp_sock], netns=ns_s)
        ctl = Control(ws, dp_sock, ws.path("ctl.sock"), ws.path("state"))
        sock = ctl.sock
        sydctl(sock, "add-network", "blue", "--vni", "5001")
        sydctl(sock, "add-vtep", "blue", "198.18.0.2")
        sydctl(sock, "set-uplink", "sw0", "--vtep", "198.18.0.1")
        sydctl(sock, "add-port", "vm1", "vhost-server", ws.path("vm1.sock"), "--network",
               "blue")
        up = sydctl(sock, "show", "uplink", "-o", "json")[1]["uplink"]
        assert up["driver"] == "af_xdp", up
        assert up["answers_arp"] == (not kernel_owns_address), up
        vm = Peer(ws, "vm1", ws.path("vm1.sock"), VM1)
        wait_for("the next hop to 198.18.0.2 resolved",
                 lambda: sydctl(sock, "show", "vteps", "-o", "json")[1]["vteps"][0]["resolved"],
                 10)

        # ARP across the overlay: the kernel's vx0 answers for 10.1.0.2
        r = exchange(vm, arp_request(VM1, "10.1.0.1", "10.1.0.2"),
                     lambda p: p.get("arp_op") == 2 and p["spa"] == "10.1.0.2")
        assert r["sha"] == vx_mac and r["dst"] == VM1, r
        # ping
        r = exchange(vm, eth(vx_mac, VM1, 0x0800,
                             ipv4("10.1.0.1", "10.1.0.2", 1, icmp_echo(0x5359, 1, b"switchyard"))),
                     lambda p: p.get("icmp_type") == 0)
        assert r["ip_src"] == "10.1.0.2" and r["icmp_data"] == b"switchyard", r
        # UDP to an echo server in the kernel's namespace
        echo = ns_python(ns_k, "import socket\n"
                         "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                         "s.bind(('10.1.0.2', 7777))\n"
                         "print('ready', flush=True)\n"
                         "d, a = s.recvfrom(2048)\n"
                         "s.sendto(d.upper(), a)\n")
        try:
            r = exchange(vm, eth(vx_mac, VM1, 0x0800,
                                 ipv4("10.1.0.1", "10.1.0.2", 17, udp(40000, 7777, b"overlay"))),
                         lambda p: p.get("proto") == 17 and p.get("dport") == 40000)
            assert r["data"] == b"OVERLAY", r
        finally:
            echo.kill()
            echo.wait()
        # the kernel's MAC is learned behind its VTEP
        macs = sydctl(sock, "show", "macs", "-o", "json")[1]["macs"]
        assert any(m["mac"] == vx_mac and m["port"] == "198.18.0.2" for m in macs), macs

        # the outer UDP source port is the inner flow's hash (RFC 7348: underlay ECMP):
        # one port per inner 5-tuple, and different tuples spread
        ports = outer_source_ports(ns_k, vm, [eth(vx_mac, VM1, 0x0800, ipv4(
            "10.1.0.1", "10.1.0.2", 17, udp(41000 + i % 6, 9, b"ecmp"))) for i in range(12)])
        assert all(49152 <= p for p in ports), ports
        assert ports[:6] == ports[6:] and len(set(ports[:6])) >= 3, ports

        # VXLAN with a VNI the switch does not have is counted on the uplink, not delivered
        before = drops(sock, "uplink").get("vxlan_unknown_vni", 0)
        subprocess.run(["ip", "netns", "exec", ns_k, "ping", "-c", "3", "-i", "0.2", "-W", "1",
                        "10.9.0.1"], capture_output=True)
        wait_for("vxlan_unknown_vni counted",
                 lambda: drops(sock, "uplink").get("vxlan_unknown_vni", 0) > before, 5)
        vm.cmd("frames")
        assert not any(parse(bytes.fromhex(h)).get("spa") == "10.9.0.2"
                       for h in vm.cmd("frames")["frames"])
        if kernel_owns_address:
            return

        # kill -9: the XDP program stays on the interface; the next dataplane removes
        # it, syd-control gives it its state back, and the overlay works again
        dp.kill9()
        dp = Dataplane(ws, extra=["--control", dp_sock], netns=ns_s, name="dataplane2")
        wait_for("the uplink back", lambda: sydctl(sock, "show", "uplink", "-o", "json",
                                                   check=False)[0] == 0 and
                 sydctl(sock, "show", "uplink", "-o", "json")[1]["uplink"].get("driver")
                 == "af_xdp", 15)
        assert "removed the XDP program" in dp.text(), dp.text()
        vm.stop()  # a VM reconnects to a restarted server socket; syd-bench's peer does not
        vm = Peer(ws, "vm1b", ws.path("vm1.sock"), VM1)
        wait_for("the next hop resolved again",
                 lambda: sydctl(sock, "show", "vteps", "-o", "json")[1]["vteps"][0]["resolved"],
                 10)
        r = exchange(vm, eth(vx_mac, VM1, 0x0800,
                             ipv4("10.1.0.1", "10.1.0.2", 1, icmp_echo(0x5359, 2, b"again"))),
                     lambda p: p.get("icmp_type") == 0, timeout=10)
        assert r["icmp_data"] == b"again", r


def test_kernel_vtep_switch_answers_arp():
    kernel_vtep_case(kernel_owns_address=False)


def test_kernel_vtep_kernel_owns_address():
    kernel_vtep_case(kernel_owns_address=True)


# ---- (b) two switches, two networks each ----

def test_two_switches_keep_networks_apart():
    with Workspace("overlay-2") as ws:
        nets = Netns(ws, "t")
        ns_a, ns_b = nets.ns("a"), nets.ns("b")
        nets.veth(ns_a, "upa", ns_b, "upb")
        socks = {}
        for side, ns, ifname, me, other in (("a", ns_a, "upa", "198.18.0.1", "198.18.0.2"),
                                            ("b", ns_b, "upb", "198.18.0.2", "198.18.0.1")):
            dp_sock = ws.path("dp-%s.sock" % side)
            Dataplane(ws, extra=["--control", dp_sock], netns=ns, name="dp-" + side)
            socks[side] = dp_sock
            for net, vni in (("blue", "5001"), ("red", "5002")):
                sydctl(dp_sock, "add-network", net, "--vni", vni)
                sydctl(dp_sock, "add-vtep", net, other)
            sydctl(dp_sock, "set-uplink", ifname, "--vtep", me)
            for vm, net in (("vm%s1" % side, "blue"), ("vm%s2" % side, "red")):
                sydctl(dp_sock, "add-port", vm, "vhost-server", ws.path(vm + ".sock"),
                       "--network", net)
        macs = {"vma1": "02:00:00:00:0a:01", "vma2": "02:00:00:00:0a:02",
                "vmb1": "02:00:00:00:0b:01", "vmb2": "02:00:00:00:0b:02"}
        vms = {n: Peer(ws, n, ws.path(n + ".sock"), m) for n, m in macs.items()}
        for side in "ab":
            wait_for("switch %s: next hops resolved" % side,
                     lambda: all(v["resolved"] for v in
                                 sydctl(socks[side], "show", "vteps", "-o", "json")[1]["vteps"]),
                     10)

        def received():
            out = {}
            for n, vm in vms.items():
                frames, _ = vm.recv(wait_ms=300)
                out[n] = frames
            return out

        # broadcast in blue from host A reaches blue on host B only
        for vm in vms.values():
            vm.clear()
        vms["vma1"].send(BCAST, count=20)
        got = received()
        assert got["vmb1"].get((macs["vma1"], BCAST)) == 20, got
        assert got["vmb2"] == {} and got["vma2"] == {}, got
        # unicast back from B to A's blue VM: learned behind VTEP 198.18.0.1 on B
        for vm in vms.values():
            vm.clear()
        vms["vmb1"].send(macs["vma1"], count=30)
        got = received()
        assert got["vma1"].get((macs["vmb1"], macs["vma1"])) == 30, got
        assert got["vma2"] == {} and got["vmb2"] == {}, got
        learned = sydctl(socks["b"], "show", "macs", "-o", "json")[1]["macs"]
        assert any(m["mac"] == macs["vma1"] and m["port"] == "198.18.0.1" and
                   m["network"] == "blue" for m in learned), learned
        # red never reaches blue: a red VM sending to blue VM's MAC floods within red
        for vm in vms.values():
            vm.clear()
        vms["vma2"].send(macs["vmb1"], count=10)
        got = received()
        assert got["vmb1"] == {} and got["vma1"] == {}, got
        assert got["vmb2"].get((macs["vma2"], macs["vmb1"])) == 10, got

        # flow rules on decapsulated frames: matched on the tunnel's VNI and remote VTEP,
        # output elsewhere or switched by normal (which learns behind the remote VTEP)
        sydctl(socks["b"], "add-flow", "priority=20,tun_id=5001,tun_src=198.18.0.1,dl_dst=%s "
               "actions=output:vmb2" % macs["vmb1"])
        sydctl(socks["b"], "add-flow", "priority=10,tun_src=198.18.0.1 actions=normal")
        for vm in vms.values():
            vm.clear()
        vms["vma1"].send(macs["vmb1"], count=7)   # blue: taken to red's vmb2
        vms["vma2"].send(BCAST, count=4)          # red: normal floods it in red
        got = received()
        assert got["vmb2"].get((macs["vma1"], macs["vmb1"])) == 7, got
        assert got["vmb2"].get((macs["vma2"], BCAST)) == 4, got
        assert got["vmb1"] == {} and got["vma1"] == {}, got
        rows = {r["priority"]: r for r in sydctl(socks["b"], "-o", "json", "dump-flows")[1]["flows"]}
        assert rows[20]["packets"] == 7 and rows[10]["packets"] == 4, rows
        learned = sydctl(socks["b"], "show", "macs", "-o", "json")[1]["macs"]
        assert any(m["mac"] == macs["vma2"] and m["port"] == "198.18.0.1" and
                   m["network"] == "red" for m in learned), learned
        sydctl(socks["b"], "del-flows")

        # a frame that does not fit the underlay MTU once encapsulated: counted, dropped
        sydctl(socks["a"], "set-uplink", "upa", "--vtep", "198.18.0.1", "--mtu", "576")
        before = drops(socks["a"], "uplink").get("mtu_exceeded", 0)
        for vm in vms.values():
            vm.clear()
        vms["vma1"].send(macs["vmb1"], count=5, size=600)   # 600 + 36 > 576
        vms["vma1"].send(macs["vmb1"], count=5, size=540)   # 540 + 36 = 576: fits
        got = received()
        assert got["vmb1"].get((macs["vma1"], macs["vmb1"])) == 5, got
        assert drops(socks["a"], "uplink").get("mtu_exceeded", 0) - before == 5
        info = sydctl(socks["a"], "show", "uplink", "-o", "json")[1]["uplink"]
        assert info["mtu"] == 576, info


def test_fallback_to_af_packet_says_why():
    """Another tool's XDP program on the interface: auto mode falls back to af_packet,
    says why, and the overlay still works; mode af_xdp refuses with the reason."""
    with Workspace("overlay-fb") as ws:
        src = ws.path("other.c")
        with open(src, "w") as f:
            f.write('#include <linux/bpf.h>\n'
                    '__attribute__((section("xdp"), used)) int other_prog(struct xdp_md *c)\n'
                    '{ return XDP_PASS; }\n'
                    'char _license[] __attribute__((section("license"), used)) = "GPL";\n')
        multiarch = subprocess.run(["gcc", "-print-multiarch"], capture_output=True,
                                   text=True).stdout.strip()
        sh("clang -target bpf -O2 -I/usr/include/%s -c %s -o %s" % (multiarch, src,
                                                                  ws.path("other.o")))
        nets = Netns(ws, "f")
        ns_s, ns_k = nets.ns("sw"), nets.ns("kern")
        nets.veth(ns_s, "fb0", ns_k, "fbk0")
        sh("ip -n %s link set dev fb0 xdpgeneric obj %s sec xdp" % (ns_s, ws.path("other.o")))
        sh("ip -n %s addr add 198.18.0.2/24 dev fbk0" % ns_k)
        dp_sock = ws.path("dp.sock")
        Dataplane(ws, extra=["--control", dp_sock], netns=ns_s)
        sydctl(dp_sock, "add-network", "blue", "--vni", "5001")
        sydctl(dp_sock, "add-vtep", "blue", "198.18.0.2")
        code, _, err = sydctl(dp_sock, "set-uplink", "fb0", "--vtep", "198.18.0.1", "--mode",
                              "af_xdp", check=False)
        assert code == 1 and "fb0" in err, (code, err)
        assert sydctl(dp_sock, "show", "uplink", "-o", "json")[1]["uplink"]["interface"] == "-"
        sydctl(dp_sock, "set-uplink", "fb0", "--vtep", "198.18.0.1")
        up = sydctl(dp_sock, "show", "uplink", "-o", "json")[1]["uplink"]
        assert up["driver"] == "af_packet" and "AF_XDP failed" in up["note"], up
        wait_for("the next hop over af_packet",
                 lambda: sydctl(dp_sock, "show", "vteps", "-o", "json")[1]["vteps"][0]["resolved"],
                 10)


if __name__ == "__main__":
    run([test_kernel_vtep_switch_answers_arp, test_kernel_vtep_kernel_owns_address,
         test_two_switches_keep_networks_apart, test_fallback_to_af_packet_says_why])

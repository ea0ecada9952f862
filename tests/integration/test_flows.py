#!/usr/bin/env python3
"""Flow tables with real traffic: rules installed with sydctl change where packets go.

Three peers on three ports.  Rules steer, drop, rewrite, tag, copy and send through a
second table; `dump-flows` counts exactly what was sent; the drop reasons say which rule
dropped; `flow-trace` tells the same story without a packet; bad rules are refused and
change nothing; rules go with their port and with their idle timeout; and through
syd-control the rules come back after the dataplane is killed and restarted.
"""
import json
import os
import subprocess
import threading
import time

from sydtest import BENCH, Control, Dataplane, Peer, Workspace, run, sydctl, wait_for

BCAST = "ff:ff:ff:ff:ff:ff"
MAC = {1: "02:00:00:00:00:01", 2: "02:00:00:00:00:02", 3: "02:00:00:00:00:03"}
FRAME = 60  # what `send` builds: 198.18.0.1 -> 198.18.0.2, UDP, 60 bytes


def start(ws, name="dataplane"):
    ports = [("server", ws.path("p%d.sock" % i), "p%d" % i) for i in (1, 2, 3)]
    sock = ws.path("dp.sock")
    dp = Dataplane(ws, ports, ["--control", sock], name=name)
    return dp, sock


def peers(ws, dp):
    peer = {i: Peer(ws, "peer%d" % i, ws.path("p%d.sock" % i), MAC[i]) for i in (1, 2, 3)}
    for i in (1, 2, 3):
        dp.wait_link("p%d" % i, up=True)
    for i in (2, 3):  # the switch learns 2 and 3
        assert peer[i].send(BCAST) == 1
    time.sleep(0.2)
    for i in (1, 2, 3):
        peer[i].clear()
    return peer


def got(peer):
    """{i: {(src, dst): n}} for every peer, then clear them."""
    out = {i: p.recv()[0] for i, p in peer.items()}
    for p in peer.values():
        p.clear()
    return out


def dump(sock):
    rows = sydctl(sock, "-o", "json", "dump-flows")[1]["flows"]
    return {(r["table"], r["priority"], r["match"]): r for r in rows}


def drops(sock, port):
    stats = {p["name"]: p for p in sydctl(sock, "-o", "json", "show", "stats")[1]["ports"]}
    return stats[port]["drops"]


def test_rules_change_where_traffic_goes():
    with Workspace("flows") as ws:
        dp, sock = start(ws)
        peer = peers(ws, dp)
        m1, m2, m3 = MAC[1], MAC[2], MAC[3]

        # No rules: the L2 switch.
        assert peer[1].send(m2, count=5) == 5
        assert got(peer) == {1: {}, 2: {(m1, m2): 5}, 3: {}}

        # Steer: p1's frames to 2 go out of p3 instead.
        sydctl(sock, "add-flow", "priority=100,in_port=p1,dl_dst=%s actions=output:p3" % m2)
        assert peer[1].send(m2, count=10) == 10
        assert got(peer) == {1: {}, 2: {}, 3: {(m1, m2): 10}}
        r = dump(sock)[(0, 100, "in_port=p1,dl_dst=%s" % m2)]
        assert (r["packets"], r["bytes"]) == (10, 10 * FRAME), r
        w = sydctl(sock, "-o", "json", "show", "workers")[1]["workers"][0]
        # One flow: the first lookup misses the worker's cache, the rest hit it.
        assert w["flow_cache_misses"] >= 1, w
        assert w["flow_cache_hits"] + w["flow_cache_misses"] == 10, w
        # mod-flows: new actions, same rule, counters carry on.
        sydctl(sock, "mod-flows", "priority=100,in_port=p1,dl_dst=%s actions=output:p2" % m2)
        assert peer[1].send(m2, count=2) == 2
        assert got(peer) == {1: {}, 2: {(m1, m2): 2}, 3: {}}
        r = dump(sock)[(0, 100, "in_port=p1,dl_dst=%s" % m2)]
        assert (r["packets"], r["actions"]) == (12, "output:p2"), r
        sydctl(sock, "mod-flows", "priority=100,in_port=p1,dl_dst=%s actions=output:p3" % m2)
        code, _, err = sydctl(sock, "mod-flows", "priority=99,in_port=p1 actions=drop",
                              check=False)
        assert code != 0 and "no rule" in err, err

        # A higher-priority drop on IPv4 to 198.18.0.2 wins; counted as flow_drop.
        sydctl(sock, "add-flow", "priority=200,ip,nw_dst=198.18.0.2 actions=drop")
        assert peer[1].send(m2, count=7) == 7
        assert got(peer) == {1: {}, 2: {}, 3: {}}
        d = dump(sock)
        assert d[(0, 200, "ip,nw_dst=198.18.0.2")]["packets"] == 7
        assert d[(0, 100, "in_port=p1,dl_dst=%s" % m2)]["packets"] == 12
        assert drops(sock, "p1") == {"flow_drop": 7}, drops(sock, "p1")
        # The same, told by flow-trace without a packet.
        out = sydctl(sock, "flow-trace", "in_port=p1,dl_dst=%s,ip,nw_dst=198.18.0.2" % m2)[1]
        assert "priority=200,ip,nw_dst=198.18.0.2 actions=drop" in out, out
        assert "Final: dropped (flow_drop)" in out, out
        out = sydctl(sock, "trace", "in_port=p1,dl_dst=%s,ip,nw_dst=10.9.9.9" % m2)[1]
        assert "Final: output to p3" in out, out  # trace PACKET is flow-trace
        # A real packet's trace names the rule that dropped it.
        res = {}
        tracer = threading.Thread(target=lambda: res.update(out=sydctl(
            sock, "-o", "json", "trace", "--filter", "in_port=p1", "-n", "1")[1]))
        tracer.start()
        time.sleep(1.0)  # armed
        assert peer[1].send(m2) == 1
        tracer.join(30)
        pk = res["out"]["packets"]
        assert [(x["flow"], x["drop"]) for x in pk] == [("table=0,priority=200", "flow_drop")], pk
        got(peer)

        # del-flows --strict takes exactly one rule.
        sydctl(sock, "del-flows", "--strict", "priority=200,ip,nw_dst=198.18.0.2")
        assert list(dump(sock).keys()) == [(0, 100, "in_port=p1,dl_dst=%s" % m2)]

        # Rewrite and tag, then copy to two ports.
        sydctl(sock, "del-flows")
        assert dump(sock) == {}
        sydctl(sock, "add-flow", "priority=10,in_port=p1 actions=mod_dl_dst:%s,push_vlan:100,"
               "output:p3,output:p2" % m3)
        peer[3].cmd("frames")  # forget what it kept
        assert peer[1].send(m2, count=3) == 3
        time.sleep(0.3)
        frames = peer[3].cmd("frames")["frames"]
        assert got(peer) == {1: {}, 2: {(m1, m3): 3}, 3: {(m1, m3): 3}}
        assert len(frames) == 3, frames
        f = bytes.fromhex(frames[0])
        assert f[0:6] == bytes.fromhex(m3.replace(":", "")), frames[0]
        assert f[12:16] == bytes.fromhex("81000064"), frames[0]  # 802.1Q, VLAN 100
        assert f[16:18] == bytes.fromhex("0800"), frames[0]
        assert len(f) == FRAME + 4

        # A pipeline: table 0 sends p1's traffic to table 1, which knows only 3.
        sydctl(sock, "del-flows")
        sydctl(sock, "add-flow", "table=0,priority=10,in_port=p1 actions=goto_table:1")
        sydctl(sock, "add-flow", "table=1,priority=10,dl_dst=%s actions=normal" % m3)
        assert peer[1].send(m3, count=4) == 4
        assert peer[1].send(m2, count=6) == 6
        assert got(peer) == {1: {}, 2: {}, 3: {(m1, m3): 4}}
        d = dump(sock)
        assert d[(0, 10, "in_port=p1")]["packets"] == 10
        assert d[(1, 10, "dl_dst=%s" % m3)]["packets"] == 4
        assert drops(sock, "p1") == {"flow_drop": 8, "flow_table_miss": 6}
        # Traffic that no rule of table 0 matches is switched as before.
        assert peer[2].send(m3, count=2) == 2
        assert got(peer) == {1: {}, 2: {}, 3: {(m2, m3): 2}}

        # flood: every other port, even for a learned destination.
        sydctl(sock, "add-flow", "priority=10,in_port=p2 actions=flood")
        assert peer[2].send(m3, count=2) == 2
        assert got(peer) == {1: {(m2, m3): 2}, 2: {}, 3: {(m2, m3): 2}}

        # Bad rules are refused with a reason, and change nothing.
        before = dump(sock)
        for rule, why in (
                ("in_port=p9 actions=drop", "no port named 'p9'"),
                ("in_port=p1 actions=output:p9", "no port named 'p9'"),
                ("in_port=p1,color=red actions=drop", "color"),
                ("ip,nw_dst=10.0.0.1/8 actions=drop", "host bits"),
                ("in_port=p1 actions=drop,output:p2", "drop"),
                ("in_port=p1 actions=normal,flood", "twice")):
            code, out, err = sydctl(sock, "add-flow", rule, check=False)
            assert code != 0 and why in err, (rule, code, err)
        # A batch with one bad rule adds none of its good ones.
        ws_file = ws.path("batch.txt")
        with open(ws_file, "w") as fh:
            fh.write("priority=7,in_port=p3 actions=output:p1\n"
                     "priority=8,in_port=p3 actions=output:p7\n")
        code, _, err = sydctl(sock, "add-flows", ws_file, check=False)
        assert code != 0 and "p7" in err, err
        assert dump(sock).keys() == before.keys()
        info = sydctl(sock, "-o", "json", "show", "info")[1]["info"]
        assert info["flow_rules"] == len(before) and info["flow_memory"] > 0, info

        # Rules go with their port.
        sydctl(sock, "add-flow", "priority=50,in_port=p3 actions=output:p1")
        sydctl(sock, "del-port", "p3")
        left = dump(sock)
        assert all("p3" not in k[2] and "p3" not in r["actions"] for k, r in left.items()), left
        assert (0, 10, "in_port=p1") in left

        # Back to the L2 switch once the rules are gone.
        sydctl(sock, "del-flows")
        peer[1].clear()
        assert peer[2].send(m1, count=3) == 3
        assert peer[1].recv()[0] == {(m2, m1): 3}


def test_idle_timeout():
    with Workspace("flowidle") as ws:
        dp, sock = start(ws)
        peer = peers(ws, dp)
        sydctl(sock, "add-flow", "priority=5,idle_timeout=2,in_port=p1 actions=output:p3")
        sydctl(sock, "add-flow", "priority=6,in_port=p2 actions=output:p3")
        for _ in range(4):  # kept alive by traffic
            assert peer[1].send(MAC[2]) == 1
            time.sleep(1)
        assert (0, 5, "in_port=p1") in dump(sock)
        wait_for("the idle rule to go", lambda: (0, 5, "in_port=p1") not in dump(sock), 8)
        assert (0, 6, "in_port=p2") in dump(sock)
        assert "idled out" in dp.text()


def test_rules_survive_a_dataplane_restart():
    with Workspace("flowctl") as ws:
        dp, dp_sock = start(ws)
        sock = ws.path("control.sock")
        ctl = Control(ws, dp_sock, sock, ws.path("state"))
        wait_for("syd-control to connect", lambda: "adopted" in ctl.text())
        peer = peers(ws, dp)
        sydctl(sock, "add-flow", "priority=100,in_port=p1 actions=output:p3")
        assert peer[1].send(MAC[2], count=3) == 3
        assert got(peer) == {1: {}, 2: {}, 3: {(MAC[1], MAC[2]): 3}}
        # A refused rule leaves both the switch and syd-control's state as they were.
        code, _, err = sydctl(sock, "add-flow", "in_port=nope actions=drop", check=False)
        assert code != 0 and "nope" in err, err

        dp.kill9()
        for p in peer.values():
            p.stop()
        dp, _ = start(ws, name="dataplane2")
        wait_for("the rules to come back", lambda: "flow mods" in ctl.text(), 15)
        assert list(dump(sock).keys()) == [(0, 100, "in_port=p1")]
        peer = peers(ws, dp)
        assert peer[1].send(MAC[2], count=3) == 3
        assert got(peer) == {1: {}, 2: {}, 3: {(MAC[1], MAC[2]): 3}}


def test_yaml_flows_apply_and_diff():
    """config/examples/flows.yaml through syd-control: the rules steer real traffic, a
    second plan has nothing to do, and an edited file changes only its rules."""
    with Workspace("flowyaml") as ws:
        dp_sock, sock = ws.path("dp.sock"), ws.path("control.sock")
        dp = Dataplane(ws, extra=["--control", dp_sock])
        ctl = Control(ws, dp_sock, sock, ws.path("state"))
        wait_for("syd-control to connect", lambda: "adopted" in ctl.text())
        os.environ["SYD_RUN_DIR"] = ws.dir
        example = os.path.join(os.path.dirname(__file__), "../../config/examples/flows.yaml")
        text = open(example).read()
        sydctl(sock, "apply", example)
        assert sydctl(sock, "plan", example)[1].startswith("no changes")
        assert len(dump(sock)) == 4
        peer = {i: Peer(ws, "peer%d" % i, ws.path("vm%d.sock" % i), MAC[i]) for i in (1, 2, 3)}
        for i in (1, 2, 3):
            dp.wait_link("vm%d" % i, up=True)
        # vm2's traffic goes to vm1 through table 1 (tagged, then untagged), wherever it
        # was addressed.
        assert peer[2].send(BCAST, count=3) == 3
        time.sleep(0.3)
        frames = peer[1].cmd("frames")["frames"]
        assert got(peer) == {1: {(MAC[2], BCAST): 3}, 2: {}, 3: {}}
        assert all(bytes.fromhex(f)[12:14] == b"\x08\x00" for f in frames), frames
        d = dump(sock)
        assert d[(0, 50, "in_port=vm2")]["packets"] == 3
        assert d[(1, 10, "dl_vlan=10")]["packets"] == 3
        # vm1 is not steered: the L2 switch floods its broadcast in blue only.
        assert peer[1].send(BCAST, count=2) == 2
        assert got(peer) == {1: {}, 2: {(MAC[1], BCAST): 2}, 3: {}}

        # Drop the mirror rule from the file: the plan names it, apply removes only it.
        edited = ws.path("edited.yaml")
        with open(edited, "w") as fh:
            fh.write(text.replace('  - "priority=100,in_port=vm3,tcp,tp_dst=80 '
                                  'actions=output:vm1,normal"\n', ""))
        plan = sydctl(sock, "plan", edited)[1]
        assert "in_port=vm3" in plan and plan.count("flow") >= 1, plan
        sydctl(sock, "apply", edited)
        d = dump(sock)
        assert len(d) == 3 and (0, 100, "in_port=vm3,tcp,tp_dst=80") not in d, d
        assert d[(0, 50, "in_port=vm2")]["packets"] == 3, "counters kept across the apply"


def test_frames_keep_their_order():
    """One stream each way, its 8 flows split between output:PORT rules (odd UDP source
    ports) and the table miss (normal), both to the same port, in the same bursts:
    syd-bench --check-order finds no frame out of order.  (normal() gathers frames with
    the burst's last addresses into a run; every other send must queue that run first.)"""
    with Workspace("floword") as ws:
        dp, sock = start(ws)
        for k in (1, 3, 5, 7):
            sydctl(sock, "add-flow", "priority=100,in_port=p1,udp,tp_src=%d actions=output:p2"
                   % (1024 + k))
            sydctl(sock, "add-flow", "priority=100,in_port=p2,udp,tp_src=%d actions=output:p1"
                   % (1024 + k))
        r = subprocess.run(
            [BENCH, "stream", "--port", ws.path("p1.sock"), "--port", ws.path("p2.sock"),
             "--flows", "8", "--duration", "2", "--warmup", "1", "--check-order", "-o", "json",
             "--quiet", "--file-prefix", ws.prefix + "-gen", "--mem", "64"],
            capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        res = json.loads(r.stdout.strip().splitlines()[-1])
        assert res["rx_packets"] > 100000, res
        reordered = res["result"]["reordered"]
        assert reordered == 0, "%d of %d frames out of order" % (reordered, res["rx_packets"])
        # Half of what the switch received (warm-up included) went by the rules, the
        # other half by normal.
        by_rules = sum(row["packets"] for row in dump(sock).values())
        stats = {p["name"]: p for p in sydctl(sock, "-o", "json", "show", "stats")[1]["ports"]}
        received = stats["p1"]["rx_packets"] + stats["p2"]["rx_packets"]
        assert 0.4 * received < by_rules < 0.6 * received, (by_rules, received)


if __name__ == "__main__":
    run([test_rules_change_where_traffic_goes, test_idle_timeout,
         test_rules_survive_a_dataplane_restart, test_yaml_flows_apply_and_diff,
         test_frames_keep_their_order])

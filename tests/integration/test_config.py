#!/usr/bin/env python3
"""Overlay networks as code: YAML files through sydctl plan/apply and syd-control --config.

Part A needs only networks, ports and static MACs:
  plan on an empty switch lists everything, apply creates it, plan again says no changes;
  a changed file applies only its difference while traffic between two ports it does not
  touch flows without losing a frame; a bad file changes nothing (exit 2), nor does one the
  switch refuses (exit 1); syd-control --config at start and on SIGHUP, a bad reload
  keeping the old state.
Part B needs the dataplane's VNIs, flood lists and uplink (set-vni, add-vtep, set-uplink):
  the same for a file with a VTEP on a veth uplink, and a VNI change by SIGHUP.
"""
import json
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from sydtest import (BENCH, Control, Dataplane, Workspace, run, sydctl,  # noqa: E402
                     wait_for)


def setup(ws, config=None):
    """A dataplane and a syd-control (with --config when given); SYD_RUN_DIR is the
    workspace, for the files' ${SYD_RUN_DIR}."""
    os.environ["SYD_RUN_DIR"] = ws.dir
    dp_sock, sock = ws.path("dataplane.sock"), ws.path("control.sock")
    dp = Dataplane(ws, extra=["--control", dp_sock])
    extra = ["--config", config] if config else []
    ctl = Control(ws, dp_sock, sock, ws.path("state"), extra=extra)
    wait_for("syd-control to sync", lambda: "in sync" in ctl.text() or "adopted" in ctl.text())
    return dp, ctl, dp_sock, sock


def write(ws, name, text):
    path = ws.path(name)
    with open(path, "w") as f:
        f.write(text)
    return path


def show(sock):
    out = sydctl(sock, "-o", "json", "show")[1]
    macs = sydctl(sock, "-o", "json", "show", "macs")[1]["macs"]
    return {"ports": sorted((p["name"], p["kind"], p["network"], p["path"]) for p in out["ports"]),
            "networks": sorted(n["name"] for n in out["networks"]),
            "static": sorted((m["network"], m["mac"], m["port"]) for m in macs if m["is_static"])}


def plan_ops(sock, path):
    """sydctl -o json plan: the ops as (op, name, network) triples, and the change lines
    (those of ops, then those of static MACs that go with another change)."""
    out = sydctl(sock, "-o", "json", "plan", path)[1]
    return ([(o["op"], o["name"], o["network"]) for o in out["ops"]],
            [o["change"] for o in out["ops"] + out["implied"] if o["change"]])


def port_stats(sock):
    return {p["name"]: p for p in sydctl(sock, "-o", "json", "show", "stats")[1]["ports"]}


def vhost(name, network=None, mode="server"):
    text = ("  - name: %s\n    type: vhost-user\n    socket: ${SYD_RUN_DIR}/%s.sock\n"
            "    mode: %s\n" % (name, name, mode))
    return text + ("    network: %s\n" % network if network else "")


BASE = ("switch:\n  name: t\n"
        "networks:\n"
        "  - name: blue\n"
        "  - name: red\n"
        "    macs:\n"
        "      - {mac: '02:00:00:aa:00:01', port: x1}\n"
        "ports:\n" + vhost("vm1", "blue") + vhost("vm2", "blue") + vhost("x1", "red"))


# ---- part A: networks, ports, static MACs ----

def test_plan_apply_plan():
    with Workspace("cfgplan") as ws:
        dp, ctl, dp_sock, sock = setup(ws)
        # Something the file does not name: it goes.
        sydctl(sock, "add-network", "old")
        sydctl(sock, "add-port", "vm9", "vhost-server", ws.path("vm9.sock"), "--network", "old")
        cfg = write(ws, "t.yaml", BASE)
        code, out, err = sydctl(sock, "plan", cfg)
        lines = out.splitlines()
        d = ws.dir
        assert lines == [
            "+ network blue",
            "+ network red",
            "- port vm9",
            "+ port vm1: vhost-server %s/vm1.sock, in blue" % d,
            "+ port vm2: vhost-server %s/vm2.sock, in blue" % d,
            "+ port x1: vhost-server %s/x1.sock, in red" % d,
            "+ mac 02:00:00:aa:00:01 in red: behind port x1",
            "- network old",
            "(removed: not in %s, which is the switch's whole desired state)" % cfg,
            "Plan: 6 to add, 0 to change, 2 to remove (8 operations)",
        ], out
        assert show(sock)["networks"] == ["old"], "plan changed something"

        code, out, err = sydctl(sock, "apply", cfg)
        assert out.splitlines()[-1] == "Applied: 6 added, 0 changed, 2 removed (8 operations)", out
        assert show(sock) == {
            "ports": [("vm1", "vhost-server", "blue", d + "/vm1.sock"),
                      ("vm2", "vhost-server", "blue", d + "/vm2.sock"),
                      ("x1", "vhost-server", "red", d + "/x1.sock")],
            "networks": ["blue", "red"],
            "static": [("red", "02:00:00:aa:00:01", "x1")]}

        code, out, err = sydctl(sock, "plan", cfg)
        assert out == "no changes: the switch is as %s says\n" % cfg, out
        assert plan_ops(sock, cfg) == ([], [])
        # syd-control took the batch into its desired state: a restart sends nothing.
        ctl.stop()
        ctl2 = Control(ws, dp_sock, sock, ws.path("state"), name="control2")
        wait_for("resync", lambda: "in sync" in ctl2.text())
        assert "(0 changes sent)" in ctl2.text(), ctl2.text()


def test_change_applies_only_the_difference_under_traffic():
    """vm1 <-> vm2 stream at 50 kpps while three versions of the file are applied: every
    change is elsewhere (ports, networks, static MACs), and not one frame is lost."""
    with Workspace("cfgdiff") as ws:
        dp, ctl, dp_sock, sock = setup(ws)
        v1 = write(ws, "v1.yaml", BASE)
        sydctl(sock, "apply", v1)
        # v2: x1 moves to a new network (its static MAC goes), x2 arrives with a MAC.
        v2 = write(ws, "v2.yaml", BASE.replace(
            "  - name: red\n    macs:\n      - {mac: '02:00:00:aa:00:01', port: x1}\n",
            "  - name: red\n  - name: green\n    macs:\n"
            "      - {mac: '02:00:00:aa:00:02', port: x2}\n"
            "      - {mac: '02:00:00:aa:00:03', port: x1}\n").replace(
            vhost("x1", "red"), vhost("x1", "green") + vhost("x2", "green")))
        # v3: red goes, x1 and x2 leave their networks (their MACs go with them).
        v3 = write(ws, "v3.yaml", "switch:\n  name: t\nnetworks:\n  - name: blue\n"
                   "  - name: green\nports:\n" + vhost("vm1", "blue") + vhost("vm2", "blue") +
                   vhost("x1") + vhost("x2"))
        ops, lines = plan_ops(sock, v2)
        assert ops == [("add-network", "green", ""), ("attach", "x1", "green"),
                       ("add-port", "x2", "green"), ("add-mac", "x2", "green"),
                       ("add-mac", "x1", "green")], ops
        assert lines == [
            "+ network green",
            "~ port x1: attach to green (from red)",
            "+ port x2: vhost-server %s/x2.sock, in green" % ws.dir,
            "+ mac 02:00:00:aa:00:02 in green: behind port x2",
            "+ mac 02:00:00:aa:00:03 in green: behind port x1",
            "- mac 02:00:00:aa:00:01 in red (removed with port x1's change)"], lines

        gen = subprocess.Popen(
            [BENCH, "stream", "--port", ws.path("vm1.sock"), "--port", ws.path("vm2.sock"),
             "--rate", "50000", "--duration", "5", "--warmup", "0", "-o", "json", "--quiet",
             "--file-prefix", ws.prefix + "-gen", "--mem", "64"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            dp.wait_link("vm2", up=True)
            wait_for("traffic", lambda: port_stats(sock)["vm2"]["rx_packets"] > 1000)
            before = port_stats(sock)
            for path in (v2, v3, v1, v2):
                out = sydctl(sock, "apply", path)[1]
                assert out.startswith("Applied") or "Applied" in out, out
                assert "vm1" not in out and "vm2" not in out and "blue" not in out, out
            after = port_stats(sock)
            assert gen.poll() is None, "the stream ended before the changes did"
            out, err = gen.communicate(timeout=60)
        finally:
            if gen.poll() is None:
                gen.kill()
                gen.wait()
        assert gen.returncode == 0, err
        res = json.loads(out)
        assert res["tx_packets"] > 200000, res
        assert res["rx_packets"] == res["tx_packets"], \
            "lost %d of %d frames" % (res["tx_packets"] - res["rx_packets"], res["tx_packets"])
        # The ports were never recreated: their counters went on.
        for n in ("vm1", "vm2"):
            assert after[n]["rx_packets"] > before[n]["rx_packets"] > 0, (n, before[n], after[n])
        stats = port_stats(sock)
        for n in ("vm1", "vm2"):
            other = {k: v for k, v in stats[n]["drops"].items() if k != "flood_no_port"}
            assert other == {}, (n, stats[n]["drops"])
        assert sydctl(sock, "plan", v2)[1].startswith("no changes"), "v2 not reached"


def test_bad_file_changes_nothing():
    with Workspace("cfgbad") as ws:
        dp, ctl, dp_sock, sock = setup(ws)
        good = write(ws, "good.yaml", BASE)
        sydctl(sock, "apply", good)
        before = show(sock)
        cases = [
            ("syntax.yaml", "switch:\n  name: t\n   x: 1\n",
             "syntax.yaml:3:5: not valid YAML: mapping values are not allowed in this context"),
            ("key.yaml", BASE + "flood: []\n",
             "key.yaml:24:1: the file: unknown key 'flood' (expected switch, networks, ports, flows)"),
            ("ref.yaml", BASE.replace("port: x1}", "port: vm1}"),
             "ref.yaml:7:42: networks[1].macs[0].port: port 'vm1' is not in network 'red' (it "
             "is in network 'blue')"),
            ("vni.yaml", BASE.replace("  - name: blue\n", "  - name: blue\n    vni: 0\n"),
             "vni.yaml:5:10: networks[0].vni: 0 is not a VNI (1-16777215)"),
            ("env.yaml", BASE.replace("${SYD_RUN_DIR}/vm2", "${SYD_TEST_NOT_SET}/vm2"),
             "env.yaml:16:13: ports[1].socket: ${SYD_TEST_NOT_SET} is not set in the "
             "environment (set it, or give a default: ${SYD_TEST_NOT_SET:-VALUE})"),
            ("empty.yaml", "", "empty.yaml:1:1: the file is empty: expected a mapping with "
             "switch, networks and ports (see config/README.md)"),
        ]
        for name, text, want in cases:
            path = write(ws, name, text)
            for verb in ("plan", "apply"):
                code, out, err = sydctl(sock, verb, path, check=False)
                assert code == 2 and out == "", (verb, name, code, out, err)
                assert err == "sydctl: %s: %s/%s\n" % (verb, ws.dir, want), (verb, err)
        code, out, err = sydctl(sock, "apply", ws.path("missing.yaml"), check=False)
        assert code == 2 and "No such file" in err, (code, err)
        assert show(sock) == before
        # A good file the switch refuses (a socket directory that does not exist): the
        # batch is all or nothing, so the network it would add is not there either.
        refused = write(ws, "refused.yaml", BASE.replace("ports:\n", "  - name: new\nports:\n")
                        + vhost("bad", "new").replace("${SYD_RUN_DIR}/", "/nonexistent/dir/"))
        code, out, err = sydctl(sock, "apply", refused, check=False)
        assert code == 1, (code, out, err)
        assert "does not exist" in err and "nothing was changed" in err, err
        assert show(sock) == before
        assert dp.alive() and ctl.alive()


def test_control_config_at_start_and_sighup():
    with Workspace("cfghup") as ws:
        os.environ["SYD_RUN_DIR"] = ws.dir
        cfg = write(ws, "t.yaml", BASE)
        dp, ctl, dp_sock, sock = setup(ws, config=cfg)
        wait_for("the file's state", lambda: "in sync with the desired state (6 changes sent)"
                 in ctl.text())
        assert "desired state from %s: 2 networks, 3 ports, 1 static MACs" % cfg in ctl.text()
        want = show(sock)
        assert want["networks"] == ["blue", "red"] and len(want["ports"]) == 3, want
        assert os.path.exists(ws.path("state")), "the state file is not written"

        # Reload with a change: only the difference is sent (x1 moves, vm2 leaves blue).
        write(ws, "t.yaml", BASE.replace(vhost("x1", "red"), vhost("x1", "blue"))
              .replace(vhost("vm2", "blue"), vhost("vm2"))
              .replace("    macs:\n      - {mac: '02:00:00:aa:00:01', port: x1}\n", ""))
        os.kill(ctl.pid, signal.SIGHUP)
        line = "reload of %s: dataplane in sync with the desired state (2 changes sent)" % cfg
        wait_for("the reload", lambda: line in ctl.text())
        got = show(sock)
        assert [p[:3] for p in got["ports"]] == [("vm1", "vhost-server", "blue"),
                                                 ("vm2", "vhost-server", ""),
                                                 ("x1", "vhost-server", "blue")], got
        assert got["static"] == []

        # A bad file: logged with its place, and nothing changes.
        write(ws, "t.yaml", BASE.replace("name: red", "name: 'red net'"))
        os.kill(ctl.pid, signal.SIGHUP)
        bad = ("reload of %s failed, nothing changed: %s:5:11: networks[1].name: 'red net' is "
               "not a name: 1-24 letters, digits, '_' or '-'" % (cfg, cfg))
        wait_for("the bad reload", lambda: bad in ctl.text())
        assert show(sock) == got
        # A good file the dataplane refuses (no such socket directory): the previous state
        # stays, in syd-control and in the dataplane.
        write(ws, "t.yaml", BASE + vhost("bad", "red").replace("${SYD_RUN_DIR}/", "/nonexistent/"))
        os.kill(ctl.pid, signal.SIGHUP)
        back = ("reload of %s refused: back to the previous state: dataplane in sync with the "
                "desired state (0 changes sent)" % cfg)
        wait_for("the refused reload", lambda: back in ctl.text())
        assert "reload of %s: the dataplane refused it: " % cfg in ctl.text(), ctl.text()
        assert show(sock) == got
        # A reload with nothing new sends nothing.
        write(ws, "t.yaml", BASE.replace(vhost("x1", "red"), vhost("x1", "blue"))
              .replace(vhost("vm2", "blue"), vhost("vm2"))
              .replace("    macs:\n      - {mac: '02:00:00:aa:00:01', port: x1}\n", ""))
        os.kill(ctl.pid, signal.SIGHUP)
        wait_for("the empty reload", lambda: "reload of %s: dataplane in sync with the desired "
                 "state (0 changes sent)" % cfg in ctl.text())
        assert ctl.alive() and dp.alive()

        # The state file holds the last good reload: without --config, nothing to send.
        ctl.stop()
        ctl2 = Control(ws, dp_sock, sock, ws.path("state"), name="control2")
        wait_for("resync", lambda: "in sync" in ctl2.text())
        assert "(0 changes sent)" in ctl2.text(), ctl2.text()
        # And SIGHUP without --config is harmless.
        os.kill(ctl2.pid, signal.SIGHUP)
        wait_for("the notice", lambda: "no --config file to reload" in ctl2.text())
        assert ctl2.alive()


# ---- part B: VNIs, flood lists and the uplink (the dataplane's overlay support) ----

class Veth:
    """A veth pair in this namespace for an uplink, removed by name at the end."""

    def __init__(self, ws):
        self.a, self.b = "sydc%da" % (os.getpid() % 100000), "sydc%db" % (os.getpid() % 100000)
        subprocess.run(["ip", "link", "del", self.a], capture_output=True)
        subprocess.run(["ip", "link", "add", self.a, "type", "veth", "peer", "name", self.b],
                       check=True)
        for i in (self.a, self.b):
            subprocess.run(["ip", "link", "set", i, "up"], check=True)
        ws.track(self)

    def stop(self, timeout=None):
        subprocess.run(["ip", "link", "del", self.a], capture_output=True)

    def dump_log(self):
        pass


def overlay_file(uplink, red_vni=5002, extra_flood=""):
    return ("switch:\n  name: host-a\n"
            "  vtep: {address: 198.18.0.1, uplink: %s, mode: af_packet}\n"
            "networks:\n"
            "  - name: blue\n    vni: 5001\n    flood: [198.18.0.2]\n"
            "    macs:\n      - {mac: '02:00:00:bb:00:01', vtep: 198.18.0.2}\n"
            "  - name: red\n    vni: %d\n    flood: [198.18.0.2%s]\n"
            "ports:\n" % (uplink, red_vni, extra_flood)
            + vhost("vm1", "blue") + vhost("vm2", "red"))


def test_overlay_plan_apply():
    with Workspace("cfgovl") as ws:
        veth = Veth(ws)
        dp, ctl, dp_sock, sock = setup(ws)
        cfg = write(ws, "a.yaml", overlay_file(veth.a))
        ops, lines = plan_ops(sock, cfg)
        assert lines == [
            "+ network blue (vni 5001)",
            "+ network red (vni 5002)",
            "+ uplink %s: vtep 198.18.0.1, mode af_packet, UDP port 4789, MTU 1500 (VM frames "
            "up to 1450 bytes: VXLAN takes 50)" % veth.a,
            "+ network blue: flood to 198.18.0.2",
            "+ network red: flood to 198.18.0.2",
            "+ port vm1: vhost-server %s/vm1.sock, in blue" % ws.dir,
            "+ port vm2: vhost-server %s/vm2.sock, in red" % ws.dir,
            "+ mac 02:00:00:bb:00:01 in blue: behind vtep 198.18.0.2"], lines
        sydctl(sock, "apply", cfg)
        # The switch's dumps (VNIs, flood lists, uplink, MACs behind VTEPs) read back as
        # the file says.
        assert sydctl(sock, "plan", cfg)[1].startswith("no changes"), "not as the file says"
        # A VNI moves and a flood list grows: only that is sent.
        cfg2 = write(ws, "a2.yaml", overlay_file(veth.a, 5003, ", 198.18.0.3"))
        ops, lines = plan_ops(sock, cfg2)
        assert lines == ["~ network red: vni 5002 -> 5003",
                         "+ network red: flood to 198.18.0.3"], lines
        assert ops == [("set-vni", "red", ""), ("set-vni", "red", ""),
                       ("add-vtep", "", "red")], ops
        out = sydctl(sock, "apply", cfg2)[1]
        assert out.splitlines()[-1] == "Applied: 1 added, 1 changed, 0 removed (3 operations)"
        assert sydctl(sock, "plan", cfg2)[1].startswith("no changes")
        # Without a vtep, the uplink and every VNI go.
        ops, lines = plan_ops(sock, write(ws, "plain.yaml", BASE))
        assert "- uplink %s (vtep 198.18.0.1)" % veth.a in lines, lines


def test_overlay_config_and_sighup():
    with Workspace("cfgovlhup") as ws:
        veth = Veth(ws)
        os.environ["SYD_RUN_DIR"] = ws.dir
        cfg = write(ws, "a.yaml", overlay_file(veth.a))
        dp, ctl, dp_sock, sock = setup(ws, config=cfg)
        wait_for("the file's state", lambda: "changes sent" in ctl.text())
        assert "(10 changes sent)" in ctl.text(), ctl.text()
        write(ws, "a.yaml", overlay_file(veth.a, 5003))
        os.kill(ctl.pid, signal.SIGHUP)
        wait_for("the reload", lambda: "reload of %s: dataplane in sync with the desired state "
                 "(2 changes sent)" % cfg in ctl.text())
        assert sydctl(sock, "plan", cfg)[1].startswith("no changes")
        # Our own address in a flood list: refused with its place; the state stays.
        write(ws, "a.yaml", overlay_file(veth.a, 5003, ", 198.18.0.1"))
        os.kill(ctl.pid, signal.SIGHUP)
        wait_for("the bad reload", lambda: "%s:12:25: networks[1].flood[1]: 198.18.0.1 is this "
                 "switch's own VTEP" % cfg in ctl.text())
        write(ws, "a.yaml", overlay_file(veth.a, 5003))
        assert sydctl(sock, "plan", cfg)[1].startswith("no changes")


if __name__ == "__main__":
    run([test_plan_apply_plan, test_change_applies_only_the_difference_under_traffic,
         test_bad_file_changes_nothing, test_control_config_at_start_and_sighup,
         # part B: needs VNIs, flood lists and the uplink in the dataplane
         test_overlay_plan_apply, test_overlay_config_and_sighup])

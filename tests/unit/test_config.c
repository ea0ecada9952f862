/* SPDX-License-Identifier: BSD-3-Clause */
/* The YAML loader (config/) and config_to_state(): every example loads and builds a state;
 * every kind of bad file gets its exact error, with file:line:column; a file cut at any
 * byte neither crashes nor leaks (ASan checks at exit). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "config.h"
#include "config_state.h"
#include "flowtext.h"

#ifndef SYD_SOURCE_DIR
#define SYD_SOURCE_DIR "."
#endif
#define EXAMPLES SYD_SOURCE_DIR "/config/examples"

static char err[1024];

static struct syd_config *load(const char *text)
{
	struct syd_config *c = NULL;

	err[0] = '\0';
	if (config_load_buffer("t.yaml", text, strlen(text), &c, err, sizeof(err)) < 0)
		CU_ASSERT_PTR_NULL(c);
	return c;
}

/* text must be refused with exactly want. */
static void refused(const char *text, const char *want)
{
	struct syd_config *c = load(text);

	CU_ASSERT_PTR_NULL(c);
	if (strcmp(err, want) != 0) {
		fprintf(stderr, "\n  file:\n%.300s\n  want: %s\n  got:  %s\n", text, want, err);
		CU_FAIL("not the error expected");
	}
	config_free(c);
}

static uint32_t ip(const char *s)
{
	uint32_t a = 0;

	inet_pton(AF_INET, s, &a);
	return a;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* ---- good files ---- */

static void test_every_example_loads_and_builds_a_state(void)
{
	DIR *d = opendir(EXAMPLES);
	struct dirent *e;
	struct state s;
	int files = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	state_init(&s);
	while ((e = readdir(d)) != NULL) {
		char path[512];
		struct syd_config *c;
		size_t n = strlen(e->d_name);

		if (n < 5 || strcmp(e->d_name + n - 5, ".yaml") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", EXAMPLES, e->d_name);
		if (config_load_file(path, &c, err, sizeof(err)) != 0) {
			fprintf(stderr, "\n  %s\n", err);
			CU_FAIL("an example does not load");
			continue;
		}
		if (config_to_state(c, &s, err, sizeof(err)) != 0) {
			fprintf(stderr, "\n  %s\n", err);
			CU_FAIL("an example's state is refused");
		}
		CU_ASSERT_EQUAL(s.nnets, c->nnetworks);
		CU_ASSERT_EQUAL(s.nports, c->nports);
		config_free(c);
		files++;
	}
	closedir(d);
	CU_ASSERT(files >= 3);
	state_free(&s);
}

static void test_host_a_example_is_read_as_written(void)
{
	struct syd_config *c;
	struct state s;

	unsetenv("SYD_RUN_DIR");
	CU_ASSERT_EQUAL_FATAL(config_load_file(EXAMPLES "/host-a.yaml", &c, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(c->name, "host-a");
	CU_ASSERT_EQUAL(c->vtep.address, ip("198.18.0.1"));
	CU_ASSERT_STRING_EQUAL(c->vtep.uplink, "syd-a0");
	CU_ASSERT_EQUAL(c->vtep.mode, CONFIG_UPLINK_AUTO);
	CU_ASSERT_EQUAL(c->vtep.udp_port, 4789);
	CU_ASSERT_EQUAL(c->vtep.mtu, 1500);
	CU_ASSERT_EQUAL_FATAL(c->nnetworks, 2);
	CU_ASSERT_STRING_EQUAL(c->network[0].name, "blue");
	CU_ASSERT_EQUAL(c->network[0].vni, 5001);
	CU_ASSERT_EQUAL(c->network[1].vni, 5002);
	CU_ASSERT_EQUAL(c->network[0].nflood, 1);
	CU_ASSERT_EQUAL(c->network[0].flood[0], ip("198.18.0.2"));
	CU_ASSERT_EQUAL_FATAL(c->nports, 3);
	CU_ASSERT_EQUAL(c->port[0].type, CONFIG_PORT_VHOST_USER);
	CU_ASSERT_EQUAL(c->port[0].mode, CONFIG_VHOST_SERVER);
	CU_ASSERT_STRING_EQUAL(c->port[0].path, "/run/switchyard/vm1.sock");
	CU_ASSERT_STRING_EQUAL(c->port[1].network, "red");
	CU_ASSERT_STRING_EQUAL(c->port[2].name, "vm5"); /* the local path of tools/quickstart */
	CU_ASSERT_STRING_EQUAL(c->port[2].network, "blue");

	state_init(&s);
	CU_ASSERT_EQUAL(config_to_state(c, &s, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(s.uplink.ifname, "syd-a0");
	CU_ASSERT_EQUAL(s.uplink.addr, ip("198.18.0.1"));
	CU_ASSERT_EQUAL(s.uplink.mode, SYD_UPLINK_AUTO);
	CU_ASSERT_EQUAL(s.net[1].vni, 5002);
	CU_ASSERT_EQUAL(s.net[1].nvteps, 1);
	CU_ASSERT_EQUAL(s.port[0].kind, SYD_PORT_VHOST_SERVER);
	state_free(&s);
	config_free(c);

	/* host-b mirrors it. */
	CU_ASSERT_EQUAL_FATAL(config_load_file(EXAMPLES "/host-b.yaml", &c, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(c->vtep.address, ip("198.18.0.2"));
	CU_ASSERT_STRING_EQUAL(c->vtep.uplink, "syd-b0");
	CU_ASSERT_EQUAL(c->network[0].flood[0], ip("198.18.0.1"));
	config_free(c);
}

static void test_every_field_and_both_styles(void)
{
	static const char *const block = "switch:\n"
					 "  name: h_1\n"
					 "  vtep:\n"
					 "    address: 10.0.0.1\n"
					 "    uplink: eth1\n"
					 "    mode: af_packet\n"
					 "    udp_port: 8472\n"
					 "    mtu: 9000\n"
					 "networks:\n"
					 "  - name: blue\n"
					 "    vni: 16777215\n"
					 "    flood:\n"
					 "      - 10.0.0.2\n"
					 "      - 10.0.0.3\n"
					 "    macs:\n"
					 "      - mac: 02:00:00:00:00:0A\n"
					 "        port: vm1\n"
					 "      - mac: 02:00:00:00:00:0b\n"
					 "        vtep: 10.0.0.3\n"
					 "  - name: local   # no vni: stays on this host\n"
					 "ports:\n"
					 "  - name: vm1\n"
					 "    type: vhost-user\n"
					 "    socket: /run/a.sock\n"
					 "    mode: client\n"
					 "    network: blue\n"
					 "  - name: k1\n"
					 "    type: af_packet\n"
					 "    interface: eth2\n"
					 "    network: local\n"
					 "  - name: t1\n"
					 "    type: tap\n"
					 "    interface: \"syd-t1\"\n";
	static const char *const flow =
		"{switch: {name: h_1, vtep: {address: 10.0.0.1, uplink: eth1, mode: af_packet,\n"
		" udp_port: 8472, mtu: 9000}},\n"
		" networks: [{name: blue, vni: 16777215, flood: [10.0.0.2, 10.0.0.3],\n"
		"   macs: [{mac: '02:00:00:00:00:0A', port: vm1}, {mac: '02:00:00:00:00:0b',\n"
		"   vtep: 10.0.0.3}]}, {name: local}],\n"
		" ports: [{name: vm1, type: vhost-user, socket: /run/a.sock, mode: client,\n"
		"   network: blue}, {name: k1, type: af_packet, interface: eth2, network: local},\n"
		"   {name: t1, type: tap, interface: syd-t1}]}\n";
	const char *const texts[] = {block, flow};
	struct state s;
	int i;

	state_init(&s);
	for (i = 0; i < 2; i++) {
		struct syd_config *c = load(texts[i]);

		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT_EQUAL(c->vtep.mode, CONFIG_UPLINK_AF_PACKET);
		CU_ASSERT_EQUAL(c->vtep.udp_port, 8472);
		CU_ASSERT_EQUAL(c->vtep.mtu, 9000);
		CU_ASSERT_EQUAL(c->network[0].vni, 16777215);
		CU_ASSERT_EQUAL(c->network[0].nflood, 2);
		CU_ASSERT_EQUAL(c->network[0].nmacs, 2);
		CU_ASSERT_EQUAL(c->network[0].mac[0].mac[5], 0x0a);
		CU_ASSERT_STRING_EQUAL(c->network[0].mac[0].port, "vm1");
		CU_ASSERT_EQUAL(c->network[0].mac[1].vtep, ip("10.0.0.3"));
		CU_ASSERT_EQUAL(c->network[1].vni, 0);
		CU_ASSERT_EQUAL(c->port[0].mode, CONFIG_VHOST_CLIENT);
		CU_ASSERT_EQUAL(c->port[1].type, CONFIG_PORT_AF_PACKET);
		CU_ASSERT_STRING_EQUAL(c->port[2].path, "syd-t1");
		CU_ASSERT_STRING_EQUAL(c->port[2].network, "");
		CU_ASSERT_EQUAL(config_to_state(c, &s, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(s.nmacs, 2);
		CU_ASSERT_EQUAL(s.port[0].kind, SYD_PORT_VHOST_CLIENT);
		CU_ASSERT_EQUAL(s.uplink.mode, SYD_UPLINK_AF_PACKET);
		config_free(c);
	}
	/* Empty lists, and lists left empty, are fine. */
	config_free(load("switch: {name: a}\nnetworks: []\nports:\n"));
	CU_ASSERT_STRING_EQUAL(err, "");
	state_free(&s);
}

static void test_environment_variables_expand(void)
{
	struct syd_config *c;

	setenv("SYD_TEST_DIR", "/tmp/syd x", 1);
	setenv("SYD_TEST_EMPTY", "", 1);
	unsetenv("SYD_TEST_UNSET");
	c = load("switch: {name: \"n${SYD_TEST_EMPTY}1\"}\n"
		 "ports:\n"
		 "  - name: a\n"
		 "    type: vhost-user\n"
		 "    mode: server\n"
		 "    socket: ${SYD_TEST_DIR}/a.sock\n"
		 "  - name: b\n"
		 "    type: vhost-user\n"
		 "    mode: server\n"
		 "    socket: ${SYD_TEST_UNSET:-/run/d}/$${x}.sock\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->name, "n1");
	CU_ASSERT_STRING_EQUAL(c->port[0].path, "/tmp/syd x/a.sock");
	CU_ASSERT_STRING_EQUAL(c->port[1].path, "/run/d/${x}.sock");
	config_free(c);

	/* A set variable wins over the default; numbers expand too. */
	setenv("SYD_TEST_UNSET", "7", 1);
	c = load("switch: {name: a}\nnetworks:\n  - name: n\n    vni: ${SYD_TEST_UNSET:-9}\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->network[0].vni, 7);
	config_free(c);
	unsetenv("SYD_TEST_UNSET");

	refused("switch:\n  name: ${SYD_TEST_UNSET}\n",
		"t.yaml:2:9: switch.name: ${SYD_TEST_UNSET} is not set in the environment (set "
		"it, or give a default: ${SYD_TEST_UNSET:-VALUE})");
	refused("switch:\n  name: a${SYD_TEST_DIR\n",
		"t.yaml:2:9: switch.name: '${SYD_TEST_DIR' is not closed: expected "
		"${SYD_TEST_DIR} or ${SYD_TEST_DIR:-default}");
	refused("switch:\n  name: a${1A}\n", "t.yaml:2:9: switch.name: '${' must be followed by a "
					     "variable name (letters, digits "
					     "and '_'), in 'a${1A}'");
	refused("switch:\n  name: ${SYD_TEST_DIR}\n",
		"t.yaml:2:9: switch.name: '/tmp/syd x' is not a name: 1-24 letters, digits, '_' or "
		"'-'");
	unsetenv("SYD_TEST_DIR");
	unsetenv("SYD_TEST_EMPTY");
}

/* ---- bad files: one case per kind of mistake ---- */

#define SW   "switch:\n  name: a\n"
#define VTEP SW "  vtep: {address: 198.18.0.1, uplink: up0}\n"

static void test_yaml_errors(void)
{
	refused("", "t.yaml:1:1: the file is empty: expected a mapping with switch, networks and "
		    "ports (see config/README.md)");
	refused("# only a comment\n\n",
		"t.yaml:1:1: the file is empty: expected a mapping with switch, networks and "
		"ports (see config/README.md)");
	refused("switch:\n  name: a\n   nope: b\n",
		"t.yaml:3:8: not valid YAML: mapping values are not allowed in this context");
	refused("switch:\n\tname: a\n",
		"t.yaml:2:1: not valid YAML: found character that cannot start any token (while "
		"scanning for the next token at line 2, column 1)");
	refused("switch: {name: a\n",
		"t.yaml:2:1: not valid YAML: did not find expected ',' or '}' (while parsing a "
		"flow mapping at line 1, column 9)");
	refused("switch: {name: \"\xff\"}\n", "t.yaml:1:17: not valid YAML: invalid leading "
					      "UTF-8 octet");
	refused(SW "---\n" SW, "t.yaml:3:1: a second YAML document: one document per file");
	refused("switch: &s\n  name: a\n",
		"t.yaml:1:9: anchors (&s) and aliases are not supported: write the value out");
	refused("x: &a [1]\ny: [*a, *a]\n",
		"t.yaml:1:4: anchors (&a) and aliases are not supported: write the value out");
	refused("switch: *a\n",
		"t.yaml:1:9: aliases (*a) and anchors are not supported: write the value out");
	refused("switch:\n  name: !!str a\n",
		"t.yaml:2:9: YAML tags (!!str) are not supported: write the plain value");
	refused("? [a]\n: b\n", "t.yaml:1:3: a key must be a plain word, not a list");
	refused("x: [[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]\n",
		"t.yaml:1:19: nested deeper than 16 levels");
	refused("switch:\n  name: \"a\\0b\"\n",
		"t.yaml:2:9: switch.name: contains a NUL character");
}

static void test_schema_errors(void)
{
	/* Shapes: unknown and duplicate keys, wrong types, missing keys. */
	refused("- switch\n", "t.yaml:1:1: the file: expected a mapping with switch, networks and "
			      "ports, not a list");
	refused(SW "network: []\n", "t.yaml:3:1: the file: unknown key 'network' (expected switch, "
				    "networks, ports, flows)");
	refused(SW "  name: b\n", "t.yaml:3:3: switch: duplicate key 'name' (first at line 2)");
	refused("networks: []\n", "t.yaml:1:1: the file: missing 'switch' (a mapping with the "
				  "switch's name)");
	refused("switch: {}\n", "t.yaml:1:9: switch: missing 'name' (the switch's name, such as "
				"host-a)");
	refused("switch: [a]\n", "t.yaml:1:9: switch: expected a mapping (name, and optionally "
				 "vtep), not a list");
	refused("switch:\n  name: [a]\n", "t.yaml:2:9: switch.name: expected the switch's name, "
					  "not a list");
	refused("switch:\n  name:\n", "t.yaml:2:8: switch.name: expected the switch's name, not "
				      "nothing");
	refused(SW "networks:\n  name: blue\n",
		"t.yaml:4:3: networks: expected a list of networks, not a mapping");
	refused(SW "networks:\n  - blue\n",
		"t.yaml:4:5: networks[0]: expected a network (name, and optionally vni, flood, "
		"macs), not a single value");
	refused(SW "networks:\n  - {name: blue, color: red}\n",
		"t.yaml:4:18: networks[0]: unknown key 'color' (expected name, vni, flood, macs)");
	refused(SW "networks:\n  - {vni: 1}\n",
		"t.yaml:4:5: networks[0]: missing 'name' (the network's name)");
	refused(SW "ports:\n  - {name: p, type: tap, interface: t0, mtu: 9000}\n",
		"t.yaml:4:41: ports[0]: unknown key 'mtu' (expected name, type, socket, mode, "
		"interface, network)");
}

static void test_value_errors(void)
{
	refused("switch:\n  name: bad name\n",
		"t.yaml:2:9: switch.name: 'bad name' is not a name: 1-24 letters, digits, '_' or "
		"'-'");
	refused("switch:\n  name: abcdefghijklmnopqrstuvwxy\n",
		"t.yaml:2:9: switch.name: 'abcdefghijklmnopqrstuvwxy' is not a name: 1-24 "
		"letters, digits, '_' or '-'");
	refused(SW "  vtep: {address: 127.0.0.1, uplink: up0}\n",
		"t.yaml:3:19: switch.vtep.address: 127.0.0.1 cannot be a VTEP: not a unicast "
		"address (0/8, 127/8 and 224/3 are not)");
	refused(SW "  vtep: {address: 224.0.0.5, uplink: up0}\n",
		"t.yaml:3:19: switch.vtep.address: 224.0.0.5 cannot be a VTEP: not a unicast "
		"address (0/8, 127/8 and 224/3 are not)");
	refused(SW "  vtep: {address: 0.1.2.3, uplink: up0}\n",
		"t.yaml:3:19: switch.vtep.address: 0.1.2.3 cannot be a VTEP: not a unicast "
		"address (0/8, 127/8 and 224/3 are not)");
	refused(SW "  vtep: {address: 10.0.0.256, uplink: up0}\n",
		"t.yaml:3:19: switch.vtep.address: '10.0.0.256' is not an IPv4 address (a.b.c.d)");
	refused(SW "  vtep: {address: 10.0.0.1}\n",
		"t.yaml:3:9: switch.vtep: missing 'uplink' (the kernel interface VXLAN goes in and "
		"out of)");
	refused(SW "  vtep: {address: 10.0.0.1, uplink: eth/1}\n",
		"t.yaml:3:37: switch.vtep.uplink: 'eth/1' is not an interface name (1-15 bytes, no "
		"'/', ':' or spaces)");
	refused(SW "  vtep: {address: 10.0.0.1, uplink: abcdefghijklmnop}\n",
		"t.yaml:3:37: switch.vtep.uplink: 'abcdefghijklmnop' is not an interface name "
		"(1-15 bytes, no '/', ':' or spaces)");
	refused(SW "  vtep: {address: 10.0.0.1, uplink: e1, mode: xdp}\n",
		"t.yaml:3:47: switch.vtep.mode: 'xdp' is not an uplink mode: expected auto, af_xdp, "
		"af_packet, vhost-server or virtio-user");
	refused(SW "  vtep: {address: 10.0.0.1, uplink: e1, udp_port: 65536}\n",
		"t.yaml:3:51: switch.vtep.udp_port: 65536 is not a UDP port (1-65535)");
	refused(SW "  vtep: {address: 10.0.0.1, uplink: e1, mtu: 575}\n",
		"t.yaml:3:46: switch.vtep.mtu: 575 is not an underlay MTU (576-9000)");
	refused(SW "networks:\n  - name: blue\n    vni: 5001\n  - name: red\n    vni: 0\n",
		"t.yaml:7:10: networks[1].vni: 0 is not a VNI (1-16777215)");
	refused(SW "networks:\n  - {name: blue, vni: 16777216}\n",
		"t.yaml:4:23: networks[0].vni: 16777216 is not a VNI (1-16777215)");
	refused(SW "networks:\n  - {name: blue, vni: -1}\n",
		"t.yaml:4:23: networks[0].vni: -1 is not a VNI (1-16777215)");
	refused(SW "networks:\n  - {name: blue, vni: 0x10}\n",
		"t.yaml:4:23: networks[0].vni: 0x10 is not a VNI (1-16777215)");
	refused(SW "networks:\n  - {name: blue, vni: 010}\n",
		"t.yaml:4:23: networks[0].vni: 010 is not a VNI (1-16777215): write it without "
		"leading zeros");
	refused(SW "networks:\n  - {name: blue, vni: \"5001\"}\n",
		"t.yaml:4:23: networks[0].vni: \"5001\" is quoted text, not a VNI (1-16777215): "
		"write the number without quotes");
	refused(SW "networks:\n  - {name: blue, vni: 99999999999999999999}\n",
		"t.yaml:4:23: networks[0].vni: 99999999999999999999 is not a VNI (1-16777215)");
	refused(VTEP "networks:\n  - {name: blue, vni: 1, flood: 198.18.0.2}\n",
		"t.yaml:5:33: networks[0].flood: expected a list of remote VTEP addresses, not a "
		"single value");
	refused(VTEP "networks:\n  - {name: blue, vni: 1, flood: [198.18.0.2, 10.1]}\n",
		"t.yaml:5:46: networks[0].flood[1]: '10.1' is not an IPv4 address (a.b.c.d)");
	refused(VTEP "networks:\n  - name: b\n    vni: 1\n    macs:\n      - {mac: 2:0:0:0:0:1, "
		     "vtep: 198.18.0.2}\n",
		"t.yaml:8:15: networks[0].macs[0].mac: '2:0:0:0:0:1' is not a MAC address "
		"(xx:xx:xx:xx:xx:xx)");
	refused(VTEP "networks:\n  - name: b\n    vni: 1\n    macs:\n      - {mac: "
		     "00:00:00:00:00:00, port: p}\n",
		"t.yaml:8:15: networks[0].macs[0].mac: 00:00:00:00:00:00 is not a station's MAC "
		"address");
	refused(VTEP "networks:\n  - name: b\n    vni: 1\n    macs:\n      - {mac: "
		     "01:00:5e:00:00:01, port: p}\n",
		"t.yaml:8:15: networks[0].macs[0].mac: 01:00:5e:00:00:01 is a multicast MAC "
		"address, not a station's");
	refused(SW "ports:\n  - {name: p, type: vhost}\n",
		"t.yaml:4:21: ports[0].type: 'vhost' is not a port type: expected vhost-user, "
		"af_packet or tap");
	refused(SW "ports:\n  - {name: p, type: vhost-user, socket: /a.sock}\n",
		"t.yaml:4:5: ports[0]: missing 'mode' (server: the switch creates the socket, or "
		"client: QEMU does)");
	refused(SW "ports:\n  - {name: p, type: vhost-user, socket: /a.sock, mode: both}\n",
		"t.yaml:4:56: ports[0].mode: 'both' is not a vhost-user mode: expected server or "
		"client");
	refused(SW "ports:\n  - {name: p, type: vhost-user, socket: a.sock, mode: server}\n",
		"t.yaml:4:41: ports[0].socket: 'a.sock' is not an absolute path: give the socket's "
		"full path");
	refused(SW "ports:\n  - name: p\n    type: vhost-user\n    mode: server\n    socket: "
		   "/0123456789012345678901234567890123456789012345678901234567890123456789"
		   "0123456789012345678901234567890123456\n",
		"t.yaml:7:13: ports[0].socket: the path is 108 bytes; a Unix socket's has at most "
		"107");
	refused(SW "ports:\n  - {name: p, type: vhost-user, socket: /a, mode: server, interface: "
		   "e0}\n",
		"t.yaml:4:59: ports[0].interface: a vhost-user port has a socket, not an "
		"interface");
	refused(SW "ports:\n  - {name: p, type: tap, socket: /a}\n",
		"t.yaml:4:26: ports[0].socket: a tap port has an interface, not a socket");
	refused(SW "ports:\n  - {name: p, type: af_packet, interface: e0, mode: server}\n",
		"t.yaml:4:47: ports[0].mode: only vhost-user ports have a mode");
	refused(SW "ports:\n  - {name: p, type: af_packet}\n",
		"t.yaml:4:5: ports[0]: missing 'interface' (the kernel interface to attach)");
}

static void test_reference_errors(void)
{
	refused(SW "networks:\n  - name: blue\n  - name: blue\n",
		"t.yaml:5:11: networks[1].name: network 'blue' is defined twice (first at line 4)");
	refused(SW "networks:\n  - {name: blue, vni: 7}\n  - {name: red, vni: 7}\n",
		"t.yaml:5:22: networks[1].vni: VNI 7 is already network 'blue''s (line 4)");
	refused(SW "networks:\n  - {name: blue, flood: [198.18.0.2]}\n",
		"t.yaml:4:25: networks[0].flood: a flood list needs a vni: give network 'blue' "
		"one");
	refused(SW "networks:\n  - {name: blue, vni: 1, flood: [198.18.0.2]}\n",
		"t.yaml:4:33: networks[0].flood: remote VTEPs need switch.vtep (this switch's "
		"address and uplink)");
	refused(VTEP "networks:\n  - {name: blue, vni: 1, flood: [198.18.0.1]}\n",
		"t.yaml:5:34: networks[0].flood[0]: 198.18.0.1 is this switch's own VTEP "
		"(switch.vtep.address), not a remote one");
	refused(VTEP "networks:\n  - name: blue\n    vni: 1\n    flood:\n      - 198.18.0.2\n"
		     "      - 198.18.0.2\n",
		"t.yaml:9:9: networks[0].flood[1]: 198.18.0.2 is listed twice (first at line 8)");
	refused(SW "ports:\n  - {name: p, type: tap, interface: t0}\n"
		   "  - {name: p, type: tap, interface: t1}\n",
		"t.yaml:5:12: ports[1].name: port 'p' is defined twice (first at line 4)");
	refused(SW "ports:\n  - {name: p, type: tap, interface: t0}\n"
		   "  - {name: q, type: af_packet, interface: t0}\n",
		"t.yaml:5:43: ports[1].interface: t0 is already port 'p''s (line 4)");
	refused(SW "ports:\n  - {name: p, type: vhost-user, mode: server, socket: /s}\n"
		   "  - {name: q, type: vhost-user, mode: client, socket: /s}\n",
		"t.yaml:5:55: ports[1].socket: /s is already port 'p''s (line 4)");
	refused(VTEP "ports:\n  - {name: p, type: af_packet, interface: up0}\n",
		"t.yaml:5:43: ports[0].interface: up0 is the uplink (switch.vtep.uplink), not a "
		"port");
	refused(SW "ports:\n  - {name: p, type: tap, interface: t0, network: green}\n",
		"t.yaml:4:50: ports[0].network: there is no network 'green' in networks");
	refused(SW "networks:\n  - name: blue\n    macs:\n      - {mac: 02:00:00:00:00:01, port: "
		   "p}\n",
		"t.yaml:6:40: networks[0].macs[0].port: there is no port 'p' in ports");
	refused(SW "networks:\n  - name: blue\n    macs:\n      - {mac: 02:00:00:00:00:01, port: "
		   "p}\n  - name: red\nports:\n  - {name: p, type: tap, interface: t0, network: "
		   "red}\n",
		"t.yaml:6:40: networks[0].macs[0].port: port 'p' is not in network 'blue' (it is "
		"in network 'red')");
	refused(SW "networks:\n  - name: blue\n    macs:\n      - {mac: 02:00:00:00:00:01, port: "
		   "p}\nports:\n  - {name: p, type: tap, interface: t0}\n",
		"t.yaml:6:40: networks[0].macs[0].port: port 'p' is not in network 'blue' (it is "
		"in no network)");
	refused(VTEP "networks:\n  - name: blue\n    vni: 1\n    flood: [198.18.0.2]\n    macs:\n"
		     "      - {mac: 02:00:00:00:00:01, vtep: 198.18.0.3}\n",
		"t.yaml:9:40: networks[0].macs[0].vtep: 198.18.0.3 is not in network 'blue''s "
		"flood list");
	refused(VTEP "networks:\n  - name: blue\n    vni: 1\n    flood: [198.18.0.2]\n    macs:\n"
		     "      - {mac: 02:00:00:00:00:01, vtep: 198.18.0.2, port: p}\n",
		"t.yaml:9:52: networks[0].macs[0]: give port or vtep, not both");
	refused(VTEP "networks:\n  - name: blue\n    vni: 1\n    flood: [198.18.0.2]\n    macs:\n"
		     "      - {mac: 02:00:00:00:00:01, vtep: 198.18.0.2}\n"
		     "      - {mac: 02:00:00:00:00:02, vtep: 198.18.0.2}\n"
		     "      - {mac: 02:00:00:00:00:01, vtep: 198.18.0.2}\n",
		"t.yaml:11:9: networks[0].macs[2]: 02:00:00:00:00:01 is listed twice in network "
		"'blue' (first at line 9)");
}

/* Build a file of n items of a kind into a malloc'd string. */
static char *many(const char *head, const char *fmt, unsigned int n)
{
	size_t cap = strlen(head) + (size_t)n * 96 + 1, len;
	char *s = malloc(cap);
	unsigned int i;

	strcpy(s, head);
	len = strlen(s);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, fmt, i >> 8 & 0xff, i & 0xff);
	return s;
}

static void test_limits(void)
{
	struct syd_config *c;
	struct state s;
	char *text;

	state_init(&s);
	text = many(SW "networks:\n", "  - {name: n%u_%u}\n", CONFIG_MAX_NETWORKS);
	c = load(text);
	CU_ASSERT_PTR_NOT_NULL(c);
	CU_ASSERT_EQUAL(config_to_state(c, &s, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.nnets, CONFIG_MAX_NETWORKS);
	config_free(c);
	free(text);
	text = many(SW "networks:\n", "  - {name: n%u_%u}\n", CONFIG_MAX_NETWORKS + 1);
	refused(text, "t.yaml:68:5: networks[64]: at most 64 networks");
	free(text);

	text = many(SW "ports:\n", "  - {name: p%1$u_%2$u, type: tap, interface: t%1$u_%2$u}\n",
		    CONFIG_MAX_PORTS);
	c = load(text);
	CU_ASSERT_PTR_NOT_NULL(c);
	CU_ASSERT_EQUAL(config_to_state(c, &s, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.nports, CONFIG_MAX_PORTS);
	config_free(c);
	free(text);
	text = many(SW "ports:\n", "  - {name: p%1$u_%2$u, type: tap, interface: t%1$u_%2$u}\n",
		    CONFIG_MAX_PORTS + 1);
	refused(text, "t.yaml:36:5: ports[32]: at most 32 ports");
	free(text);

	text = many(VTEP "networks:\n  - name: b\n    vni: 1\n    flood:\n", "      - 10.0.%u.%u\n",
		    CONFIG_MAX_FLOOD + 1);
	refused(text, "t.yaml:72:9: networks[0].flood[64]: at most 64 remote VTEPs per network");
	free(text);

	/* Static MACs: the most the switch holds, then one more. */
	text = many(SW "ports:\n  - {name: p, type: tap, interface: t0, network: b}\nnetworks:\n"
		       "  - name: b\n    macs:\n",
		    "      - {mac: 02:00:00:00:%02x:%02x, port: p}\n", CONFIG_MAX_MACS);
	c = load(text);
	CU_ASSERT_PTR_NOT_NULL(c);
	if (c)
		CU_ASSERT_EQUAL(c->network[0].nmacs, CONFIG_MAX_MACS);
	config_free(c);
	free(text);
	text = many(SW "ports:\n  - {name: p, type: tap, interface: t0, network: b}\nnetworks:\n"
		       "  - name: b\n    macs:\n",
		    "      - {mac: 02:00:00:01:%02x:%02x, port: p}\n", CONFIG_MAX_MACS + 1);
	refused(text, "t.yaml:65544:9: networks[0].macs[65536]: more than 65536 static MAC "
		      "entries in the file");
	free(text);
	state_free(&s);
}

static void test_a_refused_op_names_its_item(void)
{
	struct syd_config *c =
		load(SW "networks:\n  - {name: blue, vni: 7}\n  - {name: red, vni: 8}\n");
	struct state s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	state_init(&s);
	/* A model the loader would not make: the state's own rules catch it, and the error
	 * points at the item that made the op. */
	c->network[1].vni = 7;
	CU_ASSERT_EQUAL(config_to_state(c, &s, err, sizeof(err)), -EEXIST);
	CU_ASSERT_STRING_EQUAL(err, "t.yaml:5:5: networks[1]: add-network: VNI 7 is network "
				    "'blue''s");
	CU_ASSERT_EQUAL(s.nnets, 0); /* unchanged */
	c->network[1].vni = 8;
	strcpy(c->network[1].name, "bad name");
	CU_ASSERT_EQUAL(config_to_state(c, &s, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "t.yaml:5:5: networks[1]: op 0 (add-network): name must be "
				    "1-24 letters, digits, '_' or '-'");
	CU_ASSERT_EQUAL(s.nnets, 0);
	strcpy(c->network[1].name, "red");
	CU_ASSERT_EQUAL(config_to_state(c, &s, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.nnets, 2);
	config_free(c);
	state_free(&s);
}

/* ---- an uplink with no kernel interface (vhost-server, virtio-user) ---- */

#define SOCKVTEP(rest) SW "  vtep:\n    address: 198.18.0.1\n    uplink: ul0\n" rest

static void test_socket_uplink_is_read_and_built(void)
{
	static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0xaa}, zero[6];
	struct syd_config *c;
	struct state s;

	c = load(SOCKVTEP("    mode: vhost-server\n    socket: /run/ul/u.sock\n"
			  "    mac: 02:00:00:00:00:aa\n    mtu: 1600\n"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->vtep.mode, CONFIG_UPLINK_VHOST_SERVER);
	CU_ASSERT_STRING_EQUAL(c->vtep.uplink, "ul0");
	CU_ASSERT_STRING_EQUAL(c->vtep.socket, "/run/ul/u.sock");
	CU_ASSERT_EQUAL(memcmp(c->vtep.mac, mac, 6), 0);
	CU_ASSERT_STRING_EQUAL(config_uplink_mode_name(c->vtep.mode), "vhost-server");
	state_init(&s);
	CU_ASSERT_EQUAL(config_to_state(c, &s, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.uplink.mode, SYD_UPLINK_VHOST_SERVER);
	CU_ASSERT_STRING_EQUAL(s.uplink.ifname, "ul0");
	CU_ASSERT_STRING_EQUAL(s.uplink.path, "/run/ul/u.sock");
	CU_ASSERT_EQUAL(memcmp(s.uplink.mac, mac, 6), 0);
	CU_ASSERT_EQUAL(s.uplink.mtu, 1600);
	CU_ASSERT_EQUAL(s.uplink.addr, ip("198.18.0.1"));
	config_free(c);
	state_free(&s);

	c = load(SOCKVTEP("    mode: virtio-user\n    socket: /run/ul/u.sock\n"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->vtep.mode, CONFIG_UPLINK_VIRTIO_USER);
	CU_ASSERT_EQUAL(memcmp(c->vtep.mac, zero, 6), 0); /* the switch makes one */
	state_init(&s);
	CU_ASSERT_EQUAL(config_to_state(c, &s, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.uplink.mode, SYD_UPLINK_VIRTIO_USER);
	CU_ASSERT_EQUAL(memcmp(s.uplink.mac, zero, 6), 0);
	config_free(c);
	state_free(&s);

	/* A kernel mode keeps no socket and no MAC. */
	c = load(VTEP);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->vtep.socket, "");
	state_init(&s);
	CU_ASSERT_EQUAL(config_to_state(c, &s, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(s.uplink.ifname, "up0");
	CU_ASSERT_STRING_EQUAL(s.uplink.path, "");
	config_free(c);
	state_free(&s);
}

static void test_socket_uplink_errors(void)
{
	refused(SOCKVTEP("    mode: vhost-server\n"),
		"t.yaml:4:5: switch.vtep: missing 'socket' (the vhost-user socket the switch "
		"listens on)");
	refused(SOCKVTEP("    mode: virtio-user\n"),
		"t.yaml:4:5: switch.vtep: missing 'socket' (the vhost-user socket the switch "
		"connects to)");
	refused(SOCKVTEP("    mode: vhost-server\n    socket: run/u.sock\n"),
		"t.yaml:7:13: switch.vtep.socket: 'run/u.sock' is not an absolute path: give the "
		"socket's full path");
	refused(SOCKVTEP("    socket: /run/u.sock\n"),
		"t.yaml:6:5: switch.vtep.socket: only modes vhost-server and virtio-user have a "
		"socket; mode auto uses interface ul0 as it is");
	refused(SOCKVTEP("    mode: af_xdp\n    mac: 02:00:00:00:00:01\n"),
		"t.yaml:7:5: switch.vtep.mac: only modes vhost-server and virtio-user have a MAC "
		"of their own; mode af_xdp uses interface ul0 as it is");
	refused(SOCKVTEP("    mode: vhost-server\n    socket: /run/u.sock\n"
			 "    mac: 01:00:5e:00:00:01\n"),
		"t.yaml:8:10: switch.vtep.mac: 01:00:5e:00:00:01 is a multicast MAC address, not "
		"a station's");
	refused(SW "  vtep: {address: 198.18.0.1, uplink: a/b, mode: virtio-user, socket: /s}\n",
		"t.yaml:3:39: switch.vtep.uplink: 'a/b' is not a name: 1-24 letters, digits, '_' "
		"or '-'");
	refused(SW "  vtep: {address: 198.18.0.1, uplink: abcdefghijklmnop, mode: virtio-user, "
		   "socket: /s}\n",
		"t.yaml:3:39: switch.vtep.uplink: 'abcdefghijklmnop' is longer than 15 characters");
	refused(SW "  vtep: {address: 198.18.0.1, mode: virtio-user, socket: /s}\n",
		"t.yaml:3:9: switch.vtep: missing 'uplink' (the uplink's name (1-15 letters, "
		"digits, '_' or '-'))");
	refused(SOCKVTEP("    mode: vhost-server\n    socket: /run/u.sock\n") "ports:\n"
		"  - {name: vm1, type: vhost-user, socket: /run/u.sock, mode: server}\n",
		"t.yaml:9:43: ports[0].socket: /run/u.sock is the uplink's socket "
		"(switch.vtep.socket), not a port's");
}

/* ---- flows ---- */

#define PORTS                                                                                      \
	SW "networks:\n  - {name: blue}\nports:\n"                                                 \
	   "  - {name: vm1, type: tap, interface: t1, network: blue}\n"                            \
	   "  - {name: vm2, type: tap, interface: t2, network: blue}\n"

/* text loads, and its state is refused with exactly want. */
static void state_refused(const char *text, int code, const char *want)
{
	struct syd_config *c = load(text);
	struct state s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	state_init(&s);
	CU_ASSERT_EQUAL(config_to_state(c, &s, err, sizeof(err)), code);
	if (strcmp(err, want) != 0) {
		fprintf(stderr, "\n  file:\n%.400s\n  want: %s\n  got:  %s\n", text, want, err);
		CU_FAIL("not the error expected");
	}
	CU_ASSERT_EQUAL(state_nflows(&s) + s.nports, 0); /* unchanged */
	config_free(c);
	state_free(&s);
}

static void test_flows_as_text_and_as_mappings(void)
{
	struct syd_config *c;
	struct state s;
	struct syd_flow want;
	const struct syd_flow *got;
	long i;

	setenv("SYD_TEST_PORT", "vm2", 1);
	c = load(PORTS "flows:\n"
		       "  - \"priority=200,network=blue,ip,nw_dst=10.1.0.9/32,tcp,tp_dst=22 "
		       "actions=drop\"\n"
		       "  - in_port=${SYD_TEST_PORT} actions=output:vm1\n"
		       "  - { priority: 200, match: { network: blue, ip_dst: 10.1.0.9/32, tcp_dst: 23 "
		       "}, actions: [drop] }\n"
		       "  - table: 1\n    priority: 7\n    cookie: 0x5\n    idle_timeout: 30\n"
		       "    match: {ip, udp, tp_src: 53, dl_vlan: 0xffff}\n"
		       "    actions: [\"encap(vtep=198.18.0.2,vni=5001)\", output:vm2]\n"
		       "  - {match: , actions: normal}\n");
	unsetenv("SYD_TEST_PORT");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL_FATAL(c->nflows, 5);
	CU_ASSERT_STRING_EQUAL(c->flow[1].text, "in_port=vm2 actions=output:vm1");
	CU_ASSERT_STRING_EQUAL(c->flow[2].text, "priority=200,network=blue,ip_dst=10.1.0.9/32,"
						"tcp_dst=23 actions=drop");
	CU_ASSERT_STRING_EQUAL(c->flow[3].text,
			       "table=1,priority=7,cookie=0x5,idle_timeout=30,ip,udp,tp_src=53,"
			       "dl_vlan=0xffff actions=encap(vtep=198.18.0.2,vni=5001),output:vm2");
	CU_ASSERT_STRING_EQUAL(c->flow[4].text, " actions=normal");
	CU_ASSERT_EQUAL(c->flow[3].pos.line, 12);
	CU_ASSERT_EQUAL(c->flow[3].pos.col, 5);
	state_init(&s);
	CU_ASSERT_EQUAL_FATAL(config_to_state(c, &s, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(state_nflows(&s), 5);
	CU_ASSERT_EQUAL_FATAL(flowtext_parse("table=1,priority=7,udp,tp_src=53,dl_vlan=0xffff "
					     "actions=drop",
					     &want, err, sizeof(err)),
			      0);
	i = flowset_find(&s.flows, &want);
	CU_ASSERT_TRUE_FATAL(i >= 0);
	got = &s.flows.rec[i]->flow;
	CU_ASSERT_EQUAL(got->cookie, 5);
	CU_ASSERT_EQUAL(got->idle_timeout, 30);
	CU_ASSERT_EQUAL(got->nactions, 2);
	CU_ASSERT_EQUAL(got->action[0].type, SYD_FA_ENCAP);
	config_free(c);
	state_free(&s);
}

static void test_flow_errors_name_file_line_column(void)
{
	/* the loader's */
	refused(PORTS "flows: {a: 1}\n",
		"t.yaml:8:8: flows: expected a list of flow rules, not a mapping");
	refused(PORTS "flows:\n  - [a]\n",
		"t.yaml:9:5: flows[0]: expected a flow rule (a string such as \"priority=200,ip "
		"actions=drop\", or a mapping with match and actions), not a list");
	refused(PORTS "flows:\n  - {priority: 1}\n",
		"t.yaml:9:5: flows[0]: missing 'actions' (such as [output:vm2], or [drop])");
	refused(PORTS "flows:\n  - {priority: 1, action: [drop]}\n",
		"t.yaml:9:19: flows[0]: unknown key 'action' (expected table, priority, cookie, "
		"idle_timeout, match, actions)");
	refused(PORTS "flows:\n  - {match: [ip], actions: [drop]}\n",
		"t.yaml:9:13: flows[0]: expected a mapping of fields (such as {ip: null, nw_dst: "
		"10.1.0.9}), not a list");
	refused(PORTS "flows:\n  - {actions: []}\n",
		"t.yaml:9:15: flows[0]: no actions: say [drop] to drop");
	refused(PORTS "flows:\n  - {actions: [[drop]]}\n",
		"t.yaml:9:16: flows[0]: expected an action (such as output:vm2), not a list");
	refused(PORTS "flows:\n  - \"in_port=${NOPE_NOT_SET} actions=drop\"\n",
		"t.yaml:9:5: flows[0]: ${NOPE_NOT_SET} is not set in the environment (set it, or "
		"give a default: ${NOPE_NOT_SET:-VALUE})");
	/* the parser's and the state's, at the rule */
	state_refused(PORTS "flows:\n  - priority=1 actions=drop\n"
			    "  - ip,nw_dst=10.1.0.300 actions=drop\n",
		      -EINVAL,
		      "t.yaml:10:5: flows[1]: nw_dst=10.1.0.300: not an IPv4 address (A.B.C.D, or "
		      "A.B.C.D/LEN)");
	state_refused(PORTS "flows:\n  - {match: {tp_dst: 22}, actions: [drop]}\n", -EINVAL,
		      "t.yaml:9:5: flows[0]: tp_dst needs tcp, udp or sctp");
	state_refused(PORTS "flows:\n  - in_port=vm9 actions=drop\n", -ENOENT,
		      "t.yaml:9:5: flows[0]: add: in_port: no port named 'vm9'");
	state_refused(PORTS "flows:\n  - actions=normal,flood\n", -EINVAL,
		      "t.yaml:9:5: flows[0]: flood: conflicts with normal (the packet would go out "
		      "twice)");
	state_refused(PORTS "flows:\n  - priority=5,ip actions=drop\n  - ip,priority=4 actions=drop\n"
			    "  - ip,priority=5 actions=normal\n",
		      -EEXIST,
		      "t.yaml:11:5: flows[2]: the same table, priority and match as flows[0] (line "
		      "9): one rule each");
}

static void test_files_that_cannot_be_read(void)
{
	struct syd_config *c = (void *)1;

	CU_ASSERT_EQUAL(config_load_file("/nonexistent/x.yaml", &c, err, sizeof(err)), -ENOENT);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_STRING_EQUAL(err, "cannot read /nonexistent/x.yaml: No such file or directory");
	CU_ASSERT_EQUAL(config_load_file("/", &c, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "/: not a regular file");
}

/* Every prefix of a good file: an error or a model, never a crash or a leak. */
static void cut_everywhere(const char *text, size_t len)
{
	struct state s;
	size_t n;
	int ok = 0;

	state_init(&s);
	for (n = 0; n <= len; n++) {
		struct syd_config *c = NULL;
		char *copy = malloc(n ? n : 1); /* exactly n bytes: ASan sees any overread */

		memcpy(copy, text, n);
		if (config_load_buffer("cut.yaml", copy, n, &c, err, sizeof(err)) == 0) {
			ok++;
			config_to_state(c, &s, err, sizeof(err));
			config_free(c);
		} else {
			CU_ASSERT_PTR_NULL(c);
			CU_ASSERT(strncmp(err, "cut.yaml:", 9) == 0);
		}
		free(copy);
	}
	CU_ASSERT(ok > 0);
	state_free(&s);
}

static void test_truncated_files_neither_crash_nor_leak(void)
{
	static const char *const rich =
		"switch:\n  name: h\n  vtep: {address: 10.0.0.1, uplink: e1, mtu: 9000}\n"
		"networks:\n  - name: blue\n    vni: 5\n    flood: [10.0.0.2, \"10.0.0.3\"]\n"
		"    macs:\n      - {mac: 02:00:00:00:00:01, port: vm1}\n"
		"      - mac: '02:00:00:00:00:02'\n        vtep: 10.0.0.2\n"
		"ports:\n  - name: vm1\n    type: vhost-user\n    socket: \"${HOME:-/x}/a.sock\"\n"
		"    mode: server\n    network: blue\n  - {name: t, type: tap, interface: t0}\n";
	const char *const files[] = {"host-a.yaml", "host-b.yaml", "single-host.yaml",
				     "flows.yaml"};
	unsigned int i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[512];
		size_t len;
		char *text;

		snprintf(path, sizeof(path), "%s/%s", EXAMPLES, files[i]);
		text = read_all(path, &len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(text);
		cut_everywhere(text, len);
		free(text);
	}
	cut_everywhere(rich, strlen(rich));
}

int main(void)
{
	CU_pSuite s;
	unsigned int failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("config", NULL, NULL);
	CU_add_test(s, "every_example_loads_and_builds_a_state",
		    test_every_example_loads_and_builds_a_state);
	CU_add_test(s, "host_a_example_is_read_as_written", test_host_a_example_is_read_as_written);
	CU_add_test(s, "every_field_and_both_styles", test_every_field_and_both_styles);
	CU_add_test(s, "environment_variables_expand", test_environment_variables_expand);
	CU_add_test(s, "yaml_errors", test_yaml_errors);
	CU_add_test(s, "schema_errors", test_schema_errors);
	CU_add_test(s, "value_errors", test_value_errors);
	CU_add_test(s, "reference_errors", test_reference_errors);
	CU_add_test(s, "limits", test_limits);
	CU_add_test(s, "a_refused_op_names_its_item", test_a_refused_op_names_its_item);
	CU_add_test(s, "socket_uplink_is_read_and_built", test_socket_uplink_is_read_and_built);
	CU_add_test(s, "socket_uplink_errors", test_socket_uplink_errors);
	CU_add_test(s, "flows_as_text_and_as_mappings", test_flows_as_text_and_as_mappings);
	CU_add_test(s, "flow_errors_name_file_line_column", test_flow_errors_name_file_line_column);
	CU_add_test(s, "files_that_cannot_be_read", test_files_that_cannot_be_read);
	CU_add_test(s, "truncated_files_neither_crash_nor_leak",
		    test_truncated_files_neither_crash_nor_leak);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}

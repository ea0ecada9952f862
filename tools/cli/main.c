/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sydctl: the command line of Switchyard, in the style of ovs-vsctl and vppctl.
 *
 * It speaks the wire protocol (control/proto.h) to syd-control, or straight to a
 * dataplane's control socket.  Exit codes: 0 done; 1 the switch refused (its reason is
 * printed); 2 a usage error (nothing was sent); 3 the socket could not be reached.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "display.h"
#include "drop.h"
#include "proto.h"
#include "cli.h"

struct verb {
	const char *name;
	const char *args;
	const char *help;
	const char *example;
	int min_args, max_args;
	int (*fn)(struct ctx *x, int argc, char **argv);
};

static const struct verb verbs[];

int cmd_plan(struct ctx *x, int argc, char **argv);  /* apply.c */
int cmd_apply(struct ctx *x, int argc, char **argv); /* apply.c */

int cli_usage_error(struct ctx *x, const char *fmt, const char *arg)
{
	fprintf(stderr, "sydctl: %s: ", x->verb);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see sydctl %s --help)\n", x->verb);
	return EXIT_USAGE;
}

static int connect_ctx(struct ctx *x)
{
	char err[512];

	if (x->connected)
		return 0;
	if (syd_client_connect(&x->c, x->socket, "sydctl " SYD_VERSION, x->timeout_ms, err,
			       sizeof(err)) < 0) {
		fprintf(stderr, "sydctl: %s\n", err);
		return EXIT_NOREACH;
	}
	x->connected = true;
	return 0;
}

/* Send a request; on_reply gets the reply messages.  @return an exit code. */
int cli_request(struct ctx *x, uint16_t type, struct proto_buf *body,
		   int (*on_reply)(const struct syd_hdr *, void *), void *arg)
{
	struct proto_buf b = {0};
	char err[SYD_PROTO_TEXT_MAX];
	int ret;

	ret = connect_ctx(x);
	if (ret)
		return ret;
	if (body == NULL) {
		proto_begin(&b, type, 0);
		body = &b;
	}
	ret = syd_client_request(&x->c, body, x->timeout_ms, on_reply, arg, err, sizeof(err));
	proto_buf_free(&b);
	if (ret == -EPIPE || ret == -ETIMEDOUT || ret == -EBADMSG || ret == -ENOTCONN) {
		fprintf(stderr, "sydctl: %s: %s\n", x->verb, err);
		return EXIT_NOREACH;
	}
	if (ret < 0) {
		fprintf(stderr, "sydctl: %s: %s\n", x->verb, err);
		return EXIT_REFUSED;
	}
	return 0;
}

static int collect(const struct syd_hdr *h, void *arg)
{
	struct entries *e = arg;
	size_t n = (h->length - sizeof(*h)) / e->size;

	if (h->type != e->type)
		return 0;
	if (e->n + n > MAX_ENTRIES)
		return -E2BIG;
	e->data = realloc(e->data, (e->n + n) * e->size);
	if (e->data == NULL)
		return -ENOMEM;
	memcpy(e->data + e->n * e->size, proto_body(h), n * e->size);
	e->n += n;
	return 0;
}

int cli_dump(struct ctx *x, uint16_t req, uint16_t type, size_t size, struct entries *e)
{
	*e = (struct entries){.type = type, .size = size};
	return cli_request(x, req, NULL, collect, e);
}

void cli_mac_text(char *buf, const uint8_t *m)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static int cmd_clear_stats(struct ctx *x, int argc, char **argv)
{
	if (argc == 0)
		return cli_request(x, SYD_MSG_CLEAR_STATS, NULL, NULL, NULL);
	if (strcmp(argv[0], "workers") == 0)
		return cli_request(x, SYD_MSG_CLEAR_WORKER_STATS, NULL, NULL, NULL);
	return cli_usage_error(x, "'%s': clear everything, or only workers", argv[0]);
}

/* ---- changes: one batch each ---- */

int cli_check_name(struct ctx *x, const char *what, const char *name)
{
	char field[SYD_PROTO_NAME_LEN] = {0};

	if (strlen(name) >= sizeof(field) || (strcpy(field, name), !proto_name_ok(field, sizeof(field)))) {
		fprintf(stderr,
			"sydctl: %s: %s '%s' must be 1-%d letters, digits, '_' or '-' (see sydctl "
			"%s --help)\n",
			x->verb, what, name, SYD_PROTO_NAME_MAX, x->verb);
		return EXIT_USAGE;
	}
	return 0;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Exactly xx:xx:xx:xx:xx:xx (either case); sscanf's %x would also take " 2", "+2", "0x2". */
int cli_parse_mac(const char *s, uint8_t *mac)
{
	int i, hi, lo;

	for (i = 0; i < 6; i++, s += 3) {
		hi = hex_digit(s[0]);
		lo = hi < 0 ? -1 : hex_digit(s[1]);
		if (lo < 0 || s[2] != (i < 5 ? ':' : '\0'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int cli_send_op(struct ctx *x, const struct syd_op *op)
{
	struct proto_buf b = {0};
	char err[SYD_PROTO_TEXT_MAX];
	struct syd_hdr *h;
	int ret;

	proto_begin(&b, SYD_MSG_BATCH, 0);
	proto_batch_add(&b, op);
	h = proto_finish(&b);
	/* The same check the switch runs: say what is wrong without a round trip. */
	if (proto_check(h, h->length, err, sizeof(err)) < 0) {
		proto_buf_free(&b);
		fprintf(stderr, "sydctl: %s: %s (see sydctl %s --help)\n", x->verb,
			strstr(err, ": ") ? strstr(err, ": ") + 2 : err, x->verb);
		return EXIT_USAGE;
	}
	ret = cli_request(x, SYD_MSG_BATCH, &b, NULL, NULL);
	proto_buf_free(&b);
	return ret;
}

static int cmd_del_network(struct ctx *x, int argc, char **argv)
{
	struct syd_op op = proto_op(SYD_OP_NET_DEL, NULL, NULL);

	(void)argc;
	if (cli_check_name(x, "network", argv[0]))
		return EXIT_USAGE;
	strcpy(op.name, argv[0]);
	return cli_send_op(x, &op);
}

static int cmd_add_port(struct ctx *x, int argc, char **argv)
{
	struct syd_op op = proto_op(SYD_OP_PORT_ADD, NULL, NULL);
	char path[PATH_MAX + SYD_PROTO_PATH_LEN + 2];
	const char *where = argv[2];
	int i;

	if (cli_check_name(x, "port", argv[0]))
		return EXIT_USAGE;
	strcpy(op.name, argv[0]);
	op.kind = (uint16_t)proto_port_kind_parse(argv[1]);
	if (op.kind == 0)
		return cli_usage_error(x, "'%s' is not a port type: vhost-server, vhost-client, "
				      "af_packet or tap", argv[1]);
	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--network") == 0 && i + 1 < argc) {
			if (cli_check_name(x, "network", argv[++i]))
				return EXIT_USAGE;
			strcpy(op.network, argv[i]);
		} else {
			return cli_usage_error(x, "unexpected '%s'", argv[i]);
		}
	}
	/* A relative socket path means one in the current directory, as the user sees it. */
	if ((op.kind == SYD_PORT_VHOST_SERVER || op.kind == SYD_PORT_VHOST_CLIENT) &&
	    where[0] != '/') {
		char cwd[PATH_MAX];

		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return cli_usage_error(x, "give an absolute socket path, not '%s'", where);
		snprintf(path, sizeof(path), "%s/%s", cwd, where);
		where = path;
	}
	if (strlen(where) >= sizeof(op.path))
		return cli_usage_error(x, "'%s' is too long: Unix socket paths have at most 107 bytes",
				   where);
	strcpy(op.path, where);
	return cli_send_op(x, &op);
}

static int cmd_del_port(struct ctx *x, int argc, char **argv)
{
	struct syd_op op = proto_op(SYD_OP_PORT_DEL, NULL, NULL);

	(void)argc;
	if (cli_check_name(x, "port", argv[0]))
		return EXIT_USAGE;
	strcpy(op.name, argv[0]);
	return cli_send_op(x, &op);
}

static int cmd_attach(struct ctx *x, int argc, char **argv)
{
	struct syd_op op = proto_op(SYD_OP_ATTACH, NULL, NULL);

	(void)argc;
	if (cli_check_name(x, "port", argv[0]) || cli_check_name(x, "network", argv[1]))
		return EXIT_USAGE;
	strcpy(op.name, argv[0]);
	strcpy(op.network, argv[1]);
	return cli_send_op(x, &op);
}

static int cmd_detach(struct ctx *x, int argc, char **argv)
{
	struct syd_op op = proto_op(SYD_OP_DETACH, NULL, NULL);

	(void)argc;
	if (cli_check_name(x, "port", argv[0]))
		return EXIT_USAGE;
	strcpy(op.name, argv[0]);
	return cli_send_op(x, &op);
}

static int cmd_flush_macs(struct ctx *x, int argc, char **argv)
{
	struct syd_op op = proto_op(SYD_OP_MAC_FLUSH, NULL, NULL);

	if (argc > 0) {
		if (cli_check_name(x, "network", argv[0]))
			return EXIT_USAGE;
		strcpy(op.network, argv[0]);
	}
	return cli_send_op(x, &op);
}

static int cmd_add_mac(struct ctx *x, int argc, char **argv)
{
	struct syd_op op = proto_op(SYD_OP_MAC_ADD, NULL, NULL);

	struct in_addr vtep;

	(void)argc;
	if (inet_pton(AF_INET, argv[2], &vtep) == 1)
		op.addr = vtep.s_addr; /* behind a remote VTEP */
	else if (cli_check_name(x, "port", argv[2]))
		return EXIT_USAGE;
	else
		strcpy(op.name, argv[2]);
	if (cli_check_name(x, "network", argv[0]))
		return EXIT_USAGE;
	if (cli_parse_mac(argv[1], op.mac) < 0)
		return cli_usage_error(x, "'%s' is not a MAC address (xx:xx:xx:xx:xx:xx)", argv[1]);
	strcpy(op.network, argv[0]);
	return cli_send_op(x, &op);
}

static int cmd_del_mac(struct ctx *x, int argc, char **argv)
{
	struct syd_op op = proto_op(SYD_OP_MAC_DEL, NULL, NULL);

	(void)argc;
	if (cli_check_name(x, "network", argv[0]))
		return EXIT_USAGE;
	if (cli_parse_mac(argv[1], op.mac) < 0)
		return cli_usage_error(x, "'%s' is not a MAC address (xx:xx:xx:xx:xx:xx)", argv[1]);
	strcpy(op.network, argv[0]);
	return cli_send_op(x, &op);
}

static const struct verb verbs[] = {
	{"show", "[ports|networks|macs|stats|drops|workers|info|uplink|vteps]",
	 "Show the switch: with no argument its info, ports and networks; or one part.\n"
	 "stats: counters per port with drops by reason, and per network; drops: the\n"
	 "non-zero drop counters with what each reason means; workers: busy and idle\n"
	 "cycles and busy cycles per packet per worker lcore.",
	 "sydctl show stats", 0, 1, cmd_show},
	{"add-port", "NAME TYPE PATH [--network NETWORK]",
	 "Add a port.  TYPE: vhost-server (the switch creates the socket PATH; QEMU\n"
	 "connects), vhost-client (QEMU created PATH with server=on; the switch connects\n"
	 "and reconnects), af_packet (PATH is a kernel interface), tap (PATH is the name\n"
	 "of a tap interface the switch creates).",
	 "sydctl add-port vm1 vhost-server /run/switchyard/vm1.sock --network blue", 3, 5,
	 cmd_add_port},
	{"del-port", "NAME", "Delete a port (its MAC entries go with it).", "sydctl del-port vm1",
	 1, 1, cmd_del_port},
	{"add-network", "NAME [--vni VNI]",
	 "Create a network: an L2 broadcast domain with its own MAC table.  With a VNI\n"
	 "(1-16777215) it can span hosts: VXLAN to the remote VTEPs of its flood list.",
	 "sydctl add-network blue --vni 5001", 1, 3, cmd_add_network},
	{"set-vni", "NETWORK VNI", "Change a network's VNI (0: the network stays on this host).",
	 "sydctl set-vni blue 5002", 2, 2, cmd_set_vni},
	{"add-vtep", "NETWORK A.B.C.D",
	 "Add a remote VTEP to a network's flood list: broadcast, multicast and unknown\n"
	 "unicast are replicated to it, and VXLAN from it is accepted for the network.",
	 "sydctl add-vtep blue 198.18.0.2", 2, 2, cmd_add_vtep},
	{"del-vtep", "NETWORK A.B.C.D", "Take a remote VTEP out of a network's flood list.",
	 "sydctl del-vtep blue 198.18.0.2", 2, 2, cmd_del_vtep},
	{"set-uplink", "IFNAME|NAME --vtep A.B.C.D [--mode auto|af_xdp|af_packet|vhost-server|"
		       "virtio-user] [--path SOCKET] [--mac MAC] [--udp-port N] [--mtu N]",
	 "Tunnel through kernel interface IFNAME with VTEP address A.B.C.D.  auto (the\n"
	 "default) uses AF_XDP with the switch's XDP program, which takes only VXLAN for\n"
	 "that address (the host keeps the rest), and falls back to af_packet if XDP fails\n"
	 "(sydctl show uplink says why).  Or an uplink with no kernel interface, named NAME\n"
	 "(1-15 letters, digits, '_', '-'): vhost-server listens on the vhost-user socket\n"
	 "--path; virtio-user connects to one (such as another switch's vhost-server\n"
	 "uplink), and waits while nobody listens.  The switch then answers ARP for\n"
	 "A.B.C.D itself, with --mac or 02:59:<the address>, and remote VTEPs are on-link.\n"
	 "UDP port 4789 and MTU 1500 unless given.",
	 "sydctl set-uplink eth1 --vtep 198.18.0.1\n"
	 "  sydctl set-uplink up0 --vtep 198.18.0.1 --mode vhost-server --path "
	 "/run/switchyard/underlay.sock",
	 3, 13, cmd_set_uplink},
	{"del-uplink", "", "Stop tunnelling: networks stay, only local.", "sydctl del-uplink", 0,
	 0, cmd_del_uplink},
	{"del-network", "NAME", "Delete a network; detach or delete its ports first.",
	 "sydctl del-network blue", 1, 1, cmd_del_network},
	{"attach", "PORT NETWORK", "Attach a port to a network (moving it if it was in another).",
	 "sydctl attach vm1 blue", 2, 2, cmd_attach},
	{"detach", "PORT", "Detach a port from its network; it then switches nothing.",
	 "sydctl detach vm1", 1, 1, cmd_detach},
	{"flush-macs", "[NETWORK]", "Forget the learned MAC entries of a network, or of all.",
	 "sydctl flush-macs blue", 0, 1, cmd_flush_macs},
	{"add-mac", "NETWORK MAC PORT|A.B.C.D",
	 "Add a static MAC entry: never aged, never moved by learning.  Behind a port, or\n"
	 "behind a remote VTEP of the network's flood list.",
	 "sydctl add-mac blue 02:00:00:00:00:09 vm1", 3, 3, cmd_add_mac},
	{"del-mac", "NETWORK MAC", "Delete a MAC entry.", "sydctl del-mac blue 02:00:00:00:00:09",
	 2, 2, cmd_del_mac},
	{"drops", "[--pcap FILE]",
	 "The last packets dropped for each reason (up to 8 per reason and worker): when,\n"
	 "where, why, and their MACs; with --pcap, also their first 128 bytes as a pcap\n"
	 "file that tcpdump and Wireshark open.",
	 "sydctl drops --pcap /tmp/drops.pcap && tcpdump -r /tmp/drops.pcap", 0, 2, cmd_drops},
	{"trace", "[--filter EXPR] [-n N] [--timeout S] | PACKET",
	 "Record what each stage does to the next N (1-64, default 1) real packets that\n"
	 "match EXPR: comma-separated in_port=PORT, src=MAC, dst=MAC, ip_src=A.B.C.D,\n"
	 "ip_dst=A.B.C.D (none: any packet).  For each: parsed fields, the source MAC\n"
	 "stage, the destination lookup (and whether the burst's cache answered), the flow\n"
	 "rule that ran, where it went or why it was dropped.  Waits up to S seconds\n"
	 "(default 10).  Given a PACKET instead (in_port=PORT,...), it is flow-trace.",
	 "sydctl trace --filter in_port=vm1,dst=02:00:00:00:00:02 -n 5", 0, 32, cmd_trace},
	{"doctor", "",
	 "Check the host and the running switch, and say how to fix each problem:\n"
	 "hugepages and hugetlbfs, other processes on the worker cores, socket\n"
	 "directories, vhost-user ports whose VM never connected (and which side should be\n"
	 "the socket's server), QEMU guests without share=on memory.  Exit 0 when healthy,\n"
	 "1 when a problem was found.",
	 "sydctl doctor", 0, 0, cmd_doctor},
	{"plan", "FILE",
	 "Compare a configuration file (config/README.md) with what the switch runs, and\n"
	 "print what 'apply' would change, one line each, and a summary (or 'no changes').\n"
	 "The file is the whole desired state: what it does not name would be removed.\n"
	 "A bad file gets its error with file:line:column and exit 2; nothing is sent.",
	 "sydctl plan config/examples/host-a.yaml", 1, 1, cmd_plan},
	{"apply", "FILE",
	 "Make the switch what a configuration file says: the difference 'plan' prints,\n"
	 "sent as one batch that the switch applies all or nothing (a refused batch changes\n"
	 "nothing and exits 1).  What the file does not name is removed.",
	 "sydctl apply config/examples/host-a.yaml", 1, 1, cmd_apply},
	{"add-flow", "RULE",
	 "Add a flow rule, or replace the rule of the same table, priority and match.\n"
	 "RULE is ovs-ofctl-like: [table=N,][priority=N,][cookie=N,][idle_timeout=S,]\n"
	 "fields (in_port, network, vni, tun_src, dl_src, dl_dst (/MASK), dl_vlan,\n"
	 "dl_type, nw_src, nw_dst (/LEN), nw_proto, tp_src, tp_dst; ip, arp, icmp, tcp,\n"
	 "udp, sctp) then actions=drop | output:PORT | normal | flood | encap:IP:VNI |\n"
	 "push_vlan:VID | pop_vlan | set_vlan:VID | mod_dl_src:MAC | mod_dl_dst:MAC |\n"
	 "goto_table:N, comma-separated (control/flowtext.h has the whole syntax).",
	 "sydctl add-flow 'priority=200,in_port=vm1,tcp,tp_dst=22 actions=drop'", 1, 32,
	 cmd_add_flow},
	{"add-flows", "FILE",
	 "Add the flow rules of FILE ('-': standard input), one a line as add-flow takes\n"
	 "them; blank lines and lines starting with '#' are skipped.  The whole file is\n"
	 "checked first (a bad line sends nothing), then sent 400 rules a message, each\n"
	 "message all or nothing.",
	 "sydctl add-flows rules.txt", 1, 1, cmd_add_flows},
	{"mod-flows", "RULE",
	 "Give the rule of that table, priority and match new actions (and cookie and\n"
	 "idle timeout); refused when there is no such rule.",
	 "sydctl mod-flows 'priority=200,in_port=vm1 actions=output:vm3'", 1, 32, cmd_mod_flows},
	{"del-flows", "[--strict] [MATCH]",
	 "Delete every rule whose match has all the fields of MATCH with the same values\n"
	 "(in every table unless table=N is given; no MATCH: every rule).  With --strict,\n"
	 "only the rule of exactly that table (default 0), priority (default 32768) and\n"
	 "match.",
	 "sydctl del-flows in_port=vm1", 0, 33, cmd_del_flows},
	{"dump-flows", "[--table N]",
	 "Every flow rule, one a line as ovs-ofctl prints them: cookie, age, table,\n"
	 "packets and bytes it matched, idle timeout and seconds since its last packet,\n"
	 "priority, match and actions.",
	 "sydctl dump-flows --table 0", 0, 2, cmd_dump_flows},
	{"flow-trace", "PACKET",
	 "Which rule a packet would meet in each table, and what would happen to it (as\n"
	 "ovs-appctl ofproto/trace); no packet is sent.  PACKET: in_port=PORT and header\n"
	 "fields as add-flow's (whole values, no masks), e.g. dl_dst=MAC,tcp,nw_dst=IP.\n"
	 "(sydctl trace records real packets instead.)",
	 "sydctl flow-trace in_port=vm1,dl_dst=02:00:00:00:00:02,tcp,nw_dst=10.1.0.9,tp_dst=22",
	 1, 32, cmd_flow_trace},
	{"clear-stats", "[workers]",
	 "Start every counter from zero, or only the workers' (as ovs-appctl\n"
	 "dpif-netdev/pmd-stats-clear).  A baseline: nothing is lost.",
	 "sydctl clear-stats workers", 0, 1, cmd_clear_stats},
	{NULL, NULL, NULL, NULL, 0, 0, NULL},
};

static void usage(void)
{
	const struct verb *v;

	printf("Usage: sydctl [--socket PATH] [-o json] [--timeout MS] VERB [ARGS]\n"
	       "\n"
	       "The Switchyard command line.  It talks to syd-control (default socket\n"
	       "/run/switchyard/control.sock, or $SYD_SOCKET), or to a dataplane's --control\n"
	       "socket directly.\n"
	       "\n"
	       "Verbs:\n");
	for (v = verbs; v->name; v++)
		printf("  %-12s %s\n", v->name, v->args);
	printf("\n'sydctl VERB --help' explains one.  Exit codes: 0 done, 1 refused by the\n"
	       "switch, 2 usage error, 3 cannot reach the socket.\n");
}

static void verb_usage(const struct verb *v)
{
	printf("Usage: sydctl %s %s\n\n%s\n\nExample:\n  %s\n", v->name, v->args, v->help,
	       v->example);
}

int main(int argc, char **argv)
{
	struct ctx x = {.timeout_ms = 10000};
	const struct verb *v;
	int i = 1, ret;

	x.socket = getenv("SYD_SOCKET") ? getenv("SYD_SOCKET") : "/run/switchyard/control.sock";
	x.c.fd = -1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
			x.socket = argv[++i];
		} else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			if (strcmp(argv[++i], "json") != 0) {
				fprintf(stderr, "sydctl: -o %s: only json (tables are the default)\n",
					argv[i]);
				return EXIT_USAGE;
			}
			x.d.json = true;
		} else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			char *end;
			long ms = strtol(argv[++i], &end, 10);

			x.timeout_ms = *end == '\0' && ms > 0 && ms <= INT_MAX ? (int)ms : 0;
			if (x.timeout_ms <= 0) {
				fprintf(stderr, "sydctl: --timeout: milliseconds, above 0\n");
				return EXIT_USAGE;
			}
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage();
			return 0;
		} else if (i + 1 == argc && (strcmp(argv[i], "--socket") == 0 ||
					     strcmp(argv[i], "-o") == 0 ||
					     strcmp(argv[i], "--timeout") == 0)) {
			fprintf(stderr, "sydctl: %s needs a value (see sydctl --help)\n", argv[i]);
			return EXIT_USAGE;
		} else {
			fprintf(stderr, "sydctl: unknown option '%s' (see sydctl --help)\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i == argc) {
		usage();
		return EXIT_USAGE;
	}
	for (v = verbs; v->name; v++)
		if (strcmp(v->name, argv[i]) == 0)
			break;
	if (v->name == NULL) {
		fprintf(stderr, "sydctl: unknown verb '%s' (see sydctl --help)\n", argv[i]);
		return EXIT_USAGE;
	}
	x.verb = v->name;
	argc -= i + 1;
	argv += i + 1;
	for (int a = 0; a < argc; a++) {
		if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
			verb_usage(v);
			return 0;
		}
	}
	/* -o json may also follow the verb, as in ovs-vsctl. */
	if (argc >= 2 && strcmp(argv[argc - 2], "-o") == 0 && strcmp(argv[argc - 1], "json") == 0) {
		x.d.json = true;
		argc -= 2;
	}
	if (argc < v->min_args || argc > v->max_args) {
		fprintf(stderr, "sydctl: %s: expected %s (see sydctl %s --help)\n", v->name,
			v->args[0] ? v->args : "no arguments", v->name);
		return EXIT_USAGE;
	}
	ret = v->fn(&x, argc, argv);
	if (x.connected)
		syd_client_close(&x.c);
	return ret;
}

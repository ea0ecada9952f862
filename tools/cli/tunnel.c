/* SPDX-License-Identifier: BSD-3-Clause */
/* sydctl's tunnel verbs: VNIs, flood lists, the uplink; and showing them. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* A VNI, 0-16777215 (0: none).  @return 0 or -1. */
static int parse_vni(const char *s, uint32_t *vni)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (s[0] < '0' || s[0] > '9' || *end != '\0' || v > SYD_VNI_MAX)
		return -1;
	*vni = (uint32_t)v;
	return 0;
}

/* A unicast IPv4 address a VTEP may have.  @return 0 or a usage error printed. */
static int parse_vtep(struct ctx *x, const char *s, uint32_t *addr)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1 || !proto_unicast_ipv4(a.s_addr))
		return cli_usage_error(x, "'%s' is not a unicast IPv4 address", s);
	*addr = a.s_addr;
	return 0;
}

int cmd_add_network(struct ctx *x, int argc, char **argv)
{
	struct syd_op op = proto_op(SYD_OP_NET_ADD, NULL, NULL);
	int i;

	if (cli_check_name(x, "network", argv[0]))
		return EXIT_USAGE;
	strcpy(op.name, argv[0]);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--vni") == 0 && i + 1 < argc) {
			if (parse_vni(argv[++i], &op.vni) < 0)
				return cli_usage_error(x, "'%s' is not a VNI (1-16777215)", argv[i]);
		} else {
			return cli_usage_error(x, "unexpected '%s'", argv[i]);
		}
	}
	return cli_send_op(x, &op);
}

int cmd_set_vni(struct ctx *x, int argc, char **argv)
{
	struct syd_op op = proto_op(SYD_OP_NET_VNI, NULL, NULL);

	(void)argc;
	if (cli_check_name(x, "network", argv[0]))
		return EXIT_USAGE;
	if (parse_vni(argv[1], &op.vni) < 0)
		return cli_usage_error(x, "'%s' is not a VNI (1-16777215, or 0 for none)", argv[1]);
	strcpy(op.name, argv[0]);
	return cli_send_op(x, &op);
}

static int vtep_op(struct ctx *x, uint16_t type, char **argv)
{
	struct syd_op op = proto_op(type, NULL, NULL);

	if (cli_check_name(x, "network", argv[0]) || parse_vtep(x, argv[1], &op.addr))
		return EXIT_USAGE;
	strcpy(op.network, argv[0]);
	return cli_send_op(x, &op);
}

int cmd_add_vtep(struct ctx *x, int argc, char **argv)
{
	(void)argc;
	return vtep_op(x, SYD_OP_VTEP_ADD, argv);
}

int cmd_del_vtep(struct ctx *x, int argc, char **argv)
{
	(void)argc;
	return vtep_op(x, SYD_OP_VTEP_DEL, argv);
}

int cmd_set_uplink(struct ctx *x, int argc, char **argv)
{
	struct syd_op op = proto_op(SYD_OP_UPLINK_SET, NULL, NULL);
	const char *path = NULL;
	bool mac = false;
	char *end;
	unsigned long v;
	int i;

	op.kind = SYD_UPLINK_AUTO;
	for (i = 1; i < argc; i++) {
		const char *o = argv[i];

		if (i + 1 == argc)
			return cli_usage_error(x, "%s needs a value", o);
		if (strcmp(o, "--vtep") == 0) {
			if (parse_vtep(x, argv[++i], &op.addr))
				return EXIT_USAGE;
		} else if (strcmp(o, "--mode") == 0) {
			op.kind = (uint16_t)proto_uplink_mode_parse(argv[++i]);
			if (op.kind == 0)
				return cli_usage_error(x, "mode '%s': auto, af_xdp, af_packet, "
							  "vhost-server or virtio-user",
						       argv[i]);
		} else if (strcmp(o, "--path") == 0) {
			path = argv[++i];
		} else if (strcmp(o, "--mac") == 0) {
			if (cli_parse_mac(argv[++i], op.mac) < 0 || (op.mac[0] & 1) ||
			    !(op.mac[0] | op.mac[1] | op.mac[2] | op.mac[3] | op.mac[4] | op.mac[5]))
				return cli_usage_error(x, "MAC '%s': a unicast MAC such as "
							  "02:00:00:00:00:01",
						       argv[i]);
			mac = true;
		} else if (strcmp(o, "--udp-port") == 0 || strcmp(o, "--mtu") == 0) {
			bool port = strcmp(o, "--udp-port") == 0;

			v = strtoul(argv[++i], &end, 10);
			if (argv[i][0] < '0' || argv[i][0] > '9' || *end != '\0' ||
			    (port ? v < 1 || v > 65535 : v < 576 || v > 9000))
				return cli_usage_error(x, port ? "UDP port '%s': 1-65535"
							       : "MTU '%s': 576-9000",
						       argv[i]);
			if (port)
				op.udp_port = (uint16_t)v;
			else
				op.mtu = (uint16_t)v;
		} else {
			return cli_usage_error(x, "unexpected '%s'", o);
		}
	}
	if (op.addr == 0)
		return cli_usage_error(x, "%s", "give the VTEP address with --vtep A.B.C.D");
	if (!proto_uplink_is_socket(op.kind)) {
		if (path != NULL || mac)
			return cli_usage_error(x, "--path and --mac are for --mode vhost-server or "
						  "virtio-user; a kernel mode uses interface %s as it "
						  "is",
					       argv[0]);
		if (strlen(argv[0]) >= 16)
			return cli_usage_error(x, "'%s' is not an interface name (1-15 bytes)",
					       argv[0]);
		strcpy(op.path, argv[0]);
		return cli_send_op(x, &op);
	}
	if (path == NULL)
		return cli_usage_error(x, "mode %s needs the socket: --path /run/.../NAME.sock",
				       proto_uplink_mode_name(op.kind));
	if (path[0] != '/' || proto_set_str(op.path, sizeof(op.path), path) < 0)
		return cli_usage_error(x, "socket '%s': an absolute path of at most 107 bytes",
				       path);
	if (!proto_name_ok(argv[0], SYD_PROTO_NAME_LEN) ||
	    strlen(argv[0]) > SYD_UPLINK_NAME_MAX)
		return cli_usage_error(x, "uplink name '%s': 1-15 letters, digits, '_' or '-'",
				       argv[0]);
	strcpy(op.name, argv[0]);
	return cli_send_op(x, &op);
}

int cmd_del_uplink(struct ctx *x, int argc, char **argv)
{
	struct syd_op op = proto_op(SYD_OP_UPLINK_DEL, NULL, NULL);

	(void)argc;
	(void)argv;
	return cli_send_op(x, &op);
}

static int keep_uplink(const struct syd_hdr *h, void *arg)
{
	if (h->type == SYD_MSG_UPLINK)
		memcpy(arg, proto_body(h), sizeof(struct syd_uplink_info));
	return 0;
}

int cli_show_uplink(struct ctx *x)
{
	struct syd_uplink_info u = {0};
	char addr[INET_ADDRSTRLEN], mac[18];
	int ret = cli_request(x, SYD_MSG_GET_UPLINK, NULL, keep_uplink, &u);

	if (ret)
		return ret;
	display_object_begin(&x->d, "uplink", "Uplink:");
	display_field(&x->d, "interface", proto_uplink_is_socket(u.mode) ? "name" : "interface",
		      COL_STR, u.ifname[0] ? u.ifname : "-");
	if (u.ifname[0]) {
		inet_ntop(AF_INET, &u.addr, addr, sizeof(addr));
		cli_mac_text(mac, u.mac);
		display_field(&x->d, "vtep", "VTEP address", COL_STR, addr);
		display_field(&x->d, "mode", "mode asked", COL_STR, proto_uplink_mode_name(u.mode));
		display_field(&x->d, "driver", "driver", COL_STR, u.driver);
		if (proto_uplink_is_socket(u.mode))
			display_field(&x->d, "socket", "vhost-user socket", COL_STR, u.path);
		display_field(&x->d, "note", "note", COL_STR, u.note);
		display_field(&x->d, "mac", "MAC", COL_STR, mac);
		display_field(&x->d, "link_up", "link up", COL_BOOL, (int)u.up);
		display_field(&x->d, "udp_port", "UDP port", COL_U64, (uint64_t)u.udp_port);
		display_field(&x->d, "mtu", "underlay MTU", COL_U64, (uint64_t)u.mtu);
		display_field(&x->d, "answers_arp", "answers ARP", COL_BOOL, (int)u.arp);
	}
	display_object_end(&x->d);
	return 0;
}

int cli_show_vteps(struct ctx *x)
{
	static const struct col cols[] = {
		{"network", "network", -12, COL_STR}, {"vtep", "remote VTEP", -15, COL_STR},
		{"nexthop", "next hop", -15, COL_STR}, {"mac", "next hop MAC", -17, COL_STR},
		{"resolved", "resolved", -8, COL_BOOL}, {"macs", "macs", 6, COL_U64},
	};
	struct entries e;
	size_t i;
	int ret = cli_dump(x, SYD_MSG_DUMP_VTEPS, SYD_MSG_VTEPS, sizeof(struct syd_vtep_info), &e);

	if (ret)
		return ret;
	display_list_begin(&x->d, "vteps", "Remote VTEPs:", cols, 6);
	for (i = 0; i < e.n; i++) {
		const struct syd_vtep_info *v = (const void *)(e.data + i * e.size);
		char a[INET_ADDRSTRLEN], nh[INET_ADDRSTRLEN], mac[18];

		inet_ntop(AF_INET, &v->addr, a, sizeof(a));
		if (v->nexthop)
			inet_ntop(AF_INET, &v->nexthop, nh, sizeof(nh));
		else
			strcpy(nh, "-");
		if (v->resolved)
			cli_mac_text(mac, v->mac);
		else
			strcpy(mac, "-");
		display_row(&x->d, v->network, a, nh, mac, (int)v->resolved, (uint64_t)v->nmacs);
	}
	display_list_end(&x->d);
	free(e.data);
	return 0;
}

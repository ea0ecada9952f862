/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sydctl plan FILE and sydctl apply FILE: a configuration file (config/README.md) as the
 * switch's whole desired state.  Both read what the switch runs (its dumps, into a
 * struct state) and diff the file's state against it with state_diff(), the diff
 * syd-control itself uses; plan prints the operations, apply sends them as one batch,
 * which the switch applies all or nothing.  What the file does not name is removed.
 * Flow rules follow, diffed by state_diff_flows() into FLOW_MOD messages, once the
 * batches have made the ports and networks they name.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "config_state.h"
#include "flowtext.h"
#include "proto_flow.h"
#include "state.h"

#define PLAN_ROUNDS 128 /* batches at most: 65536 static MACs take 55 */

struct plan {
	const char *file;
	struct syd_config *cfg;
	struct state want;
	struct state have;	 /* what the switch runs */
	bool have_full;		 /* the switch had more than a state holds */
	struct proto_buf *batch; /* the ops, in order, in batches of SYD_PROTO_BATCH_MAX */
	unsigned int nbatches;
	unsigned int nops;
	struct proto_buf *fmsg; /* then the FLOW_MOD messages, in order */
	unsigned int nfmsgs, fcap;
	unsigned int nmods;
	struct state after; /* the switch once the batches are applied (flows of deleted
			     * ports and networks gone with them) */
	unsigned int add, change, remove; /* lines printed, by sign */
};

static void plan_free(struct plan *p)
{
	unsigned int i;

	for (i = 0; i < p->nbatches; i++)
		proto_buf_free(&p->batch[i]);
	free(p->batch);
	for (i = 0; i < p->nfmsgs; i++)
		proto_buf_free(&p->fmsg[i]);
	free(p->fmsg);
	state_free(&p->after);
	state_free(&p->want);
	state_free(&p->have);
	config_free(p->cfg);
}

static const struct syd_batch *batch_of(const struct proto_buf *b)
{
	return (const struct syd_batch *)(b->data + sizeof(struct syd_hdr));
}

/* The file into p->want.  @return an exit code: bad files are usage errors. */
static int load(struct ctx *x, struct plan *p)
{
	char err[1024];

	if (state_init(&p->want) < 0 || state_init(&p->have) < 0 || state_init(&p->after) < 0) {
		fprintf(stderr, "sydctl: %s: out of memory\n", x->verb);
		return EXIT_REFUSED;
	}
	if (config_load_file(p->file, &p->cfg, err, sizeof(err)) < 0 ||
	    config_to_state(p->cfg, &p->want, err, sizeof(err)) < 0) {
		fprintf(stderr, "sydctl: %s: %s\n", x->verb, err);
		return EXIT_USAGE;
	}
	return 0;
}

static int add_dump(const struct syd_hdr *h, void *arg)
{
	struct plan *p = arg;

	/* Keep reading a dump that overflows: the reply must be read to its end. */
	if (state_add_dump(&p->have, h) == -ENOSPC)
		p->have_full = true;
	return 0;
}

/* The switch's flow rules.  A switch without flow tables has none; that is only an error
 * when the file has some.  @return an exit code. */
static int read_flows(struct ctx *x, struct plan *p)
{
	struct proto_buf b = {0};
	char err[SYD_PROTO_TEXT_MAX];
	int ret = proto_begin(&b, SYD_MSG_DUMP_FLOWS, 0);

	if (ret == 0) {
		proto_finish(&b);
		ret = syd_client_request(&x->c, &b, x->timeout_ms, add_dump, p, err, sizeof(err));
	}
	proto_buf_free(&b);
	if (ret == -EOPNOTSUPP && state_nflows(&p->want) == 0)
		return 0;
	if (ret == 0)
		return 0;
	if (ret == -EOPNOTSUPP)
		fprintf(stderr, "sydctl: %s: the switch has no flow tables (%s): %s has flows:\n",
			x->verb, err, p->file);
	else
		fprintf(stderr, "sydctl: %s: %s\n", x->verb, ret == -ENOMEM ? "out of memory" : err);
	if (ret == -EPIPE || ret == -ETIMEDOUT || ret == -EBADMSG || ret == -ENOTCONN)
		return EXIT_NOREACH;
	return EXIT_REFUSED;
}

/* Keep one FLOW_MOD message of the plan (state_diff_flows reuses its buffer). */
static int keep_fmsg(struct proto_buf *b, void *arg)
{
	struct plan *p = arg;

	if (p->nfmsgs == p->fcap) {
		unsigned int cap = p->fcap ? p->fcap * 2 : 16;
		struct proto_buf *m = realloc(p->fmsg, cap * sizeof(*m));

		if (m == NULL)
			return -ENOMEM;
		p->fmsg = m;
		p->fcap = cap;
	}
	p->fmsg[p->nfmsgs] = (struct proto_buf){0};
	if (proto_append(&p->fmsg[p->nfmsgs], b->data, b->len) < 0)
		return -ENOMEM;
	p->nfmsgs++;
	return 0;
}

/* What the switch runs, read as syd-control reads the dataplane's. */
static int read_running(struct ctx *x, struct plan *p)
{
	static const uint16_t dumps[] = {SYD_MSG_DUMP_NETWORKS, SYD_MSG_DUMP_VTEPS,
					 SYD_MSG_DUMP_PORTS, SYD_MSG_DUMP_MACS, SYD_MSG_GET_UPLINK};
	unsigned int i;
	int ret;

	state_clear(&p->have);
	for (i = 0; i < sizeof(dumps) / sizeof(dumps[0]); i++) {
		ret = cli_request(x, dumps[i], NULL, add_dump, p);
		if (ret)
			return ret;
	}
	ret = read_flows(x, p);
	if (ret)
		return ret;
	if (p->have_full) {
		fprintf(stderr,
			"sydctl: %s: the switch has more networks, ports or static MACs "
			"than a configuration can hold (%d, %d, %d)\n",
			x->verb, STATE_MAX_NETWORKS, STATE_MAX_PORTS, STATE_MAX_MACS);
		return EXIT_REFUSED;
	}
	return 0;
}

/*
 * The ops from have to want, in batches: a difference larger than one batch is cut
 * where the batch is full, applied here, and diffed again, as syd-control's resync does.
 */
static int make_plan(struct ctx *x, struct plan *p)
{
	char err[SYD_PROTO_TEXT_MAX];
	struct state cur;
	unsigned int round, i;
	int n, ret = 0;

	if (state_init(&cur) < 0 || (p->batch = calloc(PLAN_ROUNDS, sizeof(*p->batch))) == NULL) {
		fprintf(stderr, "sydctl: %s: out of memory\n", x->verb);
		state_free(&cur);
		return -ENOMEM;
	}
	state_copy(&cur, &p->have);
	for (round = 0; round < PLAN_ROUNDS; round++) {
		struct proto_buf *b = &p->batch[p->nbatches];
		const struct syd_batch *sb;

		ret = proto_begin(b, SYD_MSG_BATCH, 0);
		if (ret < 0)
			break;
		n = state_diff(&p->want, &cur, b);
		if (n < 0 && n != -E2BIG && n != -EMSGSIZE) {
			ret = n;
			break;
		}
		proto_finish(b);
		sb = batch_of(b);
		if (sb->count == 0) {
			proto_buf_free(b);
			break;
		}
		p->nbatches++;
		p->nops += sb->count;
		for (i = 0; i < sb->count && ret == 0; i++)
			ret = state_apply_op(&cur, &sb->op[i], err, sizeof(err));
		if (ret < 0) {
			fprintf(stderr,
				"sydctl: %s: the plan does not apply to the switch's state: "
				"%s\n",
				x->verb, err);
			break;
		}
	}
	if (ret == 0 && round == PLAN_ROUNDS)
		ret = -E2BIG;
	if (ret == 0 && state_copy(&p->after, &cur) < 0)
		ret = -ENOMEM;
	if (ret == 0) {
		n = state_diff_flows(&p->want, &cur, keep_fmsg, p);
		ret = n < 0 ? n : 0;
		p->nmods = n < 0 ? 0 : (unsigned int)n;
	}
	if (ret == -ENOMEM || ret == -E2BIG || ret == -EMSGSIZE)
		fprintf(stderr, "sydctl: %s: cannot make the plan: %s\n", x->verb,
			ret == -ENOMEM ? "out of memory" : "it does not converge");
	state_free(&cur);
	return ret;
}

/* ---- the plan in words ---- */

static const char *ip(uint32_t a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static const struct state_net *net_of(const struct state *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nnets; i++)
		if (strcmp(s->net[i].name, name) == 0)
			return &s->net[i];
	return NULL;
}

static const struct state_port *port_of(const struct state *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nports; i++)
		if (strcmp(s->port[i].name, name) == 0)
			return &s->port[i];
	return NULL;
}

static const struct state_mac *mac_of(const struct state *s, const char *network,
				      const uint8_t *mac)
{
	unsigned int i;

	for (i = 0; i < s->nmacs; i++)
		if (memcmp(s->mac[i].mac, mac, 6) == 0 && strcmp(s->mac[i].network, network) == 0)
			return &s->mac[i];
	return NULL;
}

static void vni_text(uint32_t vni, char *buf)
{
	if (vni)
		snprintf(buf, 16, "%" PRIu32, vni);
	else
		strcpy(buf, "none");
}

static void port_text(const struct state_port *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s, %s%s", proto_port_kind_name(p->kind), p->path,
		 p->network[0] ? "in " : "in no network", p->network);
}

static void behind_text(const char *port, uint32_t remote, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];

	if (remote)
		snprintf(buf, len, "vtep %s", ip(remote, a));
	else
		snprintf(buf, len, "port %s", port);
}

/*
 * One op as a line for people, or "" when another op's line says it (a new network's
 * VNI, a port recreated, a static entry moved); *sign is '+', '-', '~' or 'r'
 * (recreated).  have is the switch before any op, want the file.
 */
static void describe(const struct plan *p, const struct syd_op *op, char *line, size_t len,
		     char *sign)
{
	const struct state_net *hn = NULL, *wn = NULL;
	const struct state_port *hp = NULL, *wp = NULL;
	const struct state_mac *hm, *wm;
	char a[INET_ADDRSTRLEN], t1[200], t2[200], mac[18];

	line[0] = '\0';
	*sign = '~';
	if (op->type == SYD_OP_NET_ADD || op->type == SYD_OP_NET_DEL ||
	    op->type == SYD_OP_NET_VNI) {
		hn = net_of(&p->have, op->name);
		wn = net_of(&p->want, op->name);
	} else if (op->name[0]) {
		hp = port_of(&p->have, op->name);
		wp = port_of(&p->want, op->name);
	}
	switch (op->type) {
	case SYD_OP_NET_ADD:
		*sign = '+';
		if (wn && wn->vni)
			snprintf(line, len, "network %s (vni %" PRIu32 ")", op->name, wn->vni);
		else
			snprintf(line, len, "network %s", op->name);
		break;
	case SYD_OP_NET_DEL:
		*sign = '-';
		snprintf(line, len, "network %s", op->name);
		break;
	case SYD_OP_NET_VNI:
		/* New networks say their VNI when added; a VNI that moves is freed first. */
		if (hn == NULL || wn == NULL || (op->vni == 0 && wn->vni != 0))
			break;
		vni_text(hn->vni, t1);
		vni_text(wn->vni, t2);
		snprintf(line, len, "network %s: vni %s -> %s", op->name, t1, t2);
		break;
	case SYD_OP_VTEP_ADD:
	case SYD_OP_VTEP_DEL:
		*sign = op->type == SYD_OP_VTEP_ADD ? '+' : '-';
		snprintf(line, len, "network %s: flood to %s", op->network, ip(op->addr, a));
		break;
	case SYD_OP_UPLINK_SET:
		*sign = p->have.uplink.ifname[0] ? '~' : '+';
		if (proto_uplink_is_socket(op->kind))
			snprintf(t1, sizeof(t1), "%s on %s", op->name, op->path);
		else
			snprintf(t1, sizeof(t1), "%s", op->path);
		snprintf(line, len,
			 "uplink %s: vtep %s, mode %s, UDP port %u, MTU %u (VM frames up to %u "
			 "bytes: VXLAN takes 50)",
			 t1, ip(op->addr, a), proto_uplink_mode_name(op->kind),
			 op->udp_port ? op->udp_port : SYD_VXLAN_PORT,
			 op->mtu ? op->mtu : SYD_UNDERLAY_MTU,
			 (op->mtu ? op->mtu : SYD_UNDERLAY_MTU) - 50u);
		break;
	case SYD_OP_UPLINK_DEL:
		*sign = '-';
		snprintf(line, len, "uplink %s (vtep %s)", p->have.uplink.ifname,
			 ip(p->have.uplink.addr, a));
		break;
	case SYD_OP_PORT_DEL:
		*sign = '-';
		if (wp && hp) {
			*sign = 'r';
			port_text(wp, t1, sizeof(t1));
			port_text(hp, t2, sizeof(t2));
			snprintf(line, len, "port %s: recreated as %s (was %s)", op->name, t1, t2);
		} else {
			snprintf(line, len, "port %s", op->name);
		}
		break;
	case SYD_OP_PORT_ADD:
		if (hp)
			break; /* recreated: said at its PORT_DEL */
		*sign = '+';
		port_text(wp ? wp : &(struct state_port){.kind = op->kind}, t1, sizeof(t1));
		snprintf(line, len, "port %s: %s", op->name, t1);
		break;
	case SYD_OP_ATTACH:
		snprintf(line, len, "port %s: attach to %s%s%s%s", op->name, op->network,
			 hp && hp->network[0] ? " (from " : "", hp ? hp->network : "",
			 hp && hp->network[0] ? ")" : "");
		break;
	case SYD_OP_DETACH:
		snprintf(line, len, "port %s: detach from %s", op->name, hp ? hp->network : "?");
		break;
	case SYD_OP_MAC_DEL:
		if (mac_of(&p->want, op->network, op->mac))
			break; /* moved: said at its MAC_ADD */
		*sign = '-';
		cli_mac_text(mac, op->mac);
		snprintf(line, len, "mac %s in %s", mac, op->network);
		break;
	case SYD_OP_MAC_ADD:
		cli_mac_text(mac, op->mac);
		hm = mac_of(&p->have, op->network, op->mac);
		wm = mac_of(&p->want, op->network, op->mac);
		behind_text(op->name, op->addr, t1, sizeof(t1));
		if (hm == NULL || wm == NULL) {
			*sign = '+';
			snprintf(line, len, "mac %s in %s: behind %s", mac, op->network, t1);
		} else if (strcmp(hm->port, wm->port) == 0 && hm->remote == wm->remote) {
			snprintf(line, len, "mac %s in %s: behind %s again (the %s changes)", mac,
				 op->network, t1, op->addr ? "flood list" : "port");
		} else {
			behind_text(hm->port, hm->remote, t2, sizeof(t2));
			snprintf(line, len, "mac %s in %s: behind %s (was %s)", mac, op->network,
				 t1, t2);
		}
		break;
	default:
		snprintf(line, len, "%s", proto_op_name(op->type));
		break;
	}
}

static const char *sign_text(char sign)
{
	return sign == '+' ? "+" : sign == '-' ? "-" : sign == 'r' ? "-/+" : "~";
}

static bool mac_deleted(const struct plan *p, const char *network, const uint8_t *mac)
{
	unsigned int b, i;

	for (b = 0; b < p->nbatches; b++) {
		const struct syd_batch *sb = batch_of(&p->batch[b]);

		for (i = 0; i < sb->count; i++)
			if (sb->op[i].type == SYD_OP_MAC_DEL &&
			    memcmp(sb->op[i].mac, mac, 6) == 0 &&
			    strcmp(sb->op[i].network, network) == 0)
				return true;
	}
	return false;
}

/* Static entries that go without an op of their own, flushed with their port's change,
 * their network or their remote VTEP: said all the same, since the file drops them. */
static void print_implied(struct ctx *x, struct plan *p)
{
	static const struct col cols[] = {{"change", "change", -1, COL_STR}};
	char text[200], why[100], mac[18], a[INET_ADDRSTRLEN];
	unsigned int i;

	if (x->d.json)
		display_list_begin(&x->d, "implied", NULL, cols, 1);
	for (i = 0; p->nops && i < p->have.nmacs; i++) {
		const struct state_mac *m = &p->have.mac[i];

		if (mac_of(&p->want, m->network, m->mac) || mac_deleted(p, m->network, m->mac))
			continue;
		if (net_of(&p->want, m->network) == NULL)
			snprintf(why, sizeof(why), "network %s", m->network);
		else if (m->remote)
			snprintf(why, sizeof(why), "vtep %s", ip(m->remote, a));
		else
			snprintf(why, sizeof(why), "port %s's change", m->port);
		cli_mac_text(mac, m->mac);
		snprintf(text, sizeof(text), "- mac %s in %s (removed with %s)", mac, m->network,
			 why);
		p->remove++;
		if (x->d.json)
			display_row(&x->d, text);
		else
			printf("%s\n", text);
	}
	if (x->d.json)
		display_list_end(&x->d);
}

/* "table=0 priority=200,tcp actions=drop": a rule for a plan line. */
static const char *flow_line(const struct syd_flow *f, char *buf, size_t len)
{
	char text[FLOWTEXT_MAX];
	const char *rest;

	flowtext_format(f, text, sizeof(text));
	rest = strchr(text, ',');
	snprintf(buf, len, "table=%u %s", f->table, rest ? rest + 1 : text);
	return buf;
}

static const struct syd_flow *flow_of(const struct state *s, const struct syd_flow *f)
{
	long i = flowset_find(&s->flows, f);

	return i < 0 ? NULL : &s->flows.rec[i]->flow;
}

/* The flow mods, a line each; and the rules that go with their port or network. */
static void print_flows(struct ctx *x, struct plan *p)
{
	static const struct col cols[] = {{"op", "op", -14, COL_STR},
					  {"rule", "rule", -1, COL_STR},
					  {"change", "change", -1, COL_STR}};
	char line[2 * FLOWTEXT_MAX + 64], rule[FLOWTEXT_MAX + 16], was[FLOWTEXT_MAX], sign;
	unsigned int m, i;

	if (x->d.json)
		display_list_begin(&x->d, "flows", NULL, cols, 3);
	for (i = 0; i < p->have.flows.n; i++) { /* gone with their port or network */
		const struct syd_flow *h = &p->have.flows.rec[i]->flow;

		if (flow_of(&p->after, h) || flow_of(&p->want, h))
			continue;
		snprintf(line, sizeof(line), "- flow %s (removed with its port or network)",
			 flow_line(h, rule, sizeof(rule)));
		p->remove++;
		if (x->d.json)
			display_row(&x->d, "implied", rule, line);
		else
			printf("%s\n", line);
	}
	for (m = 0; m < p->nfmsgs; m++) {
		struct proto_flow_iter it;
		struct syd_flow_mod fm;

		proto_flow_iter_init(&it, (const void *)(p->fmsg[m].data + sizeof(struct syd_hdr)));
		while (proto_flow_iter_next(&it, &fm)) {
			const struct syd_flow_mod *mod = &fm;
			const struct syd_flow *h = flow_of(&p->have, &mod->flow);

			flow_line(h && mod->command == SYD_FC_DELETE_STRICT ? h : &mod->flow, rule,
				  sizeof(rule));
			sign = mod->command == SYD_FC_DELETE_STRICT ? '-' : h ? '~' : '+';
			if (sign == '~' && flowset_same_body(h, &mod->flow)) {
				snprintf(line, sizeof(line), "~ flow %s (again: its port is recreated)",
					 rule);
			} else if (sign == '~') {
				flowtext_format_actions(h, was, sizeof(was));
				snprintf(line, sizeof(line), "~ flow %s (was actions=%s%s)", rule, was,
					 h->cookie != mod->flow.cookie ||
							 h->idle_timeout != mod->flow.idle_timeout
						 ? ", another cookie or idle_timeout"
						 : "");
			} else {
				snprintf(line, sizeof(line), "%c flow %s", sign, rule);
			}
			p->add += sign == '+';
			p->remove += sign == '-';
			p->change += sign == '~';
			if (x->d.json)
				display_row(&x->d, proto_flow_command_name(mod->command), rule, line);
			else
				printf("%s\n", line);
		}
	}
	if (x->d.json)
		display_list_end(&x->d);
}

/* Every op: a line each for people, or the ops as JSON (with the line each). */
static void print_ops(struct ctx *x, struct plan *p)
{
	static const struct col cols[] = {
		{"op", "op", -12, COL_STR},	      {"name", "name", -12, COL_STR},
		{"network", "network", -12, COL_STR}, {"kind", "kind", -12, COL_STR},
		{"path", "path", -12, COL_STR},	      {"mac", "mac", -17, COL_STR},
		{"vni", "vni", 8, COL_U64},	      {"addr", "addr", -15, COL_STR},
		{"udp_port", "udp", 5, COL_U64},      {"mtu", "mtu", 5, COL_U64},
		{"change", "change", -1, COL_STR},
	};
	char line[600], mac[18], a[INET_ADDRSTRLEN], sign;
	unsigned int b, i;

	p->add = p->change = p->remove = 0;
	if (x->d.json)
		display_list_begin(&x->d, "ops", NULL, cols, 11);
	for (b = 0; b < p->nbatches; b++) {
		const struct syd_batch *sb = batch_of(&p->batch[b]);

		for (i = 0; i < sb->count; i++) {
			const struct syd_op *op = &sb->op[i];
			char text[620] = "";

			describe(p, op, line, sizeof(line), &sign);
			if (line[0]) {
				snprintf(text, sizeof(text), "%s %s", sign_text(sign), line);
				p->add += sign == '+';
				p->remove += sign == '-';
				p->change += sign == '~' || sign == 'r';
			}
			if (!x->d.json) {
				if (text[0])
					printf("%s\n", text);
				continue;
			}
			mac[0] = '\0';
			if (op->type == SYD_OP_MAC_ADD || op->type == SYD_OP_MAC_DEL)
				cli_mac_text(mac, op->mac);
			display_row(&x->d, proto_op_name(op->type), op->name, op->network,
				    op->type == SYD_OP_UPLINK_SET ? proto_uplink_mode_name(op->kind)
				    : op->kind			  ? proto_port_kind_name(op->kind)
								  : "",
				    op->path, mac, (uint64_t)op->vni,
				    op->addr ? ip(op->addr, a) : "", (uint64_t)op->udp_port,
				    (uint64_t)op->mtu, text);
		}
	}
	if (x->d.json)
		display_list_end(&x->d);
	print_implied(x, p);
	print_flows(x, p);
}

static void print_summary(struct ctx *x, const struct plan *p, bool applied)
{
	if (x->d.json) {
		display_object_begin(&x->d, "summary", NULL);
		display_field(&x->d, "add", "", COL_U64, (uint64_t)p->add);
		display_field(&x->d, "change", "", COL_U64, (uint64_t)p->change);
		display_field(&x->d, "remove", "", COL_U64, (uint64_t)p->remove);
		display_field(&x->d, "operations", "", COL_U64, (uint64_t)p->nops);
		display_field(&x->d, "batches", "", COL_U64, (uint64_t)p->nbatches);
		display_field(&x->d, "flow_mods", "", COL_U64, (uint64_t)p->nmods);
		display_field(&x->d, "flow_messages", "", COL_U64, (uint64_t)p->nfmsgs);
		display_field(&x->d, "applied", "", COL_BOOL, (int)applied);
		display_object_end(&x->d);
		return;
	}
	if (p->nops + p->nmods == 0) {
		printf("no changes: the switch is as %s says\n", p->file);
		return;
	}
	if (p->remove)
		printf("(removed: not in %s, which is the switch's whole desired state)\n",
		       p->file);
	if (applied)
		printf("Applied: %u added, %u changed, %u removed (%u operation%s", p->add,
		       p->change, p->remove, p->nops, p->nops == 1 ? "" : "s");
	else
		printf("Plan: %u to add, %u to change, %u to remove (%u operation%s", p->add,
		       p->change, p->remove, p->nops, p->nops == 1 ? "" : "s");
	if (p->nbatches > 1)
		printf(" in %u batches", p->nbatches);
	if (p->nmods)
		printf(", %u flow mod%s in %u message%s", p->nmods, p->nmods == 1 ? "" : "s",
		       p->nfmsgs, p->nfmsgs == 1 ? "" : "s");
	printf(")\n");
}

/* Load, read the switch, diff.  @return an exit code. */
static int prepare(struct ctx *x, struct plan *p)
{
	int ret = load(x, p);

	if (ret == 0)
		ret = read_running(x, p);
	if (ret == 0 && make_plan(x, p) < 0)
		ret = EXIT_REFUSED; /* make_plan said why */
	return ret;
}

static void print_head(struct ctx *x, const struct plan *p)
{
	display_begin(&x->d);
	if (x->d.json) {
		display_field(&x->d, "file", "", COL_STR, p->file);
		display_field(&x->d, "switch", "", COL_STR, p->cfg->name);
	}
}

int cmd_plan(struct ctx *x, int argc, char **argv)
{
	struct plan p = {.file = argv[0]};
	int ret;

	(void)argc;
	ret = prepare(x, &p);
	if (ret == 0) {
		print_head(x, &p);
		print_ops(x, &p);
		print_summary(x, &p, false);
		display_end(&x->d);
	}
	plan_free(&p);
	return ret;
}

int cmd_apply(struct ctx *x, int argc, char **argv)
{
	struct plan p = {.file = argv[0]};
	unsigned int b;
	int ret;

	(void)argc;
	ret = prepare(x, &p);
	for (b = 0; ret == 0 && b < p.nbatches; b++) {
		ret = cli_request(x, SYD_MSG_BATCH, &p.batch[b], NULL, NULL);
		if (ret == EXIT_REFUSED && b == 0)
			fprintf(stderr, "sydctl: apply: nothing was changed\n");
		else if (ret && b > 0)
			fprintf(stderr,
				"sydctl: apply: %u of %u batches were applied (each is all or "
				"nothing); run sydctl plan %s to see what is left\n",
				b, p.nbatches, p.file);
	}
	for (b = 0; ret == 0 && b < p.nfmsgs; b++) {
		ret = cli_request(x, SYD_MSG_FLOW_MOD, &p.fmsg[b], NULL, NULL);
		if (ret && b + p.nbatches == 0)
			fprintf(stderr, "sydctl: apply: nothing was changed\n");
		else if (ret)
			fprintf(stderr,
				"sydctl: apply: %u of %u batches and %u of %u flow messages were "
				"applied (each is all or nothing); run sydctl plan %s to see what is "
				"left\n",
				p.nbatches, p.nbatches, b, p.nfmsgs, p.file);
	}
	if (ret == 0) {
		print_head(x, &p);
		print_ops(x, &p);
		print_summary(x, &p, true);
		display_end(&x->d);
	}
	plan_free(&p);
	return ret;
}

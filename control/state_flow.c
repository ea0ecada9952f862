/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow rules of a desired state (state.h): FLOW_MOD's semantics, changes that can be
 * taken back, and the diff of two states' rules as FLOW_MOD messages.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowtext.h"
#include "proto_flow.h"
#include "state.h"

/* One change: the rule before and after (NULL: none).  A step holds a reference to old;
 * new's belongs to the set. */
struct state_undo_step {
	struct flow_rec *old;
	struct flow_rec *new;
};

static bool has_port(const struct state *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nports; i++)
		if (strcmp(s->port[i].name, name) == 0)
			return true;
	return false;
}

static bool has_net(const struct state *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nnets; i++)
		if (strcmp(s->net[i].name, name) == 0)
			return true;
	return false;
}

/* "table=0,priority=200,tcp,tp_dst=22": a rule's identity, for messages. */
static const char *identity_text(const struct syd_flow *f, char *buf, size_t len)
{
	char m[FLOWTEXT_MAX];

	flowtext_format_match(&f->match, m, sizeof(m));
	snprintf(buf, len, "table=%u,priority=%u%s%s", f->table, f->priority, m[0] ? "," : "", m);
	return buf;
}

/* The names a rule uses must exist: as the dataplane, which resolves them when added. */
static int check_refs(const struct state *s, const struct syd_flow *f, char *err, size_t errlen)
{
	unsigned int k;

	if ((f->match.fields & SYD_FM_IN_PORT) && !has_port(s, f->match.in_port))
		return syd_fail(err, errlen, -ENOENT, "in_port: no port named '%s'", f->match.in_port);
	if ((f->match.fields & SYD_FM_NETWORK) && !has_net(s, f->match.network))
		return syd_fail(err, errlen, -ENOENT, "network: no network named '%s'",
			    f->match.network);
	for (k = 0; k < f->nactions && k < SYD_FLOW_ACTIONS; k++)
		if (f->action[k].type == SYD_FA_OUTPUT && !has_port(s, f->action[k].port))
			return syd_fail(err, errlen, -ENOENT, "action %u (output): no port named '%s'",
				    k, f->action[k].port);
	return 0;
}

/* Room for k more steps, before anything changes. */
static int reserve_steps(struct state_undo *u, size_t k)
{
	struct state_undo_step *p;
	size_t cap;

	if (u == NULL || u->n + k <= u->cap)
		return 0;
	cap = u->cap ? u->cap : 64;
	while (cap < u->n + k)
		cap *= 2;
	p = realloc(u->step, cap * sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	u->step = p;
	u->cap = cap;
	return 0;
}

/* Record a change (room reserved), or drop old's reference when there is no log. */
static void step(struct state_undo *u, struct flow_rec *old, struct flow_rec *new)
{
	if (u)
		u->step[u->n++] = (struct state_undo_step){.old = old, .new = new};
	else
		flowset_rec_put(old);
}

static int delete_loose(struct state *s, const struct syd_flow *d, struct state_undo *u)
{
	struct syd_flow_match dm;
	size_t i, hits = 0;
	int ret;

	proto_flow_delete_match(d, &dm);
	for (i = 0; i < s->flows.n; i++)
		hits += proto_flow_covers(d, &dm, &s->flows.rec[i]->flow);
	ret = reserve_steps(u, hits);
	if (ret < 0)
		return ret;
	/* Downwards: take() moves the last rule, already seen, into the hole. */
	for (i = s->flows.n; i-- > 0;)
		if (proto_flow_covers(d, &dm, &s->flows.rec[i]->flow))
			step(u, flowset_take(&s->flows, i), NULL);
	return 0;
}

/* One mod, leaving s unchanged when refused; errors without the mod's name. */
static int apply_mod(struct state *s, const struct syd_flow_mod *m, struct state_undo *u, char *err,
		     size_t errlen)
{
	const struct syd_flow *f = &m->flow;
	struct flow_rec *r;
	char id[FLOWTEXT_MAX + 40];
	long i;
	int ret;

	if (m->command == SYD_FC_DELETE)
		return delete_loose(s, f, u) < 0 ? syd_fail(err, errlen, -ENOMEM, "out of memory") : 0;
	i = flowset_find(&s->flows, f);
	if (i < 0 && (m->command == SYD_FC_MODIFY || m->command == SYD_FC_DELETE_STRICT))
		return syd_fail(err, errlen, -ENOENT, "no rule %s", identity_text(f, id, sizeof(id)));
	if (reserve_steps(u, 1) < 0)
		return syd_fail(err, errlen, -ENOMEM, "out of memory");
	if (m->command == SYD_FC_DELETE_STRICT) {
		step(u, flowset_take(&s->flows, (size_t)i), NULL);
		return 0;
	}
	if (m->command != SYD_FC_ADD && m->command != SYD_FC_MODIFY)
		return syd_fail(err, errlen, -EINVAL, "unknown command %u", m->command);
	ret = check_refs(s, f, err, errlen);
	if (ret < 0)
		return ret;
	if (i < 0 && s->flows.n >= STATE_MAX_FLOWS)
		return syd_fail(err, errlen, -ENOSPC, "%u flow rules at most", STATE_MAX_FLOWS);
	r = flowset_rec_new(f); /* MODIFY: f has the rule's identity, and the new rest */
	if (r == NULL)
		return syd_fail(err, errlen, -ENOMEM, "out of memory");
	if (i >= 0) {
		step(u, flowset_replace(&s->flows, (size_t)i, r), r);
	} else if (flowset_insert(&s->flows, r) < 0) {
		flowset_rec_put(r);
		return syd_fail(err, errlen, -ENOMEM, "out of memory");
	} else {
		step(u, NULL, r);
	}
	return 0;
}

int state_apply_flow_mod(struct state *s, const struct syd_flow_mod *m, char *err, size_t errlen)
{
	char why[SYD_PROTO_TEXT_MAX];
	int ret = apply_mod(s, m, NULL, why, sizeof(why));

	if (ret < 0)
		syd_fail(err, errlen, ret, "%s: %s", proto_flow_command_name(m->command), why);
	return ret;
}

int state_stage_flow_batch(struct state *s, const struct syd_flow_batch *b, struct state_undo *u,
			   char *err, size_t errlen)
{
	char why[SYD_PROTO_TEXT_MAX];
	struct proto_flow_iter it;
	struct syd_flow_mod m;
	uint32_t i;
	int ret;

	state_undo_keep(u);
	proto_flow_iter_init(&it, b);
	for (i = 0; proto_flow_iter_next(&it, &m); i++) {
		ret = apply_mod(s, &m, u, why, sizeof(why));
		if (ret < 0) {
			state_undo(s, u);
			return syd_fail(err, errlen, ret, "mod %u (%s): %s", i,
					proto_flow_command_name(m.command), why);
		}
	}
	return 0;
}

int state_apply_flow_batch(struct state *s, const struct syd_flow_batch *b, char *err,
			   size_t errlen)
{
	struct state_undo u = {0};
	int ret = state_stage_flow_batch(s, b, &u, err, errlen);

	state_undo_free(&u);
	return ret;
}

void state_undo(struct state *s, struct state_undo *u)
{
	while (u->n > 0) {
		struct state_undo_step *st = &u->step[--u->n];
		long i = flowset_find(&s->flows, &(st->new ? st->new : st->old)->flow);

		if (st->new && st->old)
			flowset_rec_put(flowset_replace(&s->flows, (size_t)i, st->old));
		else if (st->new)
			flowset_rec_put(flowset_take(&s->flows, (size_t)i));
		else
			flowset_insert(&s->flows, st->old); /* the room it left is still there */
	}
}

void state_undo_keep(struct state_undo *u)
{
	while (u->n > 0)
		flowset_rec_put(u->step[--u->n].old);
}

void state_undo_free(struct state_undo *u)
{
	state_undo_keep(u);
	free(u->step);
	memset(u, 0, sizeof(*u));
}

/* ---- the diff ---- */

struct emitter {
	struct proto_buf b;
	int (*emit)(struct proto_buf *b, void *arg);
	void *arg;
	bool open;
};

static int flush(struct emitter *e)
{
	if (!e->open)
		return 0;
	e->open = false;
	proto_finish(&e->b);
	return e->emit(&e->b, e->arg);
}

static int add_mod(struct emitter *e, uint16_t command, const struct syd_flow *f)
{
	struct syd_flow_mod m = {.command = command};
	int ret = 0;

	if (command == SYD_FC_DELETE_STRICT) {
		m.flow.table = f->table;
		m.flow.priority = f->priority;
		m.flow.match = f->match;
	} else {
		m.flow = *f;
	}
	if (e->open) {
		ret = proto_flow_mod_append(&e->b, &m);
		if (ret != -E2BIG) /* a full message is sent, the mod goes in the next */
			return ret;
		ret = flush(e);
	}
	if (ret == 0)
		ret = proto_flow_mod_begin(&e->b, 0);
	if (ret < 0)
		return ret;
	e->open = true;
	return proto_flow_mod_append(&e->b, &m);
}

int state_diff_flows(const struct state *want, const struct state *have,
		     int (*emit)(struct proto_buf *b, void *arg), void *arg)
{
	struct emitter e = {.emit = emit, .arg = arg};
	struct syd_flow f;
	size_t i;
	long j;
	int ret = 0, n = 0;

	for (i = 0; ret == 0 && i < have->flows.n; i++) {
		const struct syd_flow *h = &have->flows.rec[i]->flow;

		if (flowset_find(&want->flows, h) >= 0)
			continue;
		ret = add_mod(&e, SYD_FC_DELETE_STRICT, h);
		n++;
	}
	for (i = 0; ret == 0 && i < want->flows.n; i++) {
		const struct flow_rec *w = want->flows.rec[i];

		j = flowset_find(&have->flows, &w->flow);
		if (j >= 0 && flowset_same_body(&have->flows.rec[j]->flow, &w->flow))
			continue;
		flowset_rec_get(w, &f);
		ret = add_mod(&e, SYD_FC_ADD, &f);
		n++;
	}
	if (ret == 0)
		ret = flush(&e);
	proto_buf_free(&e.b);
	return ret < 0 ? ret : n;
}

size_t state_nflows(const struct state *s)
{
	return s->flows.n;
}

size_t state_forget_idle_flows(struct state *want, const struct state *have)
{
	size_t i, n = 0;

	for (i = want->flows.n; i-- > 0;) {
		const struct flow_rec *r = want->flows.rec[i];

		if (r->flow.idle_timeout && flowset_find(&have->flows, &r->flow) < 0) {
			flowset_rec_put(flowset_take(&want->flows, i));
			n++;
		}
	}
	return n;
}

static bool names(const struct syd_flow *f, const char *port, const char *network)
{
	unsigned int k;

	if (port && (f->match.fields & SYD_FM_IN_PORT) && strcmp(f->match.in_port, port) == 0)
		return true;
	if (network && (f->match.fields & SYD_FM_NETWORK) && strcmp(f->match.network, network) == 0)
		return true;
	for (k = 0; port && k < f->nactions; k++)
		if (f->action[k].type == SYD_FA_OUTPUT && strcmp(f->action[k].port, port) == 0)
			return true;
	return false;
}

void state_drop_flows_of(struct state *s, const char *port, const char *network)
{
	size_t i;

	for (i = s->flows.n; i-- > 0;)
		if (names(&s->flows.rec[i]->flow, port, network))
			flowset_rec_put(flowset_take(&s->flows, i));
}

int state_add_flow_dump(struct state *s, const struct syd_hdr *h)
{
	struct proto_flow_stats_iter it;
	struct syd_flow_stats e;

	proto_flow_stats_begin(&it, h);
	while (proto_flow_stats_next(&it, &e)) {
		struct flow_rec *r;
		long j;

		if (s->flows.n >= STATE_MAX_FLOWS)
			return -ENOSPC;
		r = flowset_rec_new(&e.flow);
		if (r == NULL)
			return -ENOMEM;
		j = flowset_find(&s->flows, &r->flow);
		if (j >= 0) {
			flowset_rec_put(flowset_replace(&s->flows, (size_t)j, r));
		} else if (flowset_insert(&s->flows, r) < 0) {
			flowset_rec_put(r);
			return -ENOMEM;
		}
	}
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* flows: as text with positions (flows.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flows.h"

struct text {
	char s[FLOWS_TEXT_MAX];
	size_t n;
	bool full;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(t->s + t->n, sizeof(t->s) - t->n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= sizeof(t->s) - t->n)
		t->full = true;
	else
		t->n += (size_t)k;
}

/* match: {FIELD: VALUE, SHORTHAND: null}: "FIELD=VALUE,SHORTHAND". */
static int match_text(const struct value_ctx *x, const struct node *m, const char *where,
		      struct text *t)
{
	char v[VALUE_TEXT_MAX];
	size_t i;
	int ret;

	if (node_is_null(m))
		return 0;
	if (m->type != NODE_MAP)
		return value_error(x, m,
				   "%s: expected a mapping of fields (such as {ip: null, nw_dst: "
				   "10.1.0.9}), not %s",
				   where, node_kind(m));
	for (i = 0; i < m->n; i++) {
		const struct node *k = m->kid[2 * i], *val = m->kid[2 * i + 1];

		if (strlen(k->text) != k->len || k->len == 0 || strpbrk(k->text, "=, \t") != NULL)
			return value_error(x, k, "%s: '%s' is not a field name", where, k->text);
		if (node_is_null(val)) {
			put(t, "%s%s", t->n ? "," : "", k->text); /* a shorthand: ip, tcp, ... */
			continue;
		}
		ret = value_text(x, val, where, "a field's value", v);
		if (ret < 0)
			return ret;
		put(t, "%s%s=%s", t->n ? "," : "", k->text, v);
	}
	return 0;
}

/* actions: [ACTION, ...] or one string. */
static int actions_text(const struct value_ctx *x, const struct node *a, const char *where,
			struct text *t)
{
	char v[VALUE_TEXT_MAX];
	size_t i;
	int ret;

	if (a->type != NODE_SEQ) {
		ret = value_text(x, a, where, "a list of actions (such as [output:vm2])", v);
		if (ret == 0)
			put(t, " actions=%s", v);
		return ret;
	}
	if (a->n == 0)
		return value_error(x, a, "%s: no actions: say [drop] to drop", where);
	for (i = 0; i < a->n; i++) {
		ret = value_text(x, a->kid[i], where, "an action (such as output:vm2)", v);
		if (ret < 0)
			return ret;
		put(t, "%s%s", i ? "," : " actions=", v);
	}
	return 0;
}

/* The mapping form, as text. */
static int map_text(const struct value_ctx *x, const struct node *n, const char *where,
		    struct text *t)
{
	static const char *const keys[] = {"table",	   "priority", "cookie",
					   "idle_timeout", "match",    "actions"};
	const struct node *val[6] = {NULL};
	char v[VALUE_TEXT_MAX];
	size_t i, j;
	int ret;

	for (i = 0; i < n->n; i++) {
		const struct node *k = n->kid[2 * i];

		for (j = 0; j < 6 && strcmp(k->text, keys[j]) != 0; j++)
			;
		if (j == 6 || strlen(k->text) != k->len)
			return value_error(
				x, k,
				"%s: unknown key '%s' (expected table, priority, cookie, "
				"idle_timeout, match, actions)",
				where, k->text);
		if (val[j])
			return value_error(x, k, "%s: duplicate key '%s' (first at line %u)", where,
					   keys[j], val[j]->line);
		val[j] = n->kid[2 * i + 1];
	}
	if (val[5] == NULL)
		return value_error(x, n, "%s: missing 'actions' (such as [output:vm2], or [drop])",
				   where);
	for (j = 0; j < 4; j++) {
		if (val[j] == NULL)
			continue;
		ret = value_text(x, val[j], where, "a number", v);
		if (ret < 0)
			return ret;
		put(t, "%s%s=%s", t->n ? "," : "", keys[j], v);
	}
	ret = val[4] ? match_text(x, val[4], where, t) : 0;
	if (ret == 0)
		ret = actions_text(x, val[5], where, t);
	return ret;
}

int config_read_flows(const struct value_ctx *x, struct syd_config *c, const struct node *list)
{
	char where[32];
	size_t i;
	int ret;

	if (node_is_null(list))
		return 0;
	if (list->type != NODE_SEQ)
		return value_error(x, list, "flows: expected a list of flow rules, not %s",
				   node_kind(list));
	if (list->n > CONFIG_MAX_FLOWS)
		return value_error(x, list->kid[CONFIG_MAX_FLOWS],
				   "flows[%d]: at most %d flow rules", CONFIG_MAX_FLOWS,
				   CONFIG_MAX_FLOWS);
	c->flow = calloc(list->n ? list->n : 1, sizeof(*c->flow));
	if (c->flow == NULL)
		return -ENOMEM;
	for (i = 0; i < list->n; i++) {
		const struct node *n = list->kid[i];
		struct text *t = malloc(sizeof(*t));

		if (t == NULL)
			return -ENOMEM;
		t->n = 0;
		t->full = false;
		t->s[0] = '\0';
		snprintf(where, sizeof(where), "flows[%zu]", i);
		if (n->type == NODE_MAP)
			ret = map_text(x, n, where, t);
		else
			ret = value_text(
				x, n, where,
				"a flow rule (a string such as \"priority=200,ip actions=drop\", "
				"or a mapping with match and actions)",
				t->s);
		if (ret == 0 && t->full)
			ret = value_error(x, n, "%s: longer than %d bytes", where,
					  FLOWS_TEXT_MAX - 1);
		if (ret == 0) {
			c->flow[i].text = strdup(t->s);
			ret = c->flow[i].text ? 0 : -ENOMEM;
		}
		free(t);
		if (ret < 0)
			return ret;
		c->flow[i].pos = (struct config_pos){n->line, n->col};
		c->nflows++;
	}
	return 0;
}

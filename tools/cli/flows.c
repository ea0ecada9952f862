/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sydctl's flow verbs, in the manner of ovs-ofctl: add-flow, add-flows, mod-flows,
 * del-flows, dump-flows and flow-trace.  Rules are text (control/flowtext.h), parsed and
 * checked here exactly as the switch checks them, so a bad rule is a usage error (exit 2)
 * and nothing is sent.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "flowtext.h"
#include "proto_flow.h"

/* The arguments as one text: a rule may come in one quoted word or in several. */
static char *join(int argc, char **argv)
{
	size_t n = 1;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		n += strlen(argv[i]) + 1;
	s = calloc(1, n);
	for (i = 0; s && i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static int text_error(struct ctx *x, const char *err)
{
	fprintf(stderr, "sydctl: %s: %s (see sydctl %s --help)\n", x->verb, err, x->verb);
	return EXIT_USAGE;
}

/* One FLOW_MOD of n mods, checked here first as the switch will.  @return an exit code. */
static int send_mods(struct ctx *x, const struct syd_flow_mod *mods, unsigned int n)
{
	struct proto_buf b = {0};
	char err[SYD_PROTO_TEXT_MAX];
	struct syd_hdr *h;
	unsigned int i;
	int ret;

	ret = proto_flow_mod_begin(&b, 0);
	for (i = 0; ret == 0 && i < n; i++)
		ret = proto_flow_mod_append(&b, &mods[i]);
	if (ret < 0) { /* the mods were checked: only memory can be short */
		proto_buf_free(&b);
		fprintf(stderr, "sydctl: %s: out of memory\n", x->verb);
		return EXIT_REFUSED;
	}
	h = proto_finish(&b);
	ret = proto_check(h, h->length, err, sizeof(err));
	if (ret < 0) {
		proto_buf_free(&b);
		return text_error(x, err);
	}
	ret = cli_request(x, SYD_MSG_FLOW_MOD, &b, NULL, NULL);
	proto_buf_free(&b);
	return ret;
}

/* One rule from the command line, sent as one mod. */
static int send_rule(struct ctx *x, uint16_t command, int argc, char **argv)
{
	struct syd_flow_mod m = {.command = command};
	char err[SYD_PROTO_TEXT_MAX], *text = join(argc, argv);
	int ret = text ? flowtext_parse(text, &m.flow, err, sizeof(err)) : -ENOMEM;

	free(text);
	if (ret < 0)
		return text_error(x, ret == -ENOMEM ? "out of memory" : err);
	return send_mods(x, &m, 1);
}

int cmd_add_flow(struct ctx *x, int argc, char **argv)
{
	return send_rule(x, SYD_FC_ADD, argc, argv);
}

int cmd_mod_flows(struct ctx *x, int argc, char **argv)
{
	return send_rule(x, SYD_FC_MODIFY, argc, argv);
}

int cmd_del_flows(struct ctx *x, int argc, char **argv)
{
	struct syd_flow_mod m = {.command = SYD_FC_DELETE};
	char err[SYD_PROTO_TEXT_MAX], *text;
	bool strict = argc > 0 && strcmp(argv[0], "--strict") == 0;
	int ret;

	if (strict) {
		m.command = SYD_FC_DELETE_STRICT;
		argc--;
		argv++;
		if (argc == 0)
			return cli_usage_error(x, "%s: give the rule's match", "--strict");
	}
	text = join(argc, argv);
	ret = text ? flowtext_parse_match(text, strict, &m.flow, err, sizeof(err)) : -ENOMEM;
	free(text);
	if (ret < 0)
		return text_error(x, ret == -ENOMEM ? "out of memory" : err);
	return send_mods(x, &m, 1);
}

/* ---- add-flows FILE ---- */

static char *read_input(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	size_t cap = 1 << 16, n = 0, got;
	char *buf = NULL, *p;

	if (f == NULL)
		return NULL;
	for (;;) {
		p = realloc(buf, cap + 1);
		if (p == NULL) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = p;
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		cap *= 2;
	}
	if (buf && ferror(f)) {
		free(buf);
		buf = NULL;
	}
	if (f != stdin)
		fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

/* The next rule of the text at *pos: NULL at the end; *lineno counts lines. */
static char *next_rule(char *text, size_t len, size_t *pos, unsigned int *lineno)
{
	while (*pos < len) {
		char *line = text + *pos, *end = line + strcspn(line, "\n"); /* or its NUL */

		*end = '\0';
		*pos += (size_t)(end - line) + 1;
		(*lineno)++;
		line += strspn(line, " \t\r");
		if (line[0] != '\0' && line[0] != '#')
			return line;
	}
	return NULL;
}

int cmd_add_flows(struct ctx *x, int argc, char **argv)
{
	struct syd_flow_mod *mods;
	char err[SYD_PROTO_TEXT_MAX], *text, *rule;
	unsigned int lineno = 0, n = 0, sent = 0, batches = 0, first_line = 1;
	size_t len = 0, pos = 0;
	int ret = 0;

	(void)argc;
	text = read_input(argv[0], &len);
	if (text == NULL) {
		fprintf(stderr, "sydctl: add-flows: cannot read %s: %s\n", argv[0],
			strerror(errno));
		return EXIT_USAGE;
	}
	if (memchr(text, '\0', len)) {
		free(text);
		fprintf(stderr, "sydctl: add-flows: %s is not text (it has a NUL byte)\n", argv[0]);
		return EXIT_USAGE;
	}
	mods = calloc(SYD_FLOW_BATCH_MAX, sizeof(*mods));
	/* The whole file is checked first: a bad line sends nothing. */
	while (mods && (rule = next_rule(text, len, &pos, &lineno)) != NULL) {
		if (flowtext_parse(rule, &mods[0].flow, err, sizeof(err)) < 0) {
			fprintf(stderr, "sydctl: add-flows: %s:%u: %s (nothing was sent)\n",
				argv[0], lineno, err);
			ret = EXIT_USAGE;
			break;
		}
		n++;
	}
	/* Then sent, SYD_FLOW_BATCH_MAX rules a message, each all or nothing. */
	for (pos = 0, lineno = 0; mods && ret == 0 && sent < n; first_line = lineno + 1) {
		unsigned int k = 0;

		while (k < SYD_FLOW_BATCH_MAX && (rule = next_rule(text, len, &pos, &lineno))) {
			mods[k] = (struct syd_flow_mod){.command = SYD_FC_ADD};
			flowtext_parse(rule, &mods[k++].flow, NULL, 0);
		}
		ret = send_mods(x, mods, k);
		if (ret && batches > 0)
			fprintf(stderr,
				"sydctl: add-flows: the rules of lines %u-%u were refused; the %u "
				"before them were added\n",
				first_line, lineno, sent);
		else if (ret)
			fprintf(stderr, "sydctl: add-flows: nothing was added\n");
		sent += k;
		batches++;
	}
	if (mods == NULL) {
		fprintf(stderr, "sydctl: add-flows: out of memory\n");
		ret = EXIT_REFUSED;
	}
	free(mods);
	free(text);
	return ret;
}

/* ---- dump-flows ---- */

struct dump {
	struct ctx *x;
	int table; /* -1: every table */
};

static const struct col flow_cols[] = {
	{"cookie", "cookie", 0, COL_U64},
	{"table", "table", 0, COL_U64},
	{"priority", "priority", 0, COL_U64},
	{"match", "match", 0, COL_STR},
	{"actions", "actions", 0, COL_STR},
	{"packets", "n_packets", 0, COL_U64},
	{"bytes", "n_bytes", 0, COL_U64},
	{"duration_s", "duration", 0, COL_U64},
	{"idle_timeout", "idle_timeout", 0, COL_U64},
	{"idle_age_s", "idle_age", 0, COL_U64},
	{"rule", "rule", 0, COL_STR},
};

static int print_flows(const struct syd_hdr *h, void *arg)
{
	struct dump *d = arg;
	char match[FLOWTEXT_MAX], actions[FLOWTEXT_MAX], rule[FLOWTEXT_MAX];
	struct proto_flow_stats_iter it;
	struct syd_flow_stats e;

	if (h->type != SYD_MSG_FLOWS)
		return 0;
	proto_flow_stats_begin(&it, h);
	while (proto_flow_stats_next(&it, &e)) {
		const struct syd_flow *f = &e.flow;

		if (d->table >= 0 && f->table != d->table)
			continue;
		flowtext_format_match(&f->match, match, sizeof(match));
		flowtext_format_actions(f, actions, sizeof(actions));
		if (d->x->d.json) {
			flowtext_format(f, rule, sizeof(rule));
			display_row(&d->x->d, f->cookie, (uint64_t)f->table, (uint64_t)f->priority,
				    match, actions, e.packets, e.bytes, (uint64_t)e.age_s,
				    (uint64_t)f->idle_timeout, (uint64_t)e.idle_s, rule);
			continue;
		}
		/* ovs-ofctl dump-flows' line */
		printf("cookie=0x%" PRIx64 ", duration=%" PRIu32 "s, table=%u, n_packets=%" PRIu64
		       ", n_bytes=%" PRIu64 ", ",
		       f->cookie, e.age_s, f->table, e.packets, e.bytes);
		if (f->idle_timeout)
			printf("idle_timeout=%u, ", f->idle_timeout);
		printf("idle_age=%" PRIu32 ", priority=%u%s%s actions=%s\n", e.idle_s, f->priority,
		       match[0] ? "," : "", match, actions);
	}
	return 0;
}

int cmd_dump_flows(struct ctx *x, int argc, char **argv)
{
	struct dump d = {.x = x, .table = -1};
	int ret;

	if (argc == 2 && strcmp(argv[0], "--table") == 0) {
		char *end;
		long t = strtol(argv[1], &end, 10);

		if (*end != '\0' || argv[1][0] == '\0' || t < 0 || t >= SYD_FLOW_TABLES)
			return cli_usage_error(x, "--table %s: a table is 0-15", argv[1]);
		d.table = (int)t;
	} else if (argc > 0) {
		return cli_usage_error(x, "unexpected '%s'", argv[0]);
	}
	display_begin(&x->d);
	if (x->d.json)
		display_list_begin(&x->d, "flows", NULL, flow_cols, 11);
	ret = cli_request(x, SYD_MSG_DUMP_FLOWS, NULL, print_flows, &d);
	if (ret) {
		display_abort(&x->d);
		return ret;
	}
	if (x->d.json)
		display_list_end(&x->d);
	display_end(&x->d);
	return 0;
}

/* ---- flow-trace ---- */

/* The steps of the trace, copied (the client's buffer is reused). */
static int collect_steps(const struct syd_hdr *h, void *arg)
{
	struct entries *e = arg;
	size_t n = proto_entries(h, e->size);
	uint8_t *p;

	if (h->type != e->type)
		return 0;
	p = realloc(e->data, (e->n + n) * e->size);
	if (p == NULL)
		return -ENOMEM;
	e->data = p;
	memcpy(e->data + e->n * e->size, proto_body(h), n * e->size);
	e->n += n;
	return 0;
}

static int print_step(const struct syd_flow_step *s, struct ctx *x)
{
	char match[FLOWTEXT_MAX], actions[FLOWTEXT_MAX], rule[FLOWTEXT_MAX * 2 + 32] = "";

	if (s->matched) {
		flowtext_format_match(&s->flow.match, match, sizeof(match));
		flowtext_format_actions(&s->flow, actions, sizeof(actions));
		snprintf(rule, sizeof(rule), "priority=%u%s%s actions=%s", s->flow.priority,
			 match[0] ? "," : "", match, actions);
	}
	if (x->d.json) {
		display_row(&x->d, s->table == 0xff ? "outcome" : "table", (uint64_t)s->table,
			    (int)s->matched, rule, s->flow.cookie, s->what);
	} else if (s->table == 0xff) {
		printf("Final: %s\n", s->what);
	} else {
		printf("table %u: %s", s->table, s->matched ? rule : "no rule matched");
		if (s->matched && s->flow.cookie)
			printf(" (cookie=0x%" PRIx64 ")", s->flow.cookie);
		printf("\n    %s\n", s->what);
	}
	return 0;
}

int cmd_flow_trace(struct ctx *x, int argc, char **argv)
{
	static const struct col cols[] = {
		{"step", "step", 0, COL_STR},	     {"table", "table", 0, COL_U64},
		{"matched", "matched", 0, COL_BOOL}, {"rule", "rule", 0, COL_STR},
		{"cookie", "cookie", 0, COL_U64},    {"what", "what", 0, COL_STR},
	};
	struct syd_flow_probe probe;
	struct proto_buf b = {0};
	struct entries e = {.type = SYD_MSG_FLOW_STEPS, .size = sizeof(struct syd_flow_step)};
	char err[SYD_PROTO_TEXT_MAX], text[FLOWTEXT_MAX], *in = join(argc, argv);
	size_t i;
	int ret = in ? flowtext_parse_probe(in, &probe, err, sizeof(err)) : -ENOMEM;

	free(in);
	if (ret < 0)
		return text_error(x, ret == -ENOMEM ? "out of memory" : err);
	proto_begin(&b, SYD_MSG_FLOW_TRACE, 0);
	proto_append(&b, &probe, sizeof(probe));
	ret = cli_request(x, SYD_MSG_FLOW_TRACE, &b, collect_steps, &e);
	proto_buf_free(&b);
	if (ret) {
		free(e.data);
		return ret;
	}
	flowtext_format_probe(&probe, text, sizeof(text));
	display_begin(&x->d);
	if (x->d.json) {
		display_field(&x->d, "packet", "", COL_STR, text);
		display_list_begin(&x->d, "steps", NULL, cols, 6);
	} else {
		printf("Flow: %s\n\n", text);
	}
	for (i = 0; i < e.n; i++)
		print_step((const struct syd_flow_step *)(e.data + i * e.size), x);
	if (x->d.json)
		display_list_end(&x->d);
	display_end(&x->d);
	free(e.data);
	return 0;
}

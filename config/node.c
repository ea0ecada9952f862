/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "node.h"

#define STD_TAG "tag:yaml.org,2002:" /* what !! stands for */

/* An open mapping or sequence, and how much of its kid array is used and allocated. */
struct level {
	struct node *n;
	size_t used, slots;
};

struct builder {
	struct node *root;
	struct level stack[NODE_MAX_DEPTH];
	int depth;
	size_t count;
	int ndocs;
	struct node_error *e;
};

static int refuse(struct builder *b, const yaml_mark_t *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(struct builder *b, const yaml_mark_t *at, const char *fmt, ...)
{
	va_list ap;

	b->e->line = (unsigned int)at->line + 1;
	b->e->col = (unsigned int)at->column + 1;
	va_start(ap, fmt);
	vsnprintf(b->e->text, sizeof(b->e->text), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void node_free(struct node *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkid; i++)
		node_free(n->kid[i]);
	free(n->kid);
	free(n->text);
	free(n);
}

/* Hang a new node under the open collection (or make it the root). */
static int attach(struct builder *b, struct node *n, const yaml_mark_t *at)
{
	struct level *l;

	if (b->depth == 0) {
		b->root = n;
		return 0;
	}
	l = &b->stack[b->depth - 1];
	if (l->n->type == NODE_MAP && l->used % 2 == 0 && n->type != NODE_SCALAR) {
		const char *what = n->type == NODE_MAP ? "a mapping" : "a list";

		node_free(n);
		return refuse(b, at, "a key must be a plain word, not %s", what);
	}
	if (l->used == l->slots) {
		size_t slots = l->slots ? 2 * l->slots : 4;
		struct node **k = realloc(l->n->kid, slots * sizeof(*k));

		if (k == NULL) {
			node_free(n);
			return -ENOMEM;
		}
		l->n->kid = k;
		l->slots = slots;
	}
	l->n->kid[l->used++] = n;
	l->n->nkid = l->used;
	l->n->n = l->n->type == NODE_MAP ? l->used / 2 : l->used;
	return 0;
}

static int new_node(struct builder *b, enum node_type type, const yaml_mark_t *at,
		    const yaml_char_t *anchor, const yaml_char_t *tag, struct node **out)
{
	struct node *n;

	if (anchor != NULL)
		return refuse(b, at,
			      "anchors (&%s) and aliases are not supported: write the value "
			      "out",
			      (const char *)anchor);
	if (tag != NULL) {
		const char *t = (const char *)tag;
		bool std = strncmp(t, STD_TAG, strlen(STD_TAG)) == 0;

		return refuse(b, at, "YAML tags (%s%s) are not supported: write the plain value",
			      std ? "!!" : "", std ? t + strlen(STD_TAG) : t);
	}
	if (++b->count > NODE_MAX_NODES)
		return refuse(b, at,
			      "more than %d YAML nodes: this is not a switch's configuration",
			      NODE_MAX_NODES);
	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return -ENOMEM;
	n->type = type;
	n->line = (unsigned int)at->line + 1;
	n->col = (unsigned int)at->column + 1;
	*out = n;
	return 0;
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct node *n;
	int ret = new_node(b, NODE_SCALAR, &ev->start_mark, ev->data.scalar.anchor,
			   ev->data.scalar.tag, &n);

	if (ret < 0)
		return ret;
	n->len = ev->data.scalar.length;
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	n->text = malloc(n->len + 1);
	if (n->text == NULL) {
		free(n);
		return -ENOMEM;
	}
	memcpy(n->text, ev->data.scalar.value, n->len);
	n->text[n->len] = '\0';
	return attach(b, n, &ev->start_mark);
}

static int on_start(struct builder *b, const yaml_event_t *ev)
{
	bool map = ev->type == YAML_MAPPING_START_EVENT;
	struct node *n;
	int ret;

	if (b->depth == NODE_MAX_DEPTH)
		return refuse(b, &ev->start_mark, "nested deeper than %d levels", NODE_MAX_DEPTH);
	ret = new_node(b, map ? NODE_MAP : NODE_SEQ, &ev->start_mark,
		       map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor,
		       map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag, &n);
	if (ret < 0)
		return ret;
	ret = attach(b, n, &ev->start_mark);
	if (ret < 0)
		return ret;
	b->stack[b->depth++] = (struct level){.n = n};
	return 0;
}

static int on_event(struct builder *b, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (b->ndocs++ > 0)
			return refuse(b, &ev->start_mark,
				      "a second YAML document: one document per file");
		return 0;
	case YAML_ALIAS_EVENT:
		return refuse(b, &ev->start_mark,
			      "aliases (*%s) and anchors are not supported: write the value out",
			      (const char *)ev->data.alias.anchor);
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return on_start(b, ev);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		b->depth--;
		return 0;
	default:
		return 0;
	}
}

/* libyaml's own complaint, with its place. */
static int syntax_error(struct builder *b, const yaml_parser_t *p, const char *text, size_t len)
{
	const char *problem = p->problem ? p->problem : "cannot be parsed";
	char where[96] = "";

	if (p->error == YAML_MEMORY_ERROR)
		return -ENOMEM;
	if (p->error == YAML_READER_ERROR) {
		/* The reader reports a byte offset, not a mark. */
		yaml_mark_t m = {0};
		size_t i;

		for (i = 0; i < p->problem_offset && i < len; i++) {
			if (text[i] == '\n') {
				m.line++;
				m.column = 0;
			} else {
				m.column++;
			}
		}
		return refuse(b, &m, "not valid YAML: %s", problem);
	}
	if (p->context != NULL)
		snprintf(where, sizeof(where), " (%s at line %zu, column %zu)", p->context,
			 p->context_mark.line + 1, p->context_mark.column + 1);
	return refuse(b, &p->problem_mark, "not valid YAML: %s%s", problem, where);
}

int node_parse(const char *text, size_t len, struct node **root, struct node_error *e)
{
	struct builder b = {.e = e};
	yaml_parser_t p;
	yaml_event_t ev;
	bool end = false;
	int ret = 0;

	*root = NULL;
	memset(e, 0, sizeof(*e));
	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!end && ret == 0) {
		if (!yaml_parser_parse(&p, &ev)) {
			ret = syntax_error(&b, &p, text, len);
			break;
		}
		ret = on_event(&b, &ev);
		end = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	if (ret < 0) {
		node_free(b.root);
		return ret;
	}
	*root = b.root;
	return 0;
}

bool node_is_null(const struct node *n)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	size_t i;

	if (n->type != NODE_SCALAR || !n->plain)
		return false;
	for (i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (strcmp(n->text, nulls[i]) == 0)
			return true;
	return false;
}

const char *node_kind(const struct node *n)
{
	if (n->type == NODE_MAP)
		return "a mapping";
	if (n->type == NODE_SEQ)
		return "a list";
	return node_is_null(n) ? "nothing" : "a single value";
}

const struct node *node_get(const struct node *map, const char *key)
{
	size_t i;

	if (map->type != NODE_MAP)
		return NULL;
	for (i = 0; i < map->n; i++)
		if (strcmp(map->kid[2 * i]->text, key) == 0)
			return map->kid[2 * i + 1];
	return NULL;
}

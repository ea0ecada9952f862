/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A YAML document as a tree of positioned nodes: scalars, mappings and sequences, each
 * with the line and column it starts at, so every later error can name its place.
 *
 * Built from libyaml's event API with an explicit stack.  Only plain YAML is taken:
 * anchors, aliases and tags are refused (no alias expansion, so no billion laughs), keys
 * must be scalars, one document per file, nesting at most NODE_MAX_DEPTH deep and at
 * most NODE_MAX_NODES nodes.  Plain memory; used by config.c only.
 */
#ifndef SYD_CONFIG_NODE_H
#define SYD_CONFIG_NODE_H

#include <stdbool.h>
#include <stddef.h>

#define NODE_MAX_DEPTH 16      /* the schema needs 5 */
#define NODE_MAX_NODES 1000000 /* 65536 static MACs take about 330,000 */

enum node_type {
	NODE_SCALAR = 1,
	NODE_MAP,
	NODE_SEQ,
};

struct node {
	enum node_type type;
	unsigned int line; /* 1-based */
	unsigned int col;  /* 1-based, in characters */
	/* scalars */
	char *text;  /* NUL-terminated (a NUL inside shows as len > strlen(text)) */
	size_t len;
	bool plain;  /* written without quotes or block indicators */
	/* mappings: kid[2i] is a key (a scalar), kid[2i+1] its value; sequences: items */
	size_t n;    /* pairs or items */
	size_t nkid; /* entries of kid: 2n for mappings (one more while a key waits), n */
	struct node **kid;
};

/* Where a document went wrong. */
struct node_error {
	unsigned int line, col; /* 1-based */
	char text[256];
};

/*
 * Parse len bytes of text into a tree.  @return 0 with *root set (NULL when the text
 * holds no document: empty, or only comments); -EINVAL with e filled (a syntax error,
 * or something refused above); -ENOMEM.  Nothing to free on error.
 */
int node_parse(const char *text, size_t len, struct node **root, struct node_error *e);

/* Free a tree (NULL is fine). */
void node_free(struct node *n);

/* A plain scalar YAML reads as null: "", "~", "null", "Null", "NULL". */
bool node_is_null(const struct node *n);

/* "a mapping", "a list", "null", "a string": what a node is, for error messages. */
const char *node_kind(const struct node *n);

/* The value of key in mapping map (keys compared exactly), or NULL. */
const struct node *node_get(const struct node *map, const char *key);

#endif /* SYD_CONFIG_NODE_H */

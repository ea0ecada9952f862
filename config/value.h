/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Typed values from the scalars of a YAML tree (node.h), for config.c: each reader takes
 * the value node and where it is ("networks[1].vni"), checks the value, and on a bad one
 * writes the error, "file:line:column: where: what is wrong", and returns -EINVAL.
 * Every reader first expands ${NAME} and ${NAME:-default} from the environment ("$$" is
 * a "$"), and refuses null, lists, mappings and NUL characters.
 */
#ifndef SYD_CONFIG_VALUE_H
#define SYD_CONFIG_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "node.h"

#define VALUE_TEXT_MAX 1024 /* a scalar after ${} expansion, NUL included */
#define VALUE_SHOW_LEN 48   /* user text quoted in a message, NUL included */

/* Where errors go. */
struct value_ctx {
	const char *file;
	char *err;
	size_t errlen;
};

/* Write "file:line:col: " and the message (at NULL: 1:1).  @return -EINVAL. */
int value_error(const struct value_ctx *x, const struct node *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* s fit for a message into buf (VALUE_SHOW_LEN): control bytes as '?', long text cut. */
const char *value_show(const char *s, char *buf);

/* The text, expanded, into out (VALUE_TEXT_MAX bytes); what names the expected value. */
int value_text(const struct value_ctx *x, const struct node *v, const char *where,
	       const char *what, char *out);
/* A name: 1-24 of [A-Za-z0-9_-], into out (CONFIG_NAME_LEN). */
int value_name(const struct value_ctx *x, const struct node *v, const char *where,
	       const char *what, char *out);
/* A plain decimal number from min to max; what is "a VNI" and the like. */
int value_uint(const struct value_ctx *x, const struct node *v, const char *where,
	       const char *what, uint32_t min, uint32_t max, uint32_t *out);
/* One of words[]: *out gets its index + 1. */
int value_word(const struct value_ctx *x, const struct node *v, const char *where,
	       const char *what, const char *const *words, int nwords, int *out);
/* A unicast IPv4 address a VTEP may have (not 0/8, 127/8 or 224/3), network order. */
int value_vtep_addr(const struct value_ctx *x, const struct node *v, const char *where,
		    uint32_t *out);
/* A station's MAC, xx:xx:xx:xx:xx:xx: not zero, not multicast. */
int value_mac(const struct value_ctx *x, const struct node *v, const char *where, uint8_t *mac);
/* A kernel interface name (1-15 bytes, no '/', ':' or whitespace) into out (16 bytes). */
int value_ifname(const struct value_ctx *x, const struct node *v, const char *where, char *out);
/* An absolute socket path of at most 107 bytes into out (CONFIG_PATH_LEN). */
int value_socket(const struct value_ctx *x, const struct node *v, const char *where, char *out);

#endif /* SYD_CONFIG_VALUE_H */

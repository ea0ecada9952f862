/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow text's parser, shared by flowtext.c (values, match fields, the whole text) and
 * flowtext_actions.c (the action list).  Not part of flowtext.h's interface. */
#ifndef SYD_FLOWTEXT_PRIV_H
#define SYD_FLOWTEXT_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define NAME_RULE "1-24 letters, digits, '_' or '-'"
#define ACTIONS_HELP                                                                               \
	"drop, output:PORT, normal, flood, encap:A.B.C.D:VNI, push_vlan:VID, pop_vlan, "           \
	"set_vlan:VID, mod_dl_src:MAC, mod_dl_dst:MAC, goto_table:N"

enum mode {
	MODE_RULE,   /* a whole rule, with actions */
	MODE_LOOSE,  /* a loose delete's match */
	MODE_STRICT, /* a strict delete's table, priority and match */
	MODE_PROBE,  /* a packet */
};

struct parser {
	enum mode mode;
	struct syd_flow *f;
	uint32_t seen; /* 1 << enum key: fields given */
	char *err;
	size_t errlen;
};

/* Put a sentence in p->err.  @return -EINVAL. */
int ft_err(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Values: @return 0, or -EINVAL (not a number, above max, not a MAC or address). */
int ft_uint(const char *s, uint64_t max, uint64_t *out);
int ft_mac(const char *s, uint8_t *mac);
int ft_ip(const char *s, uint32_t *addr);
bool ft_name_ok(const char *s);

/* The text after "actions=" into p->f's actions.  @return 0 or -EINVAL (p->err set). */
int ft_actions(struct parser *p, char *s);

#endif /* SYD_FLOWTEXT_PRIV_H */

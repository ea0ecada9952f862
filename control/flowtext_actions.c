/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow text: the action list of a rule (flowtext.h), after "actions=". */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "flowtext.h"
#include "flowtext_priv.h"
#include "proto_flow.h"

static char *trim(char *s)
{
	char *e;

	s += strspn(s, " \t\r\n");
	e = s + strlen(s);
	while (e > s && strchr(" \t\r\n", e[-1]))
		*--e = '\0';
	return s;
}

/* encap(vtep=A.B.C.D,vni=N) arguments, between the parentheses. */
static int encap_args(char *args, struct syd_flow_action *a)
{
	char *save = NULL, *kv;
	uint64_t n;

	for (kv = strtok_r(args, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		kv = trim(kv);
		if (strncmp(kv, "vtep=", 5) == 0 && a->addr == 0) {
			if (ft_ip(kv + 5, &a->addr) < 0)
				return -EINVAL;
		} else if (strncmp(kv, "vni=", 4) == 0 && a->vni == 0) {
			if (ft_uint(kv + 4, SYD_VNI_MAX, &n) < 0)
				return -EINVAL;
			a->vni = (uint32_t)n;
		} else {
			return -EINVAL;
		}
	}
	return a->addr && a->vni ? 0 : -EINVAL;
}

static int parse_encap(struct parser *p, char *arg, bool paren, const char *tok,
		       struct syd_flow_action *a)
{
	char *colon;
	uint64_t n;
	int ret;

	a->type = SYD_FA_ENCAP;
	if (paren) {
		ret = encap_args(arg, a);
	} else {
		colon = strchr(arg, ':');
		ret = colon ? 0 : -EINVAL;
		if (ret == 0) {
			*colon = '\0';
			ret = ft_ip(arg, &a->addr);
		}
		if (ret == 0)
			ret = ft_uint(colon + 1, SYD_VNI_MAX, &n);
		if (ret == 0)
			a->vni = (uint32_t)n;
	}
	if (ret < 0)
		return ft_err(p, "%.80s: expected encap:A.B.C.D:VNI or encap(vtep=A.B.C.D,vni=VNI)",
			    tok);
	if (!proto_unicast_ipv4(a->addr))
		return ft_err(p, "%.80s: the VTEP must be a unicast IPv4 address", tok);
	if (a->vni == 0)
		return ft_err(p, "%.80s: not a VNI (1-%d)", tok, SYD_VNI_MAX);
	return 0;
}

/* A MAC an action sets: a source must be a station's; neither may be zero. */
static int check_set_mac(struct parser *p, const struct syd_flow_action *a, const char *tok)
{
	static const uint8_t zero[6];

	if (memcmp(a->mac, zero, 6) == 0)
		return ft_err(p, "%.80s: 00:00:00:00:00:00 is not a MAC to set", tok);
	if (a->type == SYD_FA_SET_ETH_SRC && (a->mac[0] & 1))
		return ft_err(p, "%.80s: a multicast MAC cannot be a source", tok);
	return 0;
}

/* set_field:VALUE->FIELD */
static int parse_set_field(struct parser *p, char *arg, const char *tok, struct syd_flow_action *a)
{
	char *arrow = strstr(arg, "->");
	uint64_t n;

	if (arrow == NULL)
		return ft_err(p, "%.80s: expected set_field:VALUE->FIELD", tok);
	*arrow = '\0';
	arrow += 2;
	if (strcmp(arrow, "eth_src") == 0 || strcmp(arrow, "dl_src") == 0 ||
	    strcmp(arrow, "eth_dst") == 0 || strcmp(arrow, "dl_dst") == 0) {
		a->type = strstr(arrow, "src") ? SYD_FA_SET_ETH_SRC : SYD_FA_SET_ETH_DST;
		if (ft_mac(arg, a->mac) < 0)
			return ft_err(p, "%.80s: not a MAC address (xx:xx:xx:xx:xx:xx)", tok);
		return check_set_mac(p, a, tok);
	}
	if (strcmp(arrow, "vlan_vid") == 0 || strcmp(arrow, "dl_vlan") == 0) {
		a->type = SYD_FA_SET_VLAN;
		if (ft_uint(arg, 4095, &n) < 0)
			return ft_err(p, "%.80s: not a VLAN id (0-4095)", tok);
		a->vlan = (uint16_t)n;
		return 0;
	}
	return ft_err(p, "%.80s: set_field sets eth_src, eth_dst or vlan_vid", tok);
}

static int parse_action(struct parser *p, char *tok)
{
	struct syd_flow *f = p->f;
	struct syd_flow_action *a;
	char name[32], *arg = NULL, show[96];
	size_t len = strcspn(tok, ":(");
	bool paren = tok[len] == '(';
	uint64_t n;
	unsigned int j;
	int ret = 0;

	snprintf(show, sizeof(show), "%s", tok);
	if (f->nactions == SYD_FLOW_ACTIONS)
		return ft_err(p, "%.80s: at most %d actions", show, SYD_FLOW_ACTIONS);
	if (len >= sizeof(name))
		return ft_err(p, "%.80s: unknown action (" ACTIONS_HELP ")", show);
	memcpy(name, tok, len);
	name[len] = '\0';
	if (tok[len] != '\0') {
		arg = tok + len + 1;
		if (paren) {
			size_t al = strlen(arg);

			if (al == 0 || arg[al - 1] != ')')
				return ft_err(p, "%.80s: ')' is missing", show);
			arg[al - 1] = '\0';
		}
	}
	a = &f->action[f->nactions];
	memset(a, 0, sizeof(*a));
#define NOARG()                                                                                    \
	do {                                                                                       \
		if (arg)                                                                           \
			return ft_err(p, "%.80s: %s takes no argument", show, name);                 \
	} while (0)
#define ARG(form)                                                                                  \
	do {                                                                                       \
		if (arg == NULL || paren)                                                          \
			return ft_err(p, "%.80s: expected " form, show);                             \
	} while (0)
	if (strcasecmp(name, "drop") == 0) {
		NOARG();
		a->type = SYD_FA_DROP;
	} else if (strcasecmp(name, "normal") == 0 || strcasecmp(name, "flood") == 0) {
		NOARG();
		a->type = strcasecmp(name, "normal") == 0 ? SYD_FA_NORMAL : SYD_FA_FLOOD;
	} else if (strcmp(name, "output") == 0) {
		ARG("output:PORT");
		if (!ft_name_ok(arg))
			return ft_err(p, "%.80s: not a port name (" NAME_RULE ")", show);
		a->type = SYD_FA_OUTPUT;
		strcpy(a->port, arg);
	} else if (strcmp(name, "encap") == 0) {
		if (arg == NULL)
			return ft_err(p,
				    "%.80s: expected encap:A.B.C.D:VNI or "
				    "encap(vtep=A.B.C.D,vni=VNI)",
				    show);
		ret = parse_encap(p, arg, paren, show, a);
	} else if (strcmp(name, "push_vlan") == 0 || strcmp(name, "set_vlan") == 0 ||
		   strcmp(name, "mod_vlan_vid") == 0) {
		if (arg == NULL || paren)
			return ft_err(p, "%.80s: expected a VLAN id, as %s:10", show, name);
		if (ft_uint(arg, 4095, &n) < 0)
			return ft_err(p, "%.80s: not a VLAN id (0-4095)", show);
		a->type = name[0] == 'p' ? SYD_FA_PUSH_VLAN : SYD_FA_SET_VLAN;
		a->vlan = (uint16_t)n;
	} else if (strcmp(name, "pop_vlan") == 0 || strcmp(name, "strip_vlan") == 0) {
		NOARG();
		a->type = SYD_FA_POP_VLAN;
	} else if (strcmp(name, "mod_dl_src") == 0 || strcmp(name, "mod_dl_dst") == 0) {
		ARG("MAC, as mod_dl_dst:02:00:00:00:00:09");
		if (ft_mac(arg, a->mac) < 0)
			return ft_err(p, "%.80s: not a MAC address (xx:xx:xx:xx:xx:xx)", show);
		a->type = name[7] == 's' ? SYD_FA_SET_ETH_SRC : SYD_FA_SET_ETH_DST;
		ret = check_set_mac(p, a, show);
	} else if (strcmp(name, "set_field") == 0) {
		ARG("set_field:VALUE->FIELD");
		ret = parse_set_field(p, arg, show, a);
	} else if (strcmp(name, "goto_table") == 0 || strcmp(name, "resubmit") == 0) {
		bool resubmit = name[0] == 'r';

		if (arg == NULL || paren != resubmit || (resubmit && arg[0] != ','))
			return ft_err(p, "%.80s: expected goto_table:N (or resubmit(,N))", show);
		if (ft_uint(arg + resubmit, SYD_FLOW_TABLES - 1, &n) < 0)
			return ft_err(p, "%.80s: not a table (0-%d)", show, SYD_FLOW_TABLES - 1);
		if (n <= f->table)
			return ft_err(p, "%.80s: a rule of table %u can only go to a later table",
				    show, f->table);
		a->type = SYD_FA_GOTO_TABLE;
		a->table = (uint8_t)n;
	} else {
		return ft_err(p, "%.80s: unknown action (" ACTIONS_HELP ")", show);
	}
#undef NOARG
#undef ARG
	if (ret < 0)
		return ret;
	/* What the actions mean together, said in the text's words. */
	for (j = 0; j < f->nactions; j++) {
		const struct syd_flow_action *b = &f->action[j];

		if (b->type == SYD_FA_GOTO_TABLE)
			return ft_err(p, "%.80s: goto_table must be the last action", show);
		if (b->type == SYD_FA_DROP || a->type == SYD_FA_DROP)
			return ft_err(p, "%.80s: drop must be the only action", show);
		if ((a->type == SYD_FA_NORMAL || a->type == SYD_FA_FLOOD) &&
		    (b->type == SYD_FA_NORMAL || b->type == SYD_FA_FLOOD))
			return ft_err(p, "%.80s: conflicts with %s (the packet would go out twice)",
				    show, b->type == SYD_FA_NORMAL ? "normal" : "flood");
		if (a->type == SYD_FA_OUTPUT && b->type == SYD_FA_OUTPUT &&
		    strcmp(a->port, b->port) == 0)
			return ft_err(p, "%.80s: given twice", show);
		if (a->type == SYD_FA_ENCAP && b->type == SYD_FA_ENCAP && a->addr == b->addr &&
		    a->vni == b->vni)
			return ft_err(p, "%.80s: given twice", show);
	}
	f->nactions++;
	return 0;
}

/* The action list: commas outside parentheses separate actions. */
int ft_actions(struct parser *p, char *s)
{
	int depth = 0, ret;
	char *start = s;

	if (*trim(s) == '\0')
		return ft_err(p, "actions=: the list is empty (actions=drop drops)");
	for (;; s++) {
		if (*s == '(')
			depth++;
		else if (*s == ')' && depth > 0)
			depth--;
		if ((*s == ',' && depth == 0) || *s == '\0') {
			bool last = *s == '\0';
			char *a;

			*s = '\0';
			a = trim(start);
			if (*a == '\0')
				return ft_err(p, "actions: an empty action between commas");
			ret = parse_action(p, a);
			if (ret < 0 || last)
				return ret;
			start = s + 1;
		}
	}
}


/* SPDX-License-Identifier: BSD-3-Clause */
/* sydctl's shared pieces: the context of one command, and the request helpers verbs use. */
#ifndef SYDCTL_CLI_H
#define SYDCTL_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "display.h"
#include "proto.h"

#define EXIT_REFUSED 1
#define EXIT_USAGE   2
#define EXIT_NOREACH 3
#define MAX_ENTRIES  70000

struct ctx {
	const char *socket;
	int timeout_ms;
	struct display d;
	struct syd_client c;
	bool connected;
	const char *verb;
};

/* Collected dump entries (copied, since the client's buffer is reused). */
struct entries {
	uint16_t type;
	size_t size, n;
	uint8_t *data;
};

/* Print "sydctl: VERB: <fmt>" and where to read more.  @return EXIT_USAGE. */
int cli_usage_error(struct ctx *x, const char *fmt, const char *arg);

/* Send a request (body NULL: an empty one of type); replies go to on_reply.
 * @return an exit code: 0, EXIT_REFUSED or EXIT_NOREACH (the reason printed). */
int cli_request(struct ctx *x, uint16_t type, struct proto_buf *body,
		int (*on_reply)(const struct syd_hdr *, void *), void *arg);

/* Collect a dump's entries of one type into e (free e->data).  @return an exit code. */
int cli_dump(struct ctx *x, uint16_t req, uint16_t type, size_t size, struct entries *e);

/* MAC as xx:xx:xx:xx:xx:xx into buf (18 bytes). */
void cli_mac_text(char *buf, const uint8_t *m);

/* A port or network name as the protocol takes it; else a usage error printed. */
int cli_check_name(struct ctx *x, const char *what, const char *name);

/* xx:xx:xx:xx:xx:xx, strictly.  @return 0 or -EINVAL. */
int cli_parse_mac(const char *s, uint8_t *mac);

/* GET_INFO into *i.  @return an exit code. */
int cli_get_info(struct ctx *x, struct syd_info *i);

/* Send one op as a batch, checked here first as the switch will.  @return an exit code. */
int cli_send_op(struct ctx *x, const struct syd_op *op);

/* The verbs that live in their own files. */
int cmd_show(struct ctx *x, int argc, char **argv);   /* show.c */
int cmd_drops(struct ctx *x, int argc, char **argv);  /* show.c */
int cmd_trace(struct ctx *x, int argc, char **argv);  /* trace.c */
int cmd_doctor(struct ctx *x, int argc, char **argv); /* doctor.c */
int cmd_add_network(struct ctx *x, int argc, char **argv); /* tunnel.c */
int cmd_set_vni(struct ctx *x, int argc, char **argv);
int cmd_add_vtep(struct ctx *x, int argc, char **argv);
int cmd_del_vtep(struct ctx *x, int argc, char **argv);
int cmd_set_uplink(struct ctx *x, int argc, char **argv);
int cmd_del_uplink(struct ctx *x, int argc, char **argv);
int cmd_add_flow(struct ctx *x, int argc, char **argv);   /* flows.c */
int cmd_add_flows(struct ctx *x, int argc, char **argv);
int cmd_mod_flows(struct ctx *x, int argc, char **argv);
int cmd_del_flows(struct ctx *x, int argc, char **argv);
int cmd_dump_flows(struct ctx *x, int argc, char **argv);
int cmd_flow_trace(struct ctx *x, int argc, char **argv);
int cli_show_uplink(struct ctx *x);
int cli_show_vteps(struct ctx *x);

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * syd-control's internals shared between its files: main.c (the poll loop, sydctl
 * clients, --config) and dplink.c (the link to syd-dataplane and the resync).
 */
#ifndef SYD_CONTROL_H
#define SYD_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include "client.h"
#include "metrics.h"
#include "proto.h"
#include "state.h"

#define MAX_CLIENTS    16
#define DP_TIMEOUT_MS  5000
#define RETRY_MS       1000
#define RESYNC_ROUNDS  64
#define SYNC_MS        100 /* appended changes reach the disk within this (fdatasync) */

struct sydctl_client {
	int fd;
	bool hello;
};

struct control {
	const char *dp_path;
	const char *listen_path;
	const char *state_path;
	struct state want;
	bool adopt; /* no state file yet: take the dataplane's state as the desired one */
	struct syd_client dp;
	bool dp_up;
	bool dp_warned;
	uint64_t next_try_ms;
	int lfd;
	struct sydctl_client cl[MAX_CLIENTS];
	uint8_t *in;
	struct proto_buf out;
	struct proto_buf fwd;
	struct metrics *metrics; /* --metrics, or NULL */
	struct state_undo undo;  /* the FLOW_MOD being applied */
	uint64_t appended;       /* bytes appended to the state file since it was saved whole */
	uint64_t sync_ms;        /* when the appended changes get synced; 0: all synced */
};

extern struct control g;

void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint64_t now_ms(void);

/* dplink.c */
void dp_down(const char *why);
void dp_try_connect(void);
void dp_readable(void);
void save_want(void);
int reconcile(const char *why);

#endif

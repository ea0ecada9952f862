/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus metrics: syd-control serves /metrics on a localhost port (libmicrohttpd).
 *
 * The HTTP server runs in libmicrohttpd's own thread, but only syd-control's main thread
 * may use the link to the dataplane.  So a scrape wakes the main loop through an eventfd
 * and waits (2 s at most) for it to read the dataplane and publish a fresh exposition
 * text; the HTTP thread only ever copies that text, under a mutex.  Every scrape sees the
 * counters as they are at that moment.
 */
#ifndef SYD_METRICS_H
#define SYD_METRICS_H

#include <stddef.h>

#include "client.h"

struct metrics;

/*
 * Listen on addr, "PORT" or "127.0.0.1:PORT" (localhost only: counters are not for the
 * network).  @return the server, or NULL with the reason in err.
 */
struct metrics *metrics_start(const char *addr, char *err, size_t errlen);

/* A descriptor that becomes readable when a scrape waits for fresh figures. */
int metrics_fd(const struct metrics *m);

/*
 * Main thread, when metrics_fd() is readable: read the dataplane through dp (NULL when it
 * is not connected: only syd_dataplane_up 0 is exposed) and publish the text.
 * @return 0, or the negative errno of a failed request (the link is then suspect).
 */
int metrics_serve(struct metrics *m, struct syd_client *dp);

void metrics_stop(struct metrics *m);

#endif /* SYD_METRICS_H */

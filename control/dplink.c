/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * syd-control's link to syd-dataplane: connect and reconnect, read the dataplane's
 * state, and send it the difference from the desired state until they agree.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "control.h"

void dp_down(const char *why)
{
	if (g.dp_up)
		logf_("lost the dataplane at %s (%s): it keeps forwarding; reconnecting every "
		      "%d ms",
		      g.dp_path, why, RETRY_MS);
	syd_client_close(&g.dp);
	g.dp_up = false;
	g.next_try_ms = now_ms() + RETRY_MS;
}

static void on_dp_event(const struct syd_hdr *h, void *arg)
{
	(void)arg;
	if (h->type == SYD_MSG_EVENT_LINK) {
		const struct syd_event_link *e = proto_body(h);

		logf_("port %s: link %s", e->port, e->up ? "up" : "down");
	}
}

static int read_actual(const struct syd_hdr *h, void *arg)
{
	return state_add_dump(arg, h);
}

static int dp_request(uint16_t type, int (*on_reply)(const struct syd_hdr *, void *), void *arg,
		      char *err, size_t errlen)
{
	int ret = proto_begin(&g.fwd, type, 0);

	if (ret == 0) {
		proto_finish(&g.fwd);
		ret = syd_client_request(&g.dp, &g.fwd, DP_TIMEOUT_MS, on_reply, arg, err, errlen);
	}
	return ret;
}

static int dp_read_state(struct state *have, char *err, size_t errlen)
{
	static const uint16_t dumps[] = {SYD_MSG_DUMP_NETWORKS, SYD_MSG_DUMP_VTEPS,
					 SYD_MSG_DUMP_PORTS, SYD_MSG_DUMP_MACS, SYD_MSG_GET_UPLINK};
	unsigned int i;
	int ret = 0;

	state_clear(have);
	for (i = 0; i < sizeof(dumps) / sizeof(dumps[0]) && ret == 0; i++)
		ret = dp_request(dumps[i], read_actual, have, err, errlen);
	return ret;
}

void save_want(void)
{
	char err[512];

	g.appended = 0;
	if (state_save(&g.want, g.state_path, err, sizeof(err)) < 0) {
		logf_("cannot save the desired state: %s", err);
		g.appended = UINT64_MAX / 2; /* the file is behind: no appending to it */
	}
}

/* Send one FLOW_MOD of the resync to the dataplane. */
static int send_flow_mod(struct proto_buf *b, void *err)
{
	return syd_client_request(&g.dp, b, DP_TIMEOUT_MS, NULL, NULL, err, SYD_PROTO_TEXT_MAX);
}

/* The flows part of a resync, once networks and ports agree.  @return mods sent or -errno. */
static int reconcile_flows(struct state *have, char *err)
{
	size_t gone;
	int ret = dp_request(SYD_MSG_DUMP_FLOWS, read_actual, have, err, SYD_PROTO_TEXT_MAX);

	if (ret == -EOPNOTSUPP) {
		if (state_nflows(&g.want))
			logf_("the dataplane has no flow tables: %zu flow rules not sent",
			      state_nflows(&g.want));
		return 0;
	}
	if (ret < 0)
		return ret;
	gone = state_forget_idle_flows(&g.want, have);
	if (gone) {
		logf_("%zu flow rules idled out in the dataplane: forgotten", gone);
		save_want();
	}
	return state_diff_flows(&g.want, have, send_flow_mod, err);
}

/* Read the dataplane's state, send the difference, repeat until nothing differs (a
 * difference larger than one batch goes in several).  why, when not NULL, opens the log
 * line.  @return the number of ops sent; -ENOTCONN when the dataplane went away; another
 * negative errno when the dataplane refused or the batch could not be built. */
int reconcile(const char *why)
{
	static struct state have;
	char err[SYD_PROTO_TEXT_MAX];
	int round, n, ret, total = 0;

	if (have.mac == NULL && state_init(&have) < 0)
		return -ENOMEM;
	for (round = 0; round < RESYNC_ROUNDS; round++) {
		ret = dp_read_state(&have, err, sizeof(err));
		if (ret < 0) {
			dp_down(err);
			return -ENOTCONN;
		}
		if (g.adopt) {
			ret = dp_request(SYD_MSG_DUMP_FLOWS, read_actual, &have, err, sizeof(err));
			if ((ret < 0 && ret != -EOPNOTSUPP) || state_copy(&g.want, &have) < 0) {
				logf_("cannot adopt the dataplane's configuration: %s",
				      ret < 0 ? err : "out of memory");
				return ret < 0 ? ret : -ENOMEM;
			}
			g.adopt = false;
			save_want();
			logf_("no state file: adopted the dataplane's configuration (%u networks, "
			      "%u ports, %u static MACs, %zu flows) as the desired state",
			      have.nnets, have.nports, have.nmacs, state_nflows(&have));
			return 0;
		}
		proto_begin(&g.fwd, SYD_MSG_BATCH, 0);
		n = state_diff(&g.want, &have, &g.fwd);
		if (n == 0)
			break;
		if (n < 0 && n != -E2BIG && n != -EMSGSIZE) {
			logf_("cannot build the resync batch: %s", strerror(-n));
			return n;
		}
		proto_finish(&g.fwd);
		ret = syd_client_request(&g.dp, &g.fwd, DP_TIMEOUT_MS, NULL, NULL, err, sizeof(err));
		if (ret == -EPIPE || ret == -ETIMEDOUT || ret == -EBADMSG) {
			dp_down(err);
			return -ENOTCONN;
		}
		if (ret < 0 && why) {
			logf_("%s: the dataplane refused it: %s", why, err);
			return ret;
		}
		if (ret < 0) {
			logf_("the dataplane refused the resync: %s (the desired state is kept; "
			      "fix the cause and restart syd-control, or change the state with "
			      "sydctl)",
			      err);
			return ret;
		}
		total += ((struct syd_batch *)(g.fwd.data + sizeof(struct syd_hdr)))->count;
	}
	if (round == RESYNC_ROUNDS) {
		logf_("resync did not converge after %d rounds", RESYNC_ROUNDS);
		return -EAGAIN;
	}
	n = reconcile_flows(&have, err);
	if (n == -EPIPE || n == -ETIMEDOUT || n == -EBADMSG) {
		dp_down(err);
		return -ENOTCONN;
	}
	if (n < 0) {
		logf_("%s%sthe dataplane refused the flow rules' resync: %s", why ? why : "",
		      why ? ": " : "", err);
		return n;
	}
	err[0] = '\0';
	if (n > 0)
		snprintf(err, SYD_PROTO_TEXT_MAX, ", and %d flow mods", n);
	logf_("%s%sdataplane in sync with the desired state (%d changes sent)%s", why ? why : "",
	      why ? ": " : "", total, err);
	return total + n;
}

void dp_try_connect(void)
{
	char err[512];
	int ret;

	if (g.dp_up || now_ms() < g.next_try_ms)
		return;
	ret = syd_client_connect(&g.dp, g.dp_path, "syd-control " SYD_VERSION, DP_TIMEOUT_MS, err,
				 sizeof(err));
	if (ret < 0) {
		if (!g.dp_warned)
			logf_("dataplane not reachable: %s; retrying every %d ms", err, RETRY_MS);
		g.dp_warned = true;
		g.next_try_ms = now_ms() + RETRY_MS;
		return;
	}
	g.dp.on_event = on_dp_event;
	g.dp_up = true;
	g.dp_warned = false;
	logf_("connected to %s at %s", g.dp.peer, g.dp_path);
	reconcile(NULL);
}

/* Events or a hang-up arriving while no request is outstanding. */
void dp_readable(void)
{
	char err[SYD_PROTO_TEXT_MAX];
	ssize_t n = recv(g.dp.fd, g.in, SYD_PROTO_MSG_MAX, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		dp_down(n == 0 ? "connection closed" : strerror(errno));
		return;
	}
	if (proto_check(g.in, (size_t)n, err, sizeof(err)) < 0) {
		dp_down(err);
		return;
	}
	on_dp_event((const struct syd_hdr *)g.in, NULL);
}

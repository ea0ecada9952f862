/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * syd-bench: plays VMs on virtio-user ports attached to a switch's vhost-user sockets.
 * main parses the command line, starts the EAL on one lcore, opens the ports, waits for
 * their links, runs the mode (stream or peer) and unwinds everything.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "options.h"
#include "peer.h"
#include "port.h"
#include "search.h"
#include "stream.h"

#define MAIN_EXIT_FAILED 1
#define MAIN_EXIT_USAGE	 2
#define MAIN_EXIT_PORT	 3

#define MAIN_EAL_ARGS_MAX 64
#define MAIN_MBUFS_MIN	  8191
#define MAIN_MBUF_CACHE	  256

static volatile sig_atomic_t main_stop;

static void main_on_signal(int sig)
{
	(void)sig;
	main_stop = 1;
}

/*
 * SIGINT and SIGTERM set main_stop and interrupt system calls (no SA_RESTART), so a
 * server-mode port waiting for the switch gives up.  They are blocked while the EAL
 * starts, so its threads inherit a mask that leaves them to this thread.
 */
static void main_catch_signals(sigset_t *blocked)
{
	struct sigaction sa = {.sa_handler = main_on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a reader that went away is not a reason to die */
	sigemptyset(blocked);
	sigaddset(blocked, SIGINT);
	sigaddset(blocked, SIGTERM);
}

static int main_start_eal(const struct options *o)
{
	/* Static: the EAL may keep pointers into its arguments for the process's life. */
	static char lcore[16], mem[16], *argv[MAIN_EAL_ARGS_MAX + 1], *extra;
	char *tok, *save = NULL;
	int argc = 0, ret;

	snprintf(lcore, sizeof(lcore), "%u", o->lcore);
	snprintf(mem, sizeof(mem), "%u", o->mem_mb);
	argv[argc++] = "syd-bench";
	argv[argc++] = "-l";
	argv[argc++] = lcore;
	argv[argc++] = "--file-prefix";
	argv[argc++] = (char *)o->file_prefix;
	argv[argc++] = "-m";
	argv[argc++] = mem;
	argv[argc++] = "--no-pci";
	/* The switch maps our memory through one file descriptor per segment list. */
	argv[argc++] = "--single-file-segments";
	argv[argc++] = "--no-telemetry";
	argv[argc++] = "--log-level=*:warning";
	if (o->eal_extra != NULL) {
		extra = strdup(o->eal_extra);
		if (extra == NULL)
			return -ENOMEM;
		for (tok = strtok_r(extra, " ", &save); tok != NULL;
		     tok = strtok_r(NULL, " ", &save)) {
			if (argc == MAIN_EAL_ARGS_MAX) {
				fprintf(stderr, "syd-bench: --eal: too many arguments\n");
				return -E2BIG;
			}
			argv[argc++] = tok;
		}
	}
	argv[argc] = NULL;
	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr,
			"syd-bench: cannot start DPDK: %s (enough free hugepages for --mem %u? "
			"another process with --file-prefix %s? core %u exists?)\n",
			rte_strerror(rte_errno), o->mem_mb, o->file_prefix, o->lcore);
		return -rte_errno;
	}
	return 0;
}

/* The EAL answers a core it cannot use with its whole usage text: say it in one line. */
static int main_check_core(unsigned int lcore)
{
	cpu_set_t cpus;
	unsigned int c;

	if (sched_getaffinity(0, sizeof(cpus), &cpus) < 0 ||
	    (lcore < CPU_SETSIZE && CPU_ISSET(lcore, &cpus)))
		return 0;
	fprintf(stderr, "syd-bench: --core %u: not a CPU this process may run on (it may use",
		lcore);
	for (c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &cpus))
			fprintf(stderr, " %u", c);
	fprintf(stderr, ")\n");
	return -EINVAL;
}

/* Enough mbufs to fill every port's rx and tx rings, and some to send with. */
static struct rte_mempool *main_create_pool(unsigned int nports)
{
	unsigned int n = RTE_MAX(nports * 2 * PORT_RING_SIZE + 2048, (unsigned int)MAIN_MBUFS_MIN);
	struct rte_mempool *mp;

	mp = rte_pktmbuf_pool_create("syd_bench_mbufs", n, MAIN_MBUF_CACHE, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (mp == NULL)
		fprintf(stderr, "syd-bench: cannot create a pool of %u mbufs: %s (raise --mem)\n",
			n, rte_strerror(rte_errno));
	return mp;
}

static void main_report_no_link(const struct port_spec *spec, unsigned int timeout_s)
{
	if (spec->server)
		fprintf(stderr,
			"syd-bench: port %s: no link after %u s (is the switch running, with a "
			"vhost-user client port connecting to %s?)\n",
			spec->path, timeout_s, spec->path);
	else
		fprintf(stderr,
			"syd-bench: port %s: no link after %u s (is the switch running and its "
			"socket at %s?)\n",
			spec->path, timeout_s, spec->path);
}

/* Open every port and wait for every link.  @return 0 or an exit status. */
static int main_open_ports(const struct options *o, struct port *ports, struct rte_mempool *mp)
{
	const uint64_t deadline_ms = port_now_ms() + o->link_timeout_s * 1000ULL;
	char err[256];
	unsigned int i;
	int ret;

	for (i = 0; i < o->nports; i++) {
		ret = port_open(&ports[i], &o->port[i], i, mp, deadline_ms, &main_stop, err,
				sizeof(err));
		if (ret == -ETIMEDOUT)
			main_report_no_link(&o->port[i], o->link_timeout_s);
		else if (ret == -EINTR)
			fprintf(stderr, "syd-bench: stopped while starting port %s\n",
				o->port[i].path);
		else if (ret < 0)
			fprintf(stderr, "syd-bench: port %s: %s\n", o->port[i].path, err);
		if (ret < 0)
			return ret == -EINTR ? MAIN_EXIT_FAILED : MAIN_EXIT_PORT;
	}
	for (i = 0; i < o->nports; i++) {
		ret = port_wait_link(&ports[i], deadline_ms, &main_stop);
		if (ret == -EINTR) {
			fprintf(stderr, "syd-bench: stopped while waiting for links\n");
			return MAIN_EXIT_FAILED;
		}
		if (ret < 0) {
			main_report_no_link(&o->port[i], o->link_timeout_s);
			return MAIN_EXIT_PORT;
		}
	}
	return 0;
}

static int main_run_mode(const struct options *o, const struct port *ports, struct rte_mempool *mp)
{
	int ret;

	if (o->mode == OPTIONS_MODE_STREAM)
		ret = stream_run(&o->stream, ports, o->nports, mp, &main_stop);
	else if (o->mode == OPTIONS_MODE_SEARCH)
		ret = search_run(&o->stream, ports, o->nports, mp, &main_stop);
	else
		ret = peer_run(ports, o->nports, mp, &main_stop);
	if (ret == -EINTR) {
		fprintf(stderr, "syd-bench: stopped before anything was measured\n");
		return MAIN_EXIT_FAILED;
	}
	if (ret < 0) {
		fprintf(stderr, "syd-bench: %s failed: %s\n",
			o->mode == OPTIONS_MODE_PEER ? "peer" : "stream", strerror(-ret));
		return MAIN_EXIT_FAILED;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct options o;
	static struct port ports[PORT_MAX];
	struct rte_mempool *mp;
	sigset_t blocked;
	unsigned int i;
	int ret;

	ret = options_parse(&o, argc, argv);
	if (ret != 0)
		return ret > 0 ? 0 : MAIN_EXIT_USAGE;

	if (main_check_core(o.lcore) < 0)
		return MAIN_EXIT_USAGE;

	main_catch_signals(&blocked);
	pthread_sigmask(SIG_BLOCK, &blocked, NULL);
	ret = main_start_eal(&o);
	pthread_sigmask(SIG_UNBLOCK, &blocked, NULL);
	if (ret < 0)
		return MAIN_EXIT_FAILED;

	mp = main_create_pool(o.nports);
	if (mp == NULL) {
		rte_eal_cleanup();
		return MAIN_EXIT_FAILED;
	}
	ret = main_open_ports(&o, ports, mp);
	if (ret == 0)
		ret = main_run_mode(&o, ports, mp);

	for (i = o.nports; i-- > 0;)
		port_close(&ports[i]);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return ret;
}

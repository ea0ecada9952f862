/* SPDX-License-Identifier: BSD-3-Clause */
/* syd-bench: command line, EAL with one virtio-user vdev per --port, then the mode. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "bench.h"

volatile bool bench_quit;

static void on_signal(int sig)
{
	(void)sig;
	bench_quit = true;
}

static void usage(void)
{
	printf("Usage: syd-bench MODE [OPTIONS]\n"
	       "\n"
	       "Plays VMs on virtio-user ports attached to a switch's vhost-user sockets.\n"
	       "\n"
	       "Modes:\n"
	       "  stream   paired ports (0<->1, 2<->3...) send UDP frames to each other; prints\n"
	       "           Mpps each second and a summary\n"
	       "  peer     a scripted VM for tests: commands on stdin (send, recv, clear, link,\n"
	       "           quit), one JSON line per answer on stdout\n"
	       "\n"
	       "Options:\n"
	       "  --port PATH[,server][,mac=MAC]  a virtio-user port on the switch's socket PATH;\n"
	       "                         server: we create the socket (the switch's port is a\n"
	       "                         vhost-user client); MAC default 02:5e:00:00:00:<n+1>\n"
	       "  --core N               the lcore to run on (default 0)\n"
	       "  --file-prefix P        DPDK file prefix (default syd-bench-<pid>)\n"
	       "  --mem MB               hugepage memory (default 128)\n"
	       "  --link-timeout S       wait this long for each port's link (default 10)\n"
	       "  --eal \"ARGS\"           more EAL arguments\n"
	       "stream:\n"
	       "  --size BYTES           frame size without FCS, 60-1514 (default 60: 64 on the wire)\n"
	       "  --flows N              vary the UDP source port over N values (default 1)\n"
	       "  --rate PPS             per port (default 0: as fast as possible)\n"
	       "  --duration S           measured seconds (default 10)\n"
	       "  --warmup S             seconds sent before measuring (default 1)\n"
	       "  -o json                summary as one JSON object on stdout\n"
	       "  --quiet                no per-second lines\n");
}

static int fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "syd-bench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see --help)\n");
	return -EINVAL;
}

static int num(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return (errno || *end || end == s || *s == '-' || *out < min || *out > max) ? -EINVAL : 0;
}

static int parse_port(struct bench_opts *o, char *arg)
{
	struct bench_port *p = &o->port[o->nports];
	char *save = NULL, *tok = strtok_r(arg, ",", &save);

	if (o->nports == BENCH_MAX_PORTS)
		return fail("at most 16 ports%s", "");
	if (tok == NULL || strlen(tok) >= BENCH_PATH_MAX)
		return fail("--port '%s': give a socket path shorter than 108 bytes", arg);
	memset(p, 0, sizeof(*p));
	strcpy(p->path, tok);
	p->mac = (struct rte_ether_addr){{0x02, 0x5e, 0, 0, 0, (uint8_t)(o->nports + 1)}};
	while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
		if (strcmp(tok, "server") == 0)
			p->server = true;
		else if (strncmp(tok, "mac=", 4) == 0 &&
			 rte_ether_unformat_addr(tok + 4, &p->mac) == 0)
			;
		else
			return fail("--port: unknown or bad setting '%s' (server, mac=MAC)", tok);
	}
	o->nports++;
	return 0;
}

static int parse(int argc, char **argv, struct bench_opts *o)
{
	static const struct option lo[] = {
		{"port", required_argument, NULL, 'p'},
		{"core", required_argument, NULL, 'c'},
		{"file-prefix", required_argument, NULL, 'f'},
		{"mem", required_argument, NULL, 'm'},
		{"link-timeout", required_argument, NULL, 'L'},
		{"eal", required_argument, NULL, 'E'},
		{"size", required_argument, NULL, 's'},
		{"flows", required_argument, NULL, 'F'},
		{"rate", required_argument, NULL, 'r'},
		{"duration", required_argument, NULL, 'd'},
		{"warmup", required_argument, NULL, 'w'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	unsigned long v;
	int c;

	o->mem_mb = 128;
	o->link_timeout_s = 10;
	o->size = 60;
	o->flows = 1;
	o->duration_s = 10;
	o->warmup_s = 1;
	snprintf(o->file_prefix, sizeof(o->file_prefix), "syd-bench-%d", (int)getpid());
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ho:", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_port(o, optarg) < 0)
				return -EINVAL;
			break;
		case 'c':
			if (num(optarg, 0, 1023, &v) < 0)
				return fail("--core '%s': expected a core number", optarg);
			o->core = (unsigned int)v;
			break;
		case 'f':
			if (strlen(optarg) == 0 || strlen(optarg) >= sizeof(o->file_prefix))
				return fail("--file-prefix '%s': 1 to 63 characters", optarg);
			strcpy(o->file_prefix, optarg);
			break;
		case 'm':
			if (num(optarg, 16, 1 << 20, &v) < 0)
				return fail("--mem '%s': expected megabytes, at least 16", optarg);
			o->mem_mb = (unsigned int)v;
			break;
		case 'L':
			if (num(optarg, 1, 3600, &v) < 0)
				return fail("--link-timeout '%s': expected seconds", optarg);
			o->link_timeout_s = (unsigned int)v;
			break;
		case 'E':
			o->eal_extra = optarg;
			break;
		case 's':
			if (num(optarg, 60, 1514, &v) < 0)
				return fail("--size '%s': expected 60 to 1514 bytes", optarg);
			o->size = (unsigned int)v;
			break;
		case 'F':
			if (num(optarg, 1, 65535 - 1024, &v) < 0)
				return fail("--flows '%s': expected 1 to 64511", optarg);
			o->flows = (unsigned int)v;
			break;
		case 'r':
			if (num(optarg, 0, 1000000000, &v) < 0)
				return fail("--rate '%s': expected packets per second", optarg);
			o->rate_pps = v;
			break;
		case 'd':
			if (num(optarg, 1, 86400, &v) < 0)
				return fail("--duration '%s': expected seconds", optarg);
			o->duration_s = (unsigned int)v;
			break;
		case 'w':
			if (num(optarg, 0, 3600, &v) < 0)
				return fail("--warmup '%s': expected seconds", optarg);
			o->warmup_s = (unsigned int)v;
			break;
		case 'o':
			if (strcmp(optarg, "json") != 0)
				return fail("-o '%s': only json", optarg);
			o->json = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			usage();
			exit(0);
		default:
			return fail("unknown option or missing value: '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return fail("unexpected argument '%s'", argv[optind]);
	if (o->nports == 0)
		return fail("give at least one --port%s", "");
	return 0;
}

static int eal_start(struct bench_opts *o)
{
	static char vdev[BENCH_MAX_PORTS][256];
	char core[16], mem[16], *argv[64], *extra, *save = NULL, *tok;
	int argc = 0;
	unsigned int i;

	snprintf(core, sizeof(core), "%u", o->core);
	snprintf(mem, sizeof(mem), "%u", o->mem_mb);
	argv[argc++] = "syd-bench";
	argv[argc++] = "-l";
	argv[argc++] = core;
	argv[argc++] = "--file-prefix";
	argv[argc++] = o->file_prefix;
	argv[argc++] = "-m";
	argv[argc++] = mem;
	argv[argc++] = "--no-pci";
	/* virtio-user shares its memory with the switch: one file per segment list. */
	argv[argc++] = "--single-file-segments";
	argv[argc++] = "--log-level=lib.eal:warning";
	argv[argc++] = "--log-level=pmd.net.virtio.*:warning";
	for (i = 0; i < o->nports; i++) {
		char mac[RTE_ETHER_ADDR_FMT_SIZE];

		rte_ether_format_addr(mac, sizeof(mac), &o->port[i].mac);
		snprintf(vdev[i], sizeof(vdev[i]),
			 "net_virtio_user%u,path=%s,queues=1,queue_size=1024,mac=%s%s", i,
			 o->port[i].path, mac, o->port[i].server ? ",server=1" : "");
		argv[argc++] = "--vdev";
		argv[argc++] = vdev[i];
	}
	extra = o->eal_extra ? strdup(o->eal_extra) : NULL;
	for (tok = extra ? strtok_r(extra, " ", &save) : NULL; tok && argc < 62;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return rte_eal_init(argc, argv);
}

int main(int argc, char **argv)
{
	static struct bench_opts o;
	struct rte_mempool *mp;
	const char *mode;
	int ret;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage();
		return argc < 2 ? 2 : 0;
	}
	mode = argv[1];
	if (strcmp(mode, "stream") != 0 && strcmp(mode, "peer") != 0) {
		fprintf(stderr, "syd-bench: unknown mode '%s': stream or peer (see --help)\n",
			mode);
		return 2;
	}
	if (parse(argc - 1, argv + 1, &o) < 0)
		return 2;
	if (strcmp(mode, "stream") == 0 && (o.nports % 2) != 0) {
		fprintf(stderr, "syd-bench: stream pairs ports: give an even number of --port\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	if (eal_start(&o) < 0) {
		fprintf(stderr, "syd-bench: EAL start failed: %s (free hugepages? another process "
				"with --file-prefix %s?)\n",
			rte_strerror(rte_errno), o.file_prefix);
		return 1;
	}
	mp = rte_pktmbuf_pool_create("bench_mbufs", 8191, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     (int)rte_socket_id());
	if (mp == NULL) {
		fprintf(stderr, "syd-bench: cannot create the mbuf pool: %s\n",
			rte_strerror(rte_errno));
		rte_eal_cleanup();
		return 1;
	}
	ret = bench_ports_start(&o, mp);
	if (ret == 0)
		ret = strcmp(mode, "stream") == 0 ? stream_run(&o, mp) : peer_run(&o, mp);
	bench_ports_stop(&o);
	rte_mempool_free(mp);
	rte_eal_cleanup();
	return ret == 0 ? 0 : 1;
}

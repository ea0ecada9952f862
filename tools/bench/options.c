/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <arpa/inet.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "options.h"

#define OPTIONS_MEM_MB	       128
#define OPTIONS_LINK_TIMEOUT_S 10
#define OPTIONS_DURATION_S     10
#define OPTIONS_WARMUP_S       1

void options_print_usage(FILE *f)
{
	fprintf(f,
		"Usage: syd-bench MODE --port PATH [--port PATH...] [OPTIONS]\n"
		"\n"
		"Plays VMs: each --port is a virtio-user NIC on a switch's vhost-user socket.\n"
		"\n"
		"Modes:\n"
		"  stream   ports in pairs (0<->1, 2<->3, ...) send UDP frames to each other;\n"
		"           Mpps each second, then a summary of the measured period\n"
		"  search   as stream, but an RFC 2544 binary search over the offered rate: the\n"
		"           highest rate with no loss (NDR) and with at most --pdr-loss (PDR),\n"
		"           after one trial as fast as possible (max); one line per trial\n"
		"  peer     a scripted VM for tests: commands on stdin (send, recv, clear, link,\n"
		"           quit), one JSON line per answer on stdout\n"
		"\n"
		"Options:\n"
		"  --port PATH[,server][,mac=MAC][,vxlan=VNI,vtep=IP,remote=IP,remote-mac=MAC]\n"
		"                       a port on the switch's socket PATH; server: we create\n"
		"                       the socket (the switch's port is a vhost-user client);\n"
		"                       MAC defaults to 02:5e:00:00:00:<n> for the n-th --port;\n"
		"                       vxlan: the port is a remote VTEP (address IP) on the\n"
		"                       switch's uplink, whose VTEP is remote at remote-mac: it\n"
		"                       sends its frames in VXLAN with VNI, answers ARP for IP\n"
		"                       and reads what it receives inside the VXLAN headers\n"
		"  --core N             the lcore to run on (default 0)\n"
		"  --file-prefix P      DPDK file prefix (default syd-bench-<pid>)\n"
		"  --mem MB             hugepage memory (default %u)\n"
		"  --link-timeout S     wait this long for the ports' links (default %u)\n"
		"  --eal \"ARGS\"         more EAL arguments\n"
		"  -h, --help           this text\n"
		"\n"
		"stream and search:\n"
		"  --size BYTES|imix    frame size without FCS, %u-%u (default %u: 64 on the\n"
		"                       wire); imix: 64, 594 and 1518 bytes on the wire, 7:4:1\n"
		"  --flows N            N distinct UDP/IP 5-tuples per port, in turn (default 1,\n"
		"                       at most 4000000000: --flows 4000000000 makes every\n"
		"                       frame of a run a new flow); flow k has IPv4 destination\n"
		"                       k %% IPS, UDP source port 1024 + (k / IPS) %% 64512 and\n"
		"                       destination port 9 + k / IPS / 64512\n"
		"  --dst-ips IPS        destinations 198.19.0.0 + 0..IPS-1 (default 1: the\n"
		"                       peer's 198.18.0.x), at most 65536\n"
		"  --rate PPS           per port (default 0: as fast as the switch takes them)\n"
		"  --duration S         measured seconds (default %u), of each trial in search\n"
		"  --warmup S           seconds sent before measuring, not counted (default %u)\n"
		"  --pdr-loss PCT       search: the loss PDR allows, in %% (default 0.5)\n"
		"  --precision PCT      search: stop when the interval is below PCT %% of the\n"
		"                       top rate (default 1)\n"
		"  -o json              the summary as one JSON object on stdout (lines each\n"
		"                       second go to stderr)\n"
		"  --quiet              no line each second\n"
		"  --check-order        read every received frame's sequence number and count\n"
		"                       those the switch reordered (\"reordered\" in the JSON;\n"
		"                       costs the generator a read of each frame)\n"
		"\n"
		"Every frame carries the TSC it was sent at and a sequence number in its UDP\n"
		"payload; the oldest frame of each received burst is timed (latency min, mean,\n"
		"p99, max).  Loss is counted per stream (port to its peer).\n"
		"\n"
		"Exit status: 0 done, 1 failed, 2 bad usage, 3 a port could not connect or has\n"
		"no link.\n",
		OPTIONS_MEM_MB, OPTIONS_LINK_TIMEOUT_S, FRAME_SIZE_MIN, STREAM_SIZE_MAX,
		FRAME_SIZE_MIN, OPTIONS_DURATION_S, OPTIONS_WARMUP_S);
}

static int __attribute__((format(printf, 1, 2))) options_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "syd-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see syd-bench --help)\n");
	return -EINVAL;
}

/* A decimal number in [min, max]. */
static int options_parse_uint(const char *s, unsigned long min, unsigned long max,
			      unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *s == '-' || *out < min || *out > max)
		return -EINVAL;
	return 0;
}

/* A percentage 0-100 as a ratio. */
static int options_parse_percent(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0 && v <= 100))
		return -EINVAL;
	*out = v / 100;
	return 0;
}

/* A unicast MAC for --port's setting key into mac. */
static int options_parse_mac(const struct port_spec *p, const char *key, const char *s,
			     struct rte_ether_addr *mac)
{
	if (rte_ether_unformat_addr(s, mac) < 0)
		return options_fail("--port %s: bad %s '%s'", p->path, key, s);
	if (!rte_is_unicast_ether_addr(mac) || rte_is_zero_ether_addr(mac))
		return options_fail("--port %s: %s %s is not a unicast address", p->path, key, s);
	return 0;
}

/* An IPv4 address for --port's setting key, network order. */
static int options_parse_ip(const struct port_spec *p, const char *key, const char *s,
			    rte_be32_t *ip)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1 || a.s_addr == 0)
		return options_fail("--port %s: bad %s '%s' (an IPv4 address)", p->path, key, s);
	*ip = a.s_addr;
	return 0;
}

/* The VXLAN settings of a --port: all four, or none. */
static int options_check_vxlan(const struct port_spec *p, unsigned int given)
{
	if (given != 0 && given != 0xf)
		return options_fail("--port %s: a remote VTEP needs vxlan=VNI, vtep=IP, remote=IP "
				    "and remote-mac=MAC",
				    p->path);
	if (given != 0 && p->vx.ip_src == p->vx.ip_dst)
		return options_fail("--port %s: vtep and remote are the same address", p->path);
	return 0;
}

/* PATH[,server][,mac=MAC][,vxlan=VNI,vtep=IP,remote=IP,remote-mac=MAC] */
static int options_parse_port(struct options *o, const char *arg)
{
	struct port_spec *p = &o->port[o->nports];
	char buf[PORT_PATH_MAX + 128], *save = NULL, *tok;
	unsigned int vxlan = 0; /* which of the four VXLAN settings were given */
	unsigned long vni;

	if (o->nports == PORT_MAX)
		return options_fail("at most %u ports", PORT_MAX);
	if (strlen(arg) >= sizeof(buf))
		return options_fail("--port '%s': too long", arg);
	strcpy(buf, arg);
	tok = strtok_r(buf, ",", &save);
	if (tok == NULL || *arg == ',')
		return options_fail("--port '%s': give the socket path first", arg);
	if (strlen(tok) >= PORT_PATH_MAX)
		return options_fail("--port '%s': a socket path has at most %d bytes", tok,
				    PORT_PATH_MAX - 1);
	memset(p, 0, sizeof(*p));
	strcpy(p->path, tok);
	p->mac = (struct rte_ether_addr){{0x02, 0x5e, 0, 0, 0, (uint8_t)(o->nports + 1)}};
	while ((tok = strtok_r(NULL, ",", &save)) != NULL) {
		if (strcmp(tok, "server") == 0 || strcmp(tok, "server=1") == 0) {
			p->server = true;
		} else if (strncmp(tok, "mac=", 4) == 0) {
			if (options_parse_mac(p, "MAC", tok + 4, &p->mac) < 0)
				return -EINVAL;
		} else if (strncmp(tok, "vxlan=", 6) == 0) {
			if (options_parse_uint(tok + 6, 0, 0xffffff, &vni) < 0)
				return options_fail("--port %s: bad VNI '%s' (0-16777215)", p->path,
						    tok + 6);
			p->vx.vni = (uint32_t)vni;
			vxlan |= 1;
		} else if (strncmp(tok, "vtep=", 5) == 0) {
			if (options_parse_ip(p, "vtep", tok + 5, &p->vx.ip_src) < 0)
				return -EINVAL;
			vxlan |= 2;
		} else if (strncmp(tok, "remote=", 7) == 0) {
			if (options_parse_ip(p, "remote", tok + 7, &p->vx.ip_dst) < 0)
				return -EINVAL;
			vxlan |= 4;
		} else if (strncmp(tok, "remote-mac=", 11) == 0) {
			if (options_parse_mac(p, "remote-mac", tok + 11, &p->vx.dst) < 0)
				return -EINVAL;
			vxlan |= 8;
		} else {
			return options_fail("--port %s: unknown setting '%s' (server, mac=MAC, "
					    "vxlan=VNI, vtep=IP, remote=IP, remote-mac=MAC)",
					    p->path, tok);
		}
	}
	if (options_check_vxlan(p, vxlan) < 0)
		return -EINVAL;
	p->vxlan = vxlan != 0;
	p->vx.src = p->mac;
	o->nports++;
	return 0;
}

enum {
	OPT_PORT = 256,
	OPT_CORE,
	OPT_FILE_PREFIX,
	OPT_MEM,
	OPT_LINK_TIMEOUT,
	OPT_EAL,
	OPT_SIZE,
	OPT_FLOWS,
	OPT_RATE,
	OPT_DURATION,
	OPT_WARMUP,
	OPT_QUIET,
	OPT_CHECK_ORDER,
	OPT_DST_IPS,
	OPT_PDR_LOSS,
	OPT_PRECISION,
};

static const struct option options_long[] = {
	{"port", required_argument, NULL, OPT_PORT},
	{"core", required_argument, NULL, OPT_CORE},
	{"file-prefix", required_argument, NULL, OPT_FILE_PREFIX},
	{"mem", required_argument, NULL, OPT_MEM},
	{"link-timeout", required_argument, NULL, OPT_LINK_TIMEOUT},
	{"eal", required_argument, NULL, OPT_EAL},
	{"size", required_argument, NULL, OPT_SIZE},
	{"flows", required_argument, NULL, OPT_FLOWS},
	{"rate", required_argument, NULL, OPT_RATE},
	{"duration", required_argument, NULL, OPT_DURATION},
	{"warmup", required_argument, NULL, OPT_WARMUP},
	{"output", required_argument, NULL, 'o'},
	{"quiet", no_argument, NULL, OPT_QUIET},
	{"check-order", no_argument, NULL, OPT_CHECK_ORDER},
	{"dst-ips", required_argument, NULL, OPT_DST_IPS},
	{"pdr-loss", required_argument, NULL, OPT_PDR_LOSS},
	{"precision", required_argument, NULL, OPT_PRECISION},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* The spelling of option c, for messages. */
static const char *options_name(int c)
{
	static char name[32];
	const struct option *lo;

	for (lo = options_long; lo->name != NULL; lo++)
		if (lo->val == c) {
			snprintf(name, sizeof(name), "--%s", lo->name);
			return name;
		}
	return "?";
}

static void options_set_defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->mem_mb = OPTIONS_MEM_MB;
	o->link_timeout_s = OPTIONS_LINK_TIMEOUT_S;
	snprintf(o->file_prefix, sizeof(o->file_prefix), "syd-bench-%d", (int)getpid());
	o->stream.frame_size = FRAME_SIZE_MIN;
	o->stream.flows = 1;
	o->stream.dst_ips = 1;
	o->stream.pdr_loss = 0.005;
	o->stream.precision = 0.01;
	o->stream.duration_s = OPTIONS_DURATION_S;
	o->stream.warmup_s = OPTIONS_WARMUP_S;
}

/* One option of the stream mode, or -ENOENT when c is not one. */
static int options_parse_stream(struct stream_config *s, int c, const char *arg)
{
	unsigned long v;

	switch (c) {
	case OPT_SIZE:
		if (strcmp(arg, "imix") == 0 || strcmp(arg, "IMIX") == 0) {
			s->frame_size = STREAM_SIZE_IMIX;
			return 0;
		}
		if (options_parse_uint(arg, FRAME_SIZE_MIN, STREAM_SIZE_MAX, &v) < 0)
			return options_fail("--size '%s': frame bytes without FCS, %u to %u", arg,
					    FRAME_SIZE_MIN, STREAM_SIZE_MAX);
		s->frame_size = (unsigned int)v;
		return 0;
	case OPT_FLOWS:
		if (options_parse_uint(arg, 1, STREAM_FLOWS_MAX, &v) < 0)
			return options_fail("--flows '%s': 1 to %u", arg, STREAM_FLOWS_MAX);
		s->flows = (uint32_t)v;
		return 0;
	case OPT_DST_IPS:
		if (options_parse_uint(arg, 1, STREAM_DST_IPS_MAX, &v) < 0)
			return options_fail("--dst-ips '%s': 1 to %u", arg, STREAM_DST_IPS_MAX);
		s->dst_ips = (uint32_t)v;
		return 0;
	case OPT_PDR_LOSS:
		if (options_parse_percent(arg, &s->pdr_loss) < 0)
			return options_fail("--pdr-loss '%s': a percentage, 0 to 100", arg);
		return 0;
	case OPT_PRECISION:
		if (options_parse_percent(arg, &s->precision) < 0 || s->precision <= 0)
			return options_fail("--precision '%s': a percentage above 0", arg);
		return 0;
	case OPT_RATE:
		if (options_parse_uint(arg, 0, 1000000000, &v) < 0)
			return options_fail(
				"--rate '%s': packets per second per port (0: no limit)", arg);
		s->rate_pps = v;
		return 0;
	case OPT_DURATION:
		if (options_parse_uint(arg, 1, 86400, &v) < 0)
			return options_fail("--duration '%s': seconds, 1 to 86400", arg);
		s->duration_s = (unsigned int)v;
		return 0;
	case OPT_WARMUP:
		if (options_parse_uint(arg, 0, 3600, &v) < 0)
			return options_fail("--warmup '%s': seconds, 0 to 3600", arg);
		s->warmup_s = (unsigned int)v;
		return 0;
	case 'o':
		if (strcmp(arg, "json") != 0 && strcmp(arg, "table") != 0)
			return options_fail("-o '%s': json or table", arg);
		s->json = strcmp(arg, "json") == 0;
		return 0;
	case OPT_QUIET:
		s->quiet = true;
		return 0;
	case OPT_CHECK_ORDER:
		s->check_order = true;
		return 0;
	default:
		return -ENOENT;
	}
}

/* One option every mode takes. */
static int options_parse_common(struct options *o, int c, const char *arg, const char *word)
{
	unsigned long v;

	switch (c) {
	case OPT_PORT:
		return options_parse_port(o, arg);
	case OPT_CORE:
		if (options_parse_uint(arg, 0, RTE_MAX_LCORE - 1, &v) < 0)
			return options_fail("--core '%s': a core number below %d", arg,
					    RTE_MAX_LCORE);
		o->lcore = (unsigned int)v;
		return 0;
	case OPT_FILE_PREFIX:
		if (*arg == '\0' || strlen(arg) >= sizeof(o->file_prefix) || strchr(arg, '/'))
			return options_fail("--file-prefix '%s': 1 to %zu characters, no '/'", arg,
					    sizeof(o->file_prefix) - 1);
		strcpy(o->file_prefix, arg);
		return 0;
	case OPT_MEM:
		if (options_parse_uint(arg, 16, 1 << 20, &v) < 0)
			return options_fail("--mem '%s': megabytes, at least 16", arg);
		o->mem_mb = (unsigned int)v;
		return 0;
	case OPT_LINK_TIMEOUT:
		if (options_parse_uint(arg, 1, 3600, &v) < 0)
			return options_fail("--link-timeout '%s': seconds, 1 to 3600", arg);
		o->link_timeout_s = (unsigned int)v;
		return 0;
	case OPT_EAL:
		o->eal_extra = arg;
		return 0;
	case ':':
		return options_fail("%s needs a value", word);
	default:
		return options_fail("unknown option '%s'", word);
	}
}

int options_parse(struct options *o, int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	unsigned int i;
	int c, ret;

	options_set_defaults(o);
	if (strcmp(mode, "-h") == 0 || strcmp(mode, "--help") == 0) {
		options_print_usage(stdout);
		return 1;
	}
	if (strcmp(mode, "stream") == 0)
		o->mode = OPTIONS_MODE_STREAM;
	else if (strcmp(mode, "search") == 0)
		o->mode = OPTIONS_MODE_SEARCH;
	else if (strcmp(mode, "peer") == 0)
		o->mode = OPTIONS_MODE_PEER;
	else if (*mode == '\0')
		return options_fail("give a mode: stream, search or peer");
	else
		return options_fail("unknown mode '%s': stream, search or peer", mode);

	/* getopt_long() sees argv[1..]: the mode takes the place of the program name. */
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, ":ho:", options_long, NULL)) != -1) {
		/* The word getopt stopped at (argv is shifted by one), for messages. */
		const char *word = argv[optind];

		if (c == 'h') {
			options_print_usage(stdout);
			return 1;
		}
		ret = options_parse_stream(&o->stream, c, optarg);
		if (ret == 0 && o->mode == OPTIONS_MODE_PEER)
			return options_fail("%s is a stream and search option", options_name(c));
		if (ret == -ENOENT)
			ret = options_parse_common(o, c, optarg, word);
		if (ret < 0)
			return ret;
	}
	if (o->stream.flows > 1 &&
	    o->stream.flows / o->stream.dst_ips / STREAM_SPORTS > 65535 - FRAME_UDP_DPORT)
		return options_fail("--flows %u: more than --dst-ips x 64512 x 65526", o->stream.flows);
	if (optind + 1 < argc)
		return options_fail("unexpected argument '%s'", argv[optind + 1]);
	if (o->nports == 0)
		return options_fail("give at least one --port");
	if (o->mode != OPTIONS_MODE_PEER && o->nports % 2 != 0)
		return options_fail("stream sends between pairs of ports: give an even number of "
				    "--port (%u given)",
				    o->nports);
	for (i = 0; i < o->nports; i++) {
		if (o->port[i].vxlan && o->mode == OPTIONS_MODE_PEER)
			return options_fail("--port %s: a remote VTEP (vxlan=) is for stream and "
					    "search",
					    o->port[i].path);
		if (o->port[i].vxlan && o->port[i ^ 1].vxlan)
			return options_fail(
				"--port %s and %s: both are remote VTEPs; pair a remote "
				"VTEP with a VM's port",
				o->port[i & ~1u].path, o->port[i | 1].path);
	}
	return 0;
}

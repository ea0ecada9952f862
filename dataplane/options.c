/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

enum {
	OPT_VHOST_SERVER = 256,
	OPT_VHOST_CLIENT,
	OPT_WORKERS,
	OPT_MAIN_CORE,
	OPT_MEM,
	OPT_FILE_PREFIX,
	OPT_MAC_AGE,
	OPT_MAC_CAPACITY,
	OPT_STATS_INTERVAL,
	OPT_PCI,
	OPT_LOG_LEVEL,
	OPT_CONTROL,
	OPT_XDP_PROG,
};

static const struct option long_opts[] = {
	{"vhost-server", required_argument, NULL, OPT_VHOST_SERVER},
	{"vhost-client", required_argument, NULL, OPT_VHOST_CLIENT},
	{"workers", required_argument, NULL, OPT_WORKERS},
	{"main-core", required_argument, NULL, OPT_MAIN_CORE},
	{"mem", required_argument, NULL, OPT_MEM},
	{"file-prefix", required_argument, NULL, OPT_FILE_PREFIX},
	{"mac-age", required_argument, NULL, OPT_MAC_AGE},
	{"mac-capacity", required_argument, NULL, OPT_MAC_CAPACITY},
	{"stats-interval", required_argument, NULL, OPT_STATS_INTERVAL},
	{"pci", no_argument, NULL, OPT_PCI},
	{"log-level", required_argument, NULL, OPT_LOG_LEVEL},
	{"control", required_argument, NULL, OPT_CONTROL},
	{"xdp-prog", required_argument, NULL, OPT_XDP_PROG},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

void options_usage(const char *prog)
{
	printf("Usage: %s [OPTIONS] [-- EAL-ARGS]\n"
	       "\n"
	       "The Switchyard dataplane: an L2 learning switch between vhost-user ports.\n"
	       "\n"
	       "Ports:\n"
	       "  --vhost-server PATH[,name=NAME]  a vhost-user port whose socket the switch\n"
	       "                                   creates; the VM (QEMU) connects to it\n"
	       "  --vhost-client PATH[,name=NAME]  a vhost-user port whose socket the VM side\n"
	       "                                   creates (QEMU server=on); the switch\n"
	       "                                   connects, and reconnects when it restarts\n"
	       "                                   NAME defaults to the file name without .sock\n"
	       "                                   (ports given here join the network 'default')\n"
	       "Control:\n"
	       "  --control PATH       serve the control protocol (syd-control, sydctl) on\n"
	       "                       this Unix socket, mode 0660\n"
	       "Tunnels:\n"
	       "  --xdp-prog PATH      the XDP steering program for an AF_XDP uplink\n"
	       "                       (default: the one built with the switch)\n"
	       "Cores and memory:\n"
	       "  --workers CORES      worker lcores, as 1 or 1,2 or 1-3 (default 1)\n"
	       "  --main-core N        main lcore, for control work (default 0)\n"
	       "  --mem MB             hugepage memory to reserve (default 256)\n"
	       "  --file-prefix NAME   DPDK file prefix, also for dpdk-dumpcap and telemetry\n"
	       "                       (default switchyard)\n"
	       "  --pci                scan the PCI bus for NICs (default: vdevs only)\n"
	       "Switching:\n"
	       "  --mac-age SECONDS    forget a station not seen for this long (default 300)\n"
	       "  --mac-capacity N     most MAC entries, all networks together (default 65536)\n"
	       "Counters and logs:\n"
	       "  --stats-interval S   log counters every S seconds (default 0: only on\n"
	       "                       SIGUSR1 and at exit)\n"
	       "  --log-level LEVEL    EAL log level, as for the EAL's --log-level\n"
	       "  -h, --help           this text\n"
	       "\n"
	       "Signals: SIGUSR1 logs the counters; SIGINT and SIGTERM stop the switch.\n",
	       prog);
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A whole decimal number in [min, max]. */
static int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_cores(const char *s, struct dp_options *o, char *err, size_t errlen)
{
	char buf[256], *tok, *save = NULL;

	if (strlen(s) >= sizeof(buf))
		return fail(err, errlen, "--workers: list too long");
	strcpy(buf, s);
	o->nworkers = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned long lo, hi, c;
		char *dash = strchr(tok, '-');

		if (dash)
			*dash = '\0';
		if (parse_uint(tok, 0, 1023, &lo) < 0 ||
		    (dash && parse_uint(dash + 1, 0, 1023, &hi) < 0))
			return fail(err, errlen,
				    "--workers '%s': expected core numbers as 1, 1,2 or 1-3", s);
		if (!dash)
			hi = lo;
		if (hi < lo)
			return fail(err, errlen, "--workers '%s': range %lu-%lu goes backwards", s,
				    lo, hi);
		for (c = lo; c <= hi; c++) {
			unsigned int i;

			for (i = 0; i < o->nworkers; i++)
				if (o->worker_core[i] == c)
					return fail(err, errlen, "--workers '%s': core %lu twice", s,
						    c);
			if (o->nworkers == SYD_MAX_WORKERS)
				return fail(err, errlen, "--workers '%s': at most %d workers", s,
					    SYD_MAX_WORKERS);
			o->worker_core[o->nworkers++] = (unsigned int)c;
		}
	}
	if (o->nworkers == 0)
		return fail(err, errlen, "--workers: give at least one core");
	return 0;
}

static bool name_ok_len(const char *n, size_t max)
{
	size_t len = strlen(n);

	if (len == 0 || len > max)
		return false;
	return strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == len;
}

static bool name_ok(const char *n)
{
	return name_ok_len(n, SYD_PORT_NAME_MAX);
}

static int parse_port(const char *arg, enum port_kind kind, struct dp_options *o, char *err,
		      size_t errlen)
{
	const char *opt = kind == PORT_VHOST_SERVER ? "--vhost-server" : "--vhost-client";
	struct port_opt *p;
	const char *comma = strchr(arg, ',');
	size_t plen = comma ? (size_t)(comma - arg) : strlen(arg);
	unsigned int i;

	if (o->nports == SYD_MAX_PORTS)
		return fail(err, errlen, "%s %s: at most %d ports", opt, arg, SYD_MAX_PORTS);
	p = &o->port[o->nports];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	if (plen == 0)
		return fail(err, errlen, "%s: give the socket path, as %s /run/switchyard/vm1.sock",
			    opt, opt);
	if (plen >= SYD_SOCK_PATH_MAX)
		return fail(err, errlen,
			    "%s %.*s: socket path is %zu bytes; Unix sockets allow at most %d: "
			    "use a shorter directory",
			    opt, (int)plen, arg, plen, SYD_SOCK_PATH_MAX - 1);
	memcpy(p->path, arg, plen);

	if (comma) {
		if (strncmp(comma + 1, "name=", 5) != 0)
			return fail(err, errlen, "%s %s: unknown setting '%s' (expected name=NAME)",
				    opt, arg, comma + 1);
		if (!name_ok(comma + 6))
			return fail(err, errlen,
				    "%s %s: port name must be 1-%d letters, digits, '_' or '-'",
				    opt, arg, SYD_PORT_NAME_MAX);
		strcpy(p->name, comma + 6);
	} else {
		/* The socket's file name without its directory and ".sock". */
		const char *base = strrchr(p->path, '/');
		char tmp[SYD_SOCK_PATH_MAX];
		size_t n;

		base = base ? base + 1 : p->path;
		snprintf(tmp, sizeof(tmp), "%s", base);
		n = strlen(tmp);
		if (n > 5 && strcmp(tmp + n - 5, ".sock") == 0)
			tmp[n - 5] = '\0';
		if (!name_ok(tmp))
			return fail(err, errlen,
				    "%s %s: cannot make a port name from the file name; add "
				    ",name=NAME (1-%d letters, digits, '_' or '-')",
				    opt, arg, SYD_PORT_NAME_MAX);
		strcpy(p->name, tmp);
	}
	for (i = 0; i < o->nports; i++) {
		if (strcmp(o->port[i].name, p->name) == 0)
			return fail(err, errlen, "%s %s: port name '%s' is already used", opt, arg,
				    p->name);
		if (strcmp(o->port[i].path, p->path) == 0)
			return fail(err, errlen, "%s %s: socket path is already used by port '%s'",
				    opt, arg, o->port[i].name);
	}
	o->nports++;
	return 0;
}

int options_parse(int argc, char **argv, struct dp_options *o, char *err, size_t errlen)
{
	unsigned long v;
	unsigned int i;
	int c, ret;

	memset(o, 0, sizeof(*o));
	o->main_core = 0;
	o->worker_core[0] = 1;
	o->nworkers = 1;
	o->mem_mb = 256;
	strcpy(o->file_prefix, "switchyard");
	o->mac_age_s = 300;
	o->mac_capacity = 65536;
	o->xdp_prog = SYD_XDP_PROG;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_VHOST_SERVER:
		case OPT_VHOST_CLIENT:
			ret = parse_port(optarg,
					 c == OPT_VHOST_SERVER ? PORT_VHOST_SERVER : PORT_VHOST_CLIENT,
					 o, err, errlen);
			if (ret < 0)
				return ret;
			break;
		case OPT_WORKERS:
			ret = parse_cores(optarg, o, err, errlen);
			if (ret < 0)
				return ret;
			break;
		case OPT_MAIN_CORE:
			if (parse_uint(optarg, 0, 1023, &v) < 0)
				return fail(err, errlen, "--main-core '%s': expected a core number",
					    optarg);
			o->main_core = (unsigned int)v;
			break;
		case OPT_MEM:
			if (parse_uint(optarg, 64, 1 << 20, &v) < 0)
				return fail(err, errlen,
					    "--mem '%s': expected megabytes, at least 64", optarg);
			o->mem_mb = (unsigned int)v;
			break;
		case OPT_FILE_PREFIX:
			if (!name_ok_len(optarg, sizeof(o->file_prefix) - 1))
				return fail(err, errlen,
					    "--file-prefix '%s': use 1-%zu letters, digits, '_' or '-'",
					    optarg, sizeof(o->file_prefix) - 1);
			strcpy(o->file_prefix, optarg);
			break;
		case OPT_MAC_AGE:
			if (parse_uint(optarg, 1, 1000000, &v) < 0)
				return fail(err, errlen,
					    "--mac-age '%s': expected seconds, 1 to 1000000", optarg);
			o->mac_age_s = (uint32_t)v;
			break;
		case OPT_MAC_CAPACITY:
			if (parse_uint(optarg, 16, 1 << 24, &v) < 0)
				return fail(err, errlen,
					    "--mac-capacity '%s': expected 16 to 16777216 entries",
					    optarg);
			o->mac_capacity = (uint32_t)v;
			break;
		case OPT_STATS_INTERVAL:
			if (parse_uint(optarg, 0, 86400, &v) < 0)
				return fail(err, errlen,
					    "--stats-interval '%s': expected seconds (0 = off)",
					    optarg);
			o->stats_interval_s = (unsigned int)v;
			break;
		case OPT_PCI:
			o->pci = true;
			break;
		case OPT_LOG_LEVEL:
			o->log_level = optarg;
			break;
		case OPT_CONTROL:
			if (strlen(optarg) == 0 || strlen(optarg) >= SYD_SOCK_PATH_MAX)
				return fail(err, errlen,
					    "--control '%s': give a socket path of 1-%d bytes",
					    optarg, SYD_SOCK_PATH_MAX - 1);
			o->control_path = optarg;
			break;
		case OPT_XDP_PROG:
			if (access(optarg, R_OK) < 0)
				return fail(err, errlen, "--xdp-prog '%s': cannot read it: %s",
					    optarg, strerror(errno));
			o->xdp_prog = optarg;
			break;
		case 'h':
			options_usage(argv[0]);
			return 1;
		case ':':
		case '?':
		default:
			if (optopt >= OPT_VHOST_SERVER && optopt <= OPT_XDP_PROG)
				return fail(err, errlen, "%s needs a value (see --help)",
					    argv[optind - 1]);
			return fail(err, errlen, "unknown option '%s' (see --help)",
				    argv[optind - 1]);
		}
	}
	/* getopt_long moved "--" and what follows to the end: pass them to the EAL. */
	if (optind < argc && strcmp(argv[optind - 1], "--") == 0) {
		o->eal_argc = argc - optind;
		o->eal_argv = &argv[optind];
	} else if (optind < argc) {
		return fail(err, errlen, "unexpected argument '%s' (EAL arguments go after --)",
			    argv[optind]);
	}
	for (i = 0; i < o->nworkers; i++)
		if (o->worker_core[i] == o->main_core)
			return fail(err, errlen,
				    "core %u is both the main core and a worker: pick another "
				    "--main-core or --workers",
				    o->main_core);
	return 0;
}

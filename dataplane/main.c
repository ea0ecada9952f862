/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * syd-dataplane: check the host, start the EAL, run the switch until a signal.
 *
 * Everything that can be checked before the EAL starts is checked here first (options,
 * cores, hugepages, socket paths), so a mistake gets a sentence that says what to do,
 * not an EAL error.
 */
#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_pdump.h>

#include "ctl.h"
#include "dataplane.h"
#include "log.h"
#include "options.h"
#include "telemetry.h"

static volatile sig_atomic_t sig_quit, sig_dump, sig_clear;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		sig_dump = 1;
	else if (sig == SIGUSR2)
		sig_clear = 1;
	else
		sig_quit = 1;
}

static int check_cores(const struct dp_options *o, char *err, size_t errlen)
{
	cpu_set_t set;
	unsigned int i;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 0; /* the EAL will say */
	if (!CPU_ISSET(o->main_core, &set)) {
		snprintf(err, errlen, "main core %u is not available to this process (%d cores: "
			 "see nproc); choose another --main-core", o->main_core, CPU_COUNT(&set));
		return -EINVAL;
	}
	for (i = 0; i < o->nworkers; i++) {
		if (!CPU_ISSET(o->worker_core[i], &set)) {
			snprintf(err, errlen,
				 "worker core %u is not available to this process (%d cores: see "
				 "nproc); choose other --workers",
				 o->worker_core[i], CPU_COUNT(&set));
			return -EINVAL;
		}
	}
	return 0;
}

static unsigned long read_ulong(const char *path)
{
	unsigned long v = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/* Enough free hugepages, and a hugetlbfs to map them from. */
static int check_hugepages(const struct dp_options *o, char *err, size_t errlen)
{
	const char *base = "/sys/kernel/mm/hugepages";
	unsigned long free_mb = 0, total_pages = 0;
	char path[512], line[512];
	bool mounted = false;
	struct dirent *de;
	DIR *d;
	FILE *f;

	d = opendir(base);
	while (d != NULL && (de = readdir(d)) != NULL) {
		unsigned long kb;

		if (sscanf(de->d_name, "hugepages-%lukB", &kb) != 1)
			continue;
		snprintf(path, sizeof(path), "%s/%s/free_hugepages", base, de->d_name);
		free_mb += read_ulong(path) * kb / 1024;
		snprintf(path, sizeof(path), "%s/%s/nr_hugepages", base, de->d_name);
		total_pages += read_ulong(path);
	}
	if (d != NULL)
		closedir(d);

	f = fopen("/proc/mounts", "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, " hugetlbfs ") != NULL)
			mounted = true;
	if (f != NULL)
		fclose(f);

	if (total_pages == 0) {
		snprintf(err, errlen,
			 "no hugepages reserved: run tools/bootstrap, or as root: echo 1024 > "
			 "/proc/sys/vm/nr_hugepages");
		return -ENOMEM;
	}
	if (!mounted) {
		snprintf(err, errlen,
			 "no hugetlbfs mounted: run tools/bootstrap, or as root: mkdir -p "
			 "/dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages");
		return -ENOMEM;
	}
	if (free_mb < o->mem_mb) {
		snprintf(err, errlen,
			 "not enough free hugepage memory: --mem %u needs %u MiB, %lu MiB free "
			 "(other DPDK processes may hold the rest); lower --mem or reserve more: "
			 "echo N > /proc/sys/vm/nr_hugepages",
			 o->mem_mb, o->mem_mb, free_mb);
		return -ENOMEM;
	}
	return 0;
}

static int eal_start(const char *prog, const struct dp_options *o)
{
	char lcores[256], main_core[16], mem[16];
	char *argv[64 + 16];
	int argc = 0, i, len;

	len = snprintf(lcores, sizeof(lcores), "%u", o->main_core);
	for (i = 0; i < (int)o->nworkers; i++)
		len += snprintf(lcores + len, sizeof(lcores) - (size_t)len, ",%u",
				o->worker_core[i]);
	snprintf(main_core, sizeof(main_core), "%u", o->main_core);
	snprintf(mem, sizeof(mem), "%u", o->mem_mb);

	argv[argc++] = (char *)(uintptr_t)prog;
	argv[argc++] = "-l";
	argv[argc++] = lcores;
	argv[argc++] = "--main-lcore";
	argv[argc++] = main_core;
	argv[argc++] = "--file-prefix";
	argv[argc++] = (char *)(uintptr_t)o->file_prefix;
	argv[argc++] = "-m";
	argv[argc++] = mem;
	if (!o->pci)
		argv[argc++] = "--no-pci";
	/* Memory in one file per list: a vhost-user server can map all of it within its 8
	 * regions, which a virtio-user uplink (we are its "VM") needs. */
	argv[argc++] = "--single-file-segments";
	/* Quiet by default: our own log says when a peer connects or leaves. */
	argv[argc++] = "--log-level=lib.eal:notice";
	argv[argc++] = "--log-level=lib.vhost.config:warning";
	if (o->log_level != NULL) {
		argv[argc++] = "--log-level";
		argv[argc++] = (char *)(uintptr_t)o->log_level;
	}
	for (i = 0; i < o->eal_argc && argc < 64 + 15; i++)
		argv[argc++] = o->eal_argv[i];
	argv[argc] = NULL;
	return rte_eal_init(argc, argv);
}

int main(int argc, char **argv)
{
	static struct dp_options opt;
	static struct dataplane dp;
	struct timespec nap = {.tv_nsec = 1000 * 1000};
	struct sigaction sa = {.sa_handler = on_signal};
	uint64_t next_stats = 0;
	char err[512];
	unsigned int i;
	int ret;

	ret = options_parse(argc, argv, &opt, err, sizeof(err));
	if (ret == 1)
		return 0;
	if (ret < 0) {
		fprintf(stderr, "syd-dataplane: %s\n", err);
		return 2;
	}
	if (opt.nports == 0 && opt.control_path == NULL)
		fprintf(stderr, "syd-dataplane: no ports and no --control socket: nothing will be "
				"switched (see --help)\n");
	if (check_cores(&opt, err, sizeof(err)) < 0 || check_hugepages(&opt, err, sizeof(err)) < 0)
		goto fail;
	for (i = 0; i < opt.nports; i++)
		if (port_check_path(opt.port[i].path, opt.port[i].kind, err, sizeof(err)) < 0)
			goto fail;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (eal_start(argv[0], &opt) < 0) {
		snprintf(err, sizeof(err),
			 "DPDK EAL start failed%s%s (see the EAL lines above; is another "
			 "syd-dataplane running with --file-prefix %s? each instance needs its "
			 "own prefix)",
			 rte_errno ? ": " : "", rte_errno ? rte_strerror(rte_errno) : "",
			 opt.file_prefix);
		goto fail;
	}
	/* dpdk-dumpcap --file-prefix <ours> -i net_vhost_<port> captures on any port. */
	ret = rte_pdump_init();
	if (ret < 0)
		fprintf(stderr, "syd-dataplane: packet capture unavailable: rte_pdump_init: %s\n",
			rte_strerror(rte_errno));
	ret = dataplane_start(&dp, &opt, err, sizeof(err));
	if (ret < 0) {
		rte_eal_cleanup();
		goto fail;
	}
	if (opt.control_path != NULL) {
		dp.ctl = ctl_open(opt.control_path, err, sizeof(err));
		if (dp.ctl == NULL) {
			dataplane_stop(&dp);
			rte_eal_cleanup();
			goto fail;
		}
	}
	telemetry_attach(&dp);
	DP_LOG(NOTICE, "switching %u ports with %u worker(s); file prefix %s; pid %d", dp.nports,
	       dp.nworkers, opt.file_prefix, (int)getpid());

	while (!sig_quit) {
		dataplane_poll(&dp);
		if (sig_clear) {
			sig_clear = 0;
			pthread_mutex_lock(&dp.lock);
			dataplane_clear_counters(&dp);
			pthread_mutex_unlock(&dp.lock);
		}
		if (sig_dump) {
			sig_dump = 0;
			dataplane_log_counters(&dp);
		}
		if (opt.stats_interval_s && dp.now_s >= next_stats) {
			if (next_stats)
				dataplane_log_counters(&dp);
			next_stats = dp.now_s + opt.stats_interval_s;
		}
		if (dp.ctl != NULL)
			ctl_poll(dp.ctl, &dp, 1);
		else
			nanosleep(&nap, NULL);
	}
	DP_LOG(NOTICE, "stopping");
	telemetry_attach(NULL);
	dataplane_log_counters(&dp);
	ctl_close(dp.ctl);
	dp.ctl = NULL;
	dataplane_stop(&dp);
	rte_pdump_uninit();
	rte_eal_cleanup();
	DP_LOG(NOTICE, "stopped");
	return 0;
fail:
	fprintf(stderr, "syd-dataplane: %s\n", err);
	return 1;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sydctl doctor: check a host before and while Switchyard runs, and print for each
 * problem the exact fix.  Host checks read /proc and /sys and need no switch; the rest
 * asks the switch (through the usual socket) about its ports and cores.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

struct finding {
	const char *level; /* "ok", "warning", "problem" */
	char check[32];
	char what[256];
	char fix[320];
};

#define MAX_FINDINGS 128
static struct finding found[MAX_FINDINGS];
static unsigned int nfound;

static void note(const char *level, const char *check, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void note(const char *level, const char *check, const char *fix, const char *fmt, ...)
{
	struct finding *f;
	va_list ap;

	if (nfound == MAX_FINDINGS)
		return;
	f = &found[nfound++];
	f->level = level;
	snprintf(f->check, sizeof(f->check), "%s", check);
	snprintf(f->fix, sizeof(f->fix), "%s", fix ? fix : "");
	va_start(ap, fmt);
	vsnprintf(f->what, sizeof(f->what), fmt, ap);
	va_end(ap);
}

static unsigned long read_ulong(const char *path)
{
	unsigned long v = 0;
	FILE *f = fopen(path, "r");

	if (f != NULL) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static void check_hugepages(void)
{
	const char *base = "/sys/kernel/mm/hugepages";
	unsigned long total = 0, free_mb = 0;
	char path[512], line[512];
	bool mounted = false;
	struct dirent *de;
	DIR *d = opendir(base);
	FILE *f;

	while (d != NULL && (de = readdir(d)) != NULL) {
		unsigned long kb, nr, fr;

		if (sscanf(de->d_name, "hugepages-%lukB", &kb) != 1)
			continue;
		snprintf(path, sizeof(path), "%s/%s/nr_hugepages", base, de->d_name);
		nr = read_ulong(path);
		snprintf(path, sizeof(path), "%s/%s/free_hugepages", base, de->d_name);
		fr = read_ulong(path);
		total += nr;
		free_mb += fr * kb / 1024;
		if (nr)
			note("ok", "hugepages", NULL, "%lu pages of %lu kB, %lu free", nr, kb, fr);
	}
	if (d != NULL)
		closedir(d);
	if (total == 0)
		note("problem", "hugepages", "tools/bootstrap, or as root: echo 1024 > "
		     "/proc/sys/vm/nr_hugepages", "no hugepages reserved");
	else if (free_mb < 256)
		note("problem", "hugepages", "stop what holds them, or reserve more: echo N > "
		     "/proc/sys/vm/nr_hugepages",
		     "only %lu MiB of hugepages free; a switch needs 256 MiB (--mem)", free_mb);
	f = fopen("/proc/mounts", "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, " hugetlbfs ") != NULL)
			mounted = true;
	if (f != NULL)
		fclose(f);
	if (mounted)
		note("ok", "hugetlbfs", NULL, "mounted");
	else
		note("problem", "hugetlbfs", "mkdir -p /dev/hugepages && mount -t hugetlbfs nodev "
		     "/dev/hugepages", "no hugetlbfs mounted");
}

/* Other processes running on a worker's core steal its cycles. */
static void check_cores(const struct syd_info *info)
{
	struct dirent *de;
	DIR *d = opendir("/proc");
	unsigned int w, busy = 0;
	char path[300], buf[1024];

	while (d != NULL && (de = readdir(d)) != NULL) {
		char *p, state, comm[64];
		int cpu = -1, field;
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		if (atoi(de->d_name) == getpid())
			continue; /* this sydctl is running, wherever it was scheduled */
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(buf, sizeof(buf), f) == NULL) {
			fclose(f);
			continue;
		}
		fclose(f);
		p = strrchr(buf, ')');
		if (p == NULL || sscanf(buf, "%*d (%63[^)]", comm) != 1)
			continue;
		state = p[2];
		/* Field 39 is the CPU it last ran on; fields after the comm start at 3. */
		for (field = 3, p += 2; field < 39 && p != NULL; field++) {
			p = strchr(p, ' ');
			if (p)
				p++;
		}
		if (p == NULL || sscanf(p, "%d", &cpu) != 1 || state != 'R')
			continue;
		if (strcmp(comm, "syd-dataplane") == 0 || strncmp(comm, "lcore-worker", 12) == 0)
			continue;
		for (w = 0; w < info->nworkers && w < SYD_PROTO_WORKERS; w++) {
			if ((unsigned int)cpu == info->worker_lcore[w]) {
				busy++;
				note("warning", "cores", "pin it elsewhere (taskset -p -c OTHER PID), or "
				     "isolate the worker cores (isolcpus=)",
				     "process %s (%s) is running on worker core %d", de->d_name, comm,
				     cpu);
			}
		}
	}
	if (d != NULL)
		closedir(d);
	if (busy == 0)
		note("ok", "cores", NULL, "nothing else seen running on the worker core(s)");
}

/* Is a QEMU command line naming this socket missing share=on on its memory? */
static void check_qemu_share(const char *port, const char *path)
{
	struct dirent *de;
	DIR *d = opendir("/proc");
	char file[300], cmd[8192];

	while (d != NULL && (de = readdir(d)) != NULL) {
		size_t n, i;
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(file, sizeof(file), "/proc/%s/cmdline", de->d_name);
		f = fopen(file, "r");
		if (f == NULL)
			continue;
		n = fread(cmd, 1, sizeof(cmd) - 1, f);
		fclose(f);
		for (i = 0; i < n; i++)
			if (cmd[i] == '\0')
				cmd[i] = ' ';
		cmd[n] = '\0';
		if (strstr(cmd, "qemu") == NULL || strstr(cmd, path) == NULL)
			continue;
		if (strstr(cmd, "share=on") == NULL)
			note("problem", "guest-memory",
			     "give QEMU shared guest memory: -object memory-backend-file,id=mem,"
			     "size=SIZE,mem-path=/dev/hugepages,share=on -numa node,memdev=mem",
			     "port %s: QEMU pid %s uses %s without share=on: the switch cannot read "
			     "its buffers, and nothing arrives",
			     port, de->d_name, path);
		else
			note("ok", "guest-memory", NULL, "port %s: QEMU pid %s shares its memory",
			     port, de->d_name);
	}
	if (d != NULL)
		closedir(d);
}

static void check_ports(const struct entries *ports)
{
	size_t i;

	for (i = 0; i < ports->n; i++) {
		const struct syd_port_info *p = (const void *)(ports->data + i * ports->size);
		char dirbuf[SYD_PROTO_PATH_LEN], fix[320];
		bool vhost = p->kind == SYD_PORT_VHOST_SERVER || p->kind == SYD_PORT_VHOST_CLIENT;
		struct stat st;
		const char *dir;

		if (!vhost)
			continue;
		snprintf(dirbuf, sizeof(dirbuf), "%s", p->path);
		dir = dirname(dirbuf);
		if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			snprintf(fix, sizeof(fix), "mkdir -p %s", dir);
			note("problem", "sockets", fix, "port %s: socket directory %s does not exist",
			     p->name, dir);
		} else if (access(dir, W_OK | X_OK) < 0) {
			snprintf(fix, sizeof(fix), "chmod u+w %s, or run as its owner", dir);
			note("problem", "sockets", fix, "port %s: socket directory %s is not writable",
			     p->name, dir);
		}
		if (strlen(p->path) > 100)
			note("warning", "sockets", "move the socket to a shorter directory",
			     "port %s: socket path is %zu bytes, close to the 107-byte Unix limit "
			     "(QEMU appends nothing, but copies of it elsewhere may not fit)",
			     p->name, strlen(p->path));
		if (p->kind == SYD_PORT_VHOST_SERVER && stat(p->path, &st) < 0) {
			note("problem", "sockets", "delete and add the port again (sydctl del-port, "
			     "add-port)", "port %s: its socket %s is gone", p->name, p->path);
		}
		if (!p->up && p->link_changes == 0) {
			if (p->kind == SYD_PORT_VHOST_SERVER)
				snprintf(fix, sizeof(fix),
					 "start the VM with QEMU as the client: -chardev socket,id=c0,"
					 "path=%s,reconnect=1 -netdev vhost-user,id=n0,chardev=c0 (or, "
					 "if QEMU has server=on, make the port vhost-client)",
					 p->path);
			else
				snprintf(fix, sizeof(fix),
					 "start QEMU as the server: -chardev socket,id=c0,path=%s,"
					 "server=on,wait=off (or, if QEMU connects as a client, make the "
					 "port vhost-server)",
					 p->path);
			note("problem", "peers", fix, "port %s: no VM has connected since it was added",
			     p->name);
		} else if (!p->up) {
			note("warning", "peers", "restart the VM's NIC, or QEMU", "port %s: its VM left "
			     "(link down after %" PRIu64 " changes)", p->name, p->link_changes);
		} else {
			/* What the guest's virtio-net driver agreed to, bit by bit. */
			static const struct {
				int bit;
				const char *name;
			} bits[] = {{32, "virtio 1.0"}, {15, "mergeable rx buffers"},
				    {28, "indirect descriptors"}, {29, "event index"},
				    {22, "multiqueue"}, {0, "checksum offload"}};
			char feat[160];
			size_t len = 0;
			unsigned int b;

			feat[0] = '\0';
			for (b = 0; b < sizeof(bits) / sizeof(bits[0]); b++)
				if (p->virtio_features & (1ull << bits[b].bit))
					len += (size_t)snprintf(feat + len, sizeof(feat) - len, "%s%s",
								len ? ", " : "", bits[b].name);
			note("ok", "peers", NULL,
			     "port %s: connected, %u queue pair(s), features 0x%" PRIx64 " (%s)",
			     p->name, p->vrings / 2, p->virtio_features, len ? feat : "none listed");
		}
		check_qemu_share(p->name, p->path);
	}
}

int cmd_doctor(struct ctx *x, int argc, char **argv)
{
	static const struct col cols[] = {
		{"level", "", -8, COL_STR},
		{"check", "check", -13, COL_STR},
		{"finding", "finding", -60, COL_STR},
		{"fix", "fix", -1, COL_STR},
	};
	struct syd_info info = {0};
	struct entries ports = {0};
	unsigned int i, problems = 0;
	bool reached;

	(void)argv;
	if (argc > 0)
		return cli_usage_error(x, "takes no arguments, not '%s'", argv[0]);
	nfound = 0;
	check_hugepages();
	/* The rest needs the switch; without it, say so and keep the host findings. */
	reached = access(x->socket, F_OK) == 0 &&
		  cli_get_info(x, &info) == 0;
	if (reached && cli_dump(x, SYD_MSG_DUMP_PORTS, SYD_MSG_PORTS, sizeof(struct syd_port_info),
				&ports) == 0) {
		check_cores(&info);
		check_ports(&ports);
	} else if (!reached) {
		char fix[256];

		snprintf(fix, sizeof(fix), "start syd-control (and syd-dataplane --control), or "
			 "point sydctl at them with --socket");
		note("problem", "switch", fix, "cannot reach the switch at %s", x->socket);
	}
	free(ports.data);

	display_begin(&x->d);
	display_list_begin(&x->d, "findings", "sydctl doctor:", cols, 4);
	for (i = 0; i < nfound; i++) {
		display_row(&x->d, found[i].level, found[i].check, found[i].what,
			    found[i].fix[0] || x->d.json ? found[i].fix : "-");
		problems += strcmp(found[i].level, "problem") == 0;
	}
	display_list_end(&x->d);
	display_end(&x->d);
	if (!x->d.json)
		printf("%u problem(s)\n", problems);
	return problems ? EXIT_REFUSED : 0;
}

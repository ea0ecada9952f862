/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * syd-dataplane's command line: parsed and checked before the EAL starts, so a bad
 * option costs nothing and says what to type instead.  No EAL needed.
 */
#ifndef SYD_OPTIONS_H
#define SYD_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYD_MAX_PORTS      32 /* RTE_MAX_ETHPORTS of Debian's DPDK 22.11 */
#define SYD_MAX_WORKERS    16
#define SYD_PORT_NAME_MAX  24
#define SYD_SOCK_PATH_MAX  108 /* sizeof(sun_path), the trailing NUL included */

/* Same values as enum syd_port_kind in control/proto.h. */
enum port_kind {
	PORT_VHOST_SERVER = 1, /* we create the socket; the VM (QEMU) connects */
	PORT_VHOST_CLIENT = 2, /* the VM side is the server; we connect and reconnect */
	PORT_AF_PACKET = 3,    /* a kernel interface, through AF_PACKET */
	PORT_TAP = 4,          /* a tap interface we create */
	PORT_AF_XDP = 5,       /* the uplink only: AF_XDP with our steering program */
	PORT_VIRTIO_USER = 6,  /* the uplink only: we connect, as a virtio-user device, to a
				* vhost-user server socket (another switch's uplink) */
};

struct port_opt {
	char name[SYD_PORT_NAME_MAX + 1];
	char path[SYD_SOCK_PATH_MAX];
	enum port_kind kind;
};

struct dp_options {
	unsigned int main_core;
	unsigned int worker_core[SYD_MAX_WORKERS];
	unsigned int nworkers;
	unsigned int mem_mb;
	char file_prefix[64];
	uint32_t mac_age_s;
	uint32_t mac_capacity;
	const char *xdp_prog; /* the AF_XDP uplink's steering program (an object file) */
	unsigned int stats_interval_s;
	const char *control_path; /* --control: serve the protocol here, or NULL */
	bool pci;
	const char *log_level; /* passed to the EAL as --log-level, or NULL */
	struct port_opt port[SYD_MAX_PORTS];
	unsigned int nports;
	int eal_argc; /* arguments after "--", passed to the EAL as they are */
	char **eal_argv;
};

/*
 * Parse argv into *o (defaults first).
 * @return 0, 1 when help was asked for (usage printed), or -EINVAL with a message
 *   for the user in err.
 */
int options_parse(int argc, char **argv, struct dp_options *o, char *err, size_t errlen);

/* Print the usage text to stdout. */
void options_usage(const char *prog);

#endif /* SYD_OPTIONS_H */

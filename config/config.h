/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A switch's configuration as a YAML file, loaded into a typed, checked model.
 *
 * The file describes the whole desired state of one switch: its name and VTEP (the
 * uplink interface VXLAN uses), its networks (VNI, flood list of remote VTEPs, static
 * MAC entries), its ports and its flow rules (kept as text: control/config_state.c
 * parses them with control/flowtext.h).  config/README.md is the schema, with examples in
 * config/examples/.  config_load_file() either returns a model in which every value is
 * in range and every reference resolves, or no model and one error that names
 * file:line:column, the item (networks[1].vni) and what is expected there.
 *
 * Strings may use ${NAME} and ${NAME:-default} from the environment (an unset NAME
 * without a default is an error); "$$" is a "$".
 *
 * This library depends on libyaml only; control/config_state.h turns a model into
 * protocol operations.  A loaded model is plain memory owned by the caller.
 */
#ifndef SYD_CONFIG_H
#define SYD_CONFIG_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

/* Sizes and limits: the protocol's and syd-control's (control/config_state.c checks). */
#define CONFIG_NAME_LEN     32  /* name fields, NUL included; names are 1-24 bytes */
#define CONFIG_NAME_MAX     24
#define CONFIG_IFNAME_LEN   16  /* kernel interface names: 1-15 bytes */
#define CONFIG_PATH_LEN     108 /* Unix socket paths: at most 107 bytes */
#define CONFIG_MAX_PORTS    32
#define CONFIG_MAX_NETWORKS 64
#define CONFIG_MAX_FLOOD    64    /* remote VTEPs in one network's flood list */
#define CONFIG_MAX_MACS     65536 /* static MAC entries, all networks together */
#define CONFIG_VNI_MAX      16777215
#define CONFIG_MAX_FLOWS    500000 /* flow rules in a file (the YAML tree's node limit) */
#define CONFIG_FILE_MAX     (8 * 1024 * 1024) /* bytes */

/* A place in the file: 1-based line and column (in characters). */
struct config_pos {
	unsigned int line;
	unsigned int col;
};

enum config_uplink_mode {
	CONFIG_UPLINK_AUTO = 1, /* AF_XDP, or af_packet when XDP cannot be used */
	CONFIG_UPLINK_AF_XDP,
	CONFIG_UPLINK_AF_PACKET,
	CONFIG_UPLINK_VHOST_SERVER, /* no kernel interface: a vhost-user socket we listen on */
	CONFIG_UPLINK_VIRTIO_USER,  /* no kernel interface: we connect to a vhost-user server */
};

enum config_port_type {
	CONFIG_PORT_VHOST_USER = 1,
	CONFIG_PORT_AF_PACKET,
	CONFIG_PORT_TAP,
};

enum config_vhost_mode {
	CONFIG_VHOST_SERVER = 1, /* the switch creates the socket; QEMU connects */
	CONFIG_VHOST_CLIENT,     /* QEMU is the server; the switch connects */
};

/* switch.vtep: this switch's end of the tunnels. */
struct config_vtep {
	uint32_t address; /* IPv4, network order; 0 when the file has no vtep */
	char uplink[CONFIG_IFNAME_LEN]; /* the interface, or a socket mode's uplink name */
	enum config_uplink_mode mode; /* default auto */
	char socket[CONFIG_PATH_LEN]; /* socket modes: the vhost-user socket; "" otherwise */
	uint8_t mac[6];               /* socket modes: optional (0: the switch makes one) */
	uint16_t udp_port;            /* default 4789 */
	uint16_t mtu;                 /* the underlay's IP MTU, default 1500 */
	struct config_pos pos;
};

/* A static MAC entry: behind a local port, or behind a remote VTEP. */
struct config_mac {
	uint8_t mac[6];
	char port[CONFIG_NAME_LEN]; /* "" when behind a remote VTEP */
	uint32_t vtep;              /* the remote VTEP (network order), or 0 */
	struct config_pos pos;
};

struct config_network {
	char name[CONFIG_NAME_LEN];
	uint32_t vni; /* 0: the network stays on this host */
	unsigned int nflood;
	uint32_t flood[CONFIG_MAX_FLOOD]; /* remote VTEPs, network order */
	struct config_pos flood_pos[CONFIG_MAX_FLOOD];
	unsigned int nmacs;
	struct config_mac *mac;
	struct config_pos pos;
};

struct config_port {
	char name[CONFIG_NAME_LEN];
	enum config_port_type type;
	enum config_vhost_mode mode; /* vhost-user only */
	char path[CONFIG_PATH_LEN];  /* vhost-user: the socket; af_packet, tap: the interface */
	char network[CONFIG_NAME_LEN]; /* "" when in no network */
	struct config_pos pos;
};

/* A flow rule, as text in the syntax of control/flowtext.h (${} expanded). */
struct config_flow {
	char *text;
	struct config_pos pos;
};

struct syd_config {
	char *file; /* the name errors use, as given to the loader */
	char name[CONFIG_NAME_LEN];
	struct config_vtep vtep;
	unsigned int nnetworks;
	struct config_network *network;
	unsigned int nports;
	struct config_port *port;
	unsigned int nflows;
	struct config_flow *flow;
};

/*
 * Load and check a configuration file.  @return 0 with *out set (free it with
 * config_free), or a negative errno with one sentence in err and *out NULL:
 *   -EINVAL  the file is not a valid configuration ("file:line:col: where: what");
 *   -EFBIG   larger than CONFIG_FILE_MAX;  -ENOMEM;
 *   another  the file cannot be read (-ENOENT, -EACCES, ...).
 */
int config_load_file(const char *path, struct syd_config **out, char *err, size_t errlen);

/* The same for len bytes of text; name is the file name errors use. */
int config_load_buffer(const char *name, const char *text, size_t len, struct syd_config **out,
		       char *err, size_t errlen);

/* Free a model (NULL is fine). */
void config_free(struct syd_config *c);

/* "auto", "af_xdp", "af_packet"; "vhost-user", "af_packet", "tap"; "server", "client". */
const char *config_uplink_mode_name(enum config_uplink_mode m);
/* Is m a socket mode (vhost-server, virtio-user: no kernel interface)? */
bool config_uplink_is_socket(enum config_uplink_mode m);
const char *config_port_type_name(enum config_port_type t);
const char *config_vhost_mode_name(enum config_vhost_mode m);

#endif /* SYD_CONFIG_H */

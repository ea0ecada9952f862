/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * syd-bench's command line: the mode, the ports, EAL settings and the stream settings.
 * Parsed once in main before anything starts; read-only afterwards.
 */
#ifndef SYD_BENCH_OPTIONS_H
#define SYD_BENCH_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "port.h"
#include "stream.h"

#define OPTIONS_FILE_PREFIX_MAX 64

enum options_mode {
	OPTIONS_MODE_STREAM,
	OPTIONS_MODE_PEER,
	OPTIONS_MODE_SEARCH,
};

struct options {
	enum options_mode mode;
	unsigned int lcore;
	unsigned int mem_mb;
	char file_prefix[OPTIONS_FILE_PREFIX_MAX];
	unsigned int link_timeout_s;
	const char *eal_extra; /* more EAL arguments, separated by spaces; NULL: none */
	unsigned int nports;
	struct port_spec port[PORT_MAX];
	struct stream_config stream;
};

/*
 * Fill o from syd-bench's argv (argv[1] is the mode).
 * @return 0; 1 when help was asked for and printed; -EINVAL with the reason printed on
 *   stderr (exit 2).
 */
int options_parse(struct options *o, int argc, char **argv);

/* The --help text. */
void options_print_usage(FILE *f);

#endif /* SYD_BENCH_OPTIONS_H */

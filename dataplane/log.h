/* SPDX-License-Identifier: BSD-3-Clause */
/* The dataplane's log type: "syd.dataplane" in rte_log (--log-level syd.dataplane:debug). */
#ifndef SYD_LOG_H
#define SYD_LOG_H

#include <rte_log.h>

extern int syd_logtype_dp;

#define DP_LOG(level, fmt, ...)                                                                    \
	rte_log(RTE_LOG_##level, syd_logtype_dp, "syd: " fmt "\n", ##__VA_ARGS__)

#endif /* SYD_LOG_H */

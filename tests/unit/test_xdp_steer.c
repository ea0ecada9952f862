/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The XDP steering program, run by the kernel on crafted frames (bpf_prog_test_run_opts,
 * no NIC), and its loader glue (dataplane/xdp_steer.c) on the loopback interface of a
 * network namespace of the test's own.
 *
 * Usage: test_xdp_steer PATH/syd_steer.bpf.o (meson passes the built object).  Needs root
 * (CAP_BPF and CAP_SYS_ADMIN); without the privilege to load a BPF program every test
 * passes with a message saying so, and nothing else is skipped.
 *
 * Each case zeroes the per-CPU counters, runs one frame, and checks the program's action
 * and that exactly the one counter it names rose by one.  bpf_redirect_map() returns
 * XDP_REDIRECT only when xsks_map holds a socket for the rx queue (0 in a test run); the
 * fallback we chose, when it holds none, is XDP_PASS (counted as no_xsk).  An AF_XDP
 * socket, unbound, stands in for DPDK's: a test run returns the action and does not
 * perform the redirect.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <rte_common.h>

#include "frames.h"
#include "syd_steer.h"
#include "xdp_steer.h"

#define OUR_PORT 4789

static const char *obj_path;
static struct bpf_object *obj;
static int prog_fd = -1, cfg_fd = -1, stats_fd = -1, xsks_fd = -1;
static int xsk = -1; /* an AF_XDP socket, or -1 */
static int ncpu;
static bool skip; /* no privilege to load BPF: every test passes with skip_why */
static char skip_why[256];
static bool netns; /* in a network namespace of our own: the loopback tests run */
static char netns_why[256];

#define SKIP_UNLESS_LOADED()                                                                       \
	do {                                                                                       \
		if (skip) {                                                                        \
			CU_PASS(skip_why);                                                         \
			return;                                                                    \
		}                                                                                  \
		CU_ASSERT_FATAL(prog_fd >= 0);                                                     \
	} while (0)

/* Program runs */

static int run(const struct frame *f)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f->b, .data_size_in = f->len, .repeat = 1);
	int ret = bpf_prog_test_run_opts(prog_fd, &o);

	CU_ASSERT_EQUAL_FATAL(ret, 0);
	return (int)o.retval;
}

static void stats_zero(void)
{
	uint64_t *zero = calloc((size_t)ncpu, sizeof(uint64_t));
	uint32_t key;

	CU_ASSERT_FATAL(zero != NULL);
	for (key = 0; key < SYD_STEER_MAX; key++)
		CU_ASSERT_EQUAL(bpf_map_update_elem(stats_fd, &key, zero, BPF_ANY), 0);
	free(zero);
}

static void stats_read(uint64_t sum[SYD_STEER_MAX])
{
	uint64_t *v = calloc((size_t)ncpu, sizeof(uint64_t));
	uint32_t key;
	int i;

	CU_ASSERT_FATAL(v != NULL);
	for (key = 0; key < SYD_STEER_MAX; key++) {
		CU_ASSERT_EQUAL(bpf_map_lookup_elem(stats_fd, &key, v), 0);
		sum[key] = 0;
		for (i = 0; i < ncpu; i++)
			sum[key] += v[i];
	}
	free(v);
}

static void set_cfg(uint32_t addr, uint16_t port, uint8_t arp)
{
	struct syd_steer_cfg c = {.vtep_addr = addr, .udp_port = htons(port), .steer_arp = arp};
	uint32_t key = 0;

	CU_ASSERT_EQUAL_FATAL(bpf_map_update_elem(cfg_fd, &key, &c, BPF_ANY), 0);
}

/* Ours: FRAME_IP_B, port 4789. */
static void set_cfg_ours(uint8_t arp)
{
	set_cfg(htonl(FRAME_IP_B), OUR_PORT, arp);
}

static void xsk_insert(void)
{
	uint32_t key = 0;

	CU_ASSERT_FATAL(xsk >= 0);
	CU_ASSERT_EQUAL_FATAL(bpf_map_update_elem(xsks_fd, &key, &xsk, BPF_ANY), 0);
}

static void xsk_remove(void)
{
	uint32_t key = 0;

	bpf_map_delete_elem(xsks_fd, &key); /* ENOENT when empty: fine */
}

static const char *const counter_name[SYD_STEER_MAX] = {"vxlan", "arp", "pass", "no_xsk"};

static const char *action_name(int a)
{
	switch (a) {
	case XDP_ABORTED:
		return "XDP_ABORTED";
	case XDP_DROP:
		return "XDP_DROP";
	case XDP_PASS:
		return "XDP_PASS";
	case XDP_TX:
		return "XDP_TX";
	case XDP_REDIRECT:
		return "XDP_REDIRECT";
	}
	return "?";
}

/* Run f: the action must be want and the counter `counter` the only one to rise, by 1. */
static void expect_run(const struct frame *f, int want, unsigned int counter, const char *what,
		       unsigned int line)
{
	uint64_t s[SYD_STEER_MAX];
	char msg[256];
	unsigned int i;
	int got;

	stats_zero();
	got = run(f);
	snprintf(msg, sizeof(msg), "%s: %s, want %s", what, action_name(got), action_name(want));
	CU_assertImplementation(got == want, line, msg, __FILE__, "", CU_FALSE);
	stats_read(s);
	for (i = 0; i < SYD_STEER_MAX; i++) {
		snprintf(msg, sizeof(msg), "%s: counter %s is %llu, want %u", what, counter_name[i],
			 (unsigned long long)s[i], i == counter ? 1 : 0);
		CU_assertImplementation(s[i] == (i == counter ? 1u : 0u), line, msg, __FILE__, "",
					CU_FALSE);
	}
}

#define EXPECT_RUN(f, want, counter, what) expect_run(f, want, counter, what, __LINE__)
#define EXPECT_PASS(f, what)		   EXPECT_RUN(f, XDP_PASS, SYD_STEER_PASS, what)

/* Frames */

/* IPv4/UDP from FRAME_IP_A to FRAME_IP_B with a VXLAN header and a 60-byte inner frame. */
static uint32_t vxlan_frame(struct frame *f, uint8_t proto, unsigned int ihl, uint16_t frag,
			    uint16_t dport)
{
	uint32_t ip;

	frame_eth(f, 0x0800);
	ip = frame_ipv4(f, proto, ihl, frag);
	frame_udp(f, 50000, dport, 8 + 60);
	f->b[ip + ihl * 4 + 8] = 0x08; /* the I flag */
	frame_ipv4_end(f, ip);
	return ip;
}

static void arp_frame(struct frame *f, uint16_t op, uint32_t tpa)
{
	frame_eth(f, 0x0806);
	frame_arp(f, op, FRAME_IP_A, &FRAME_DST, tpa);
	frame_pad_to(f, 60);
}

/* Crafted frames */

static void test_zero_config_passes_everything(void)
{
	struct frame f;

	SKIP_UNLESS_LOADED();
	set_cfg(0, 0, 0);
	xsk_insert();
	vxlan_frame(&f, IPPROTO_UDP, 5, 0, OUR_PORT);
	EXPECT_PASS(&f, "VXLAN, no configuration");
	arp_frame(&f, 1, FRAME_IP_B);
	EXPECT_PASS(&f, "ARP, no configuration");
	set_cfg(0, OUR_PORT, 1); /* a port alone is not a configuration */
	vxlan_frame(&f, IPPROTO_UDP, 5, 0, OUR_PORT);
	EXPECT_PASS(&f, "VXLAN, address 0");
	xsk_remove();
}

static void test_vxlan_for_us_is_redirected(void)
{
	struct frame f;

	SKIP_UNLESS_LOADED();
	set_cfg_ours(0);
	xsk_insert();
	vxlan_frame(&f, IPPROTO_UDP, 5, 0, OUR_PORT);
	EXPECT_RUN(&f, XDP_REDIRECT, SYD_STEER_VXLAN, "VXLAN to our address and port");
	vxlan_frame(&f, IPPROTO_UDP, 5, 0x4000, OUR_PORT);
	EXPECT_RUN(&f, XDP_REDIRECT, SYD_STEER_VXLAN, "VXLAN with DF");
	vxlan_frame(&f, IPPROTO_UDP, 15, 0, OUR_PORT);
	EXPECT_RUN(&f, XDP_REDIRECT, SYD_STEER_VXLAN, "VXLAN with 40 bytes of IPv4 options");
	set_cfg(htonl(FRAME_IP_B), 8472, 0);
	vxlan_frame(&f, IPPROTO_UDP, 5, 0, 8472);
	EXPECT_RUN(&f, XDP_REDIRECT, SYD_STEER_VXLAN, "VXLAN on a configured port 8472");
	xsk_remove();
}

static void test_vxlan_without_socket_falls_back_to_pass(void)
{
	struct frame f;

	SKIP_UNLESS_LOADED();
	set_cfg_ours(1);
	xsk_remove();
	vxlan_frame(&f, IPPROTO_UDP, 5, 0, OUR_PORT);
	EXPECT_RUN(&f, XDP_PASS, SYD_STEER_NO_XSK, "VXLAN for us, no AF_XDP socket");
	arp_frame(&f, 1, FRAME_IP_B);
	EXPECT_RUN(&f, XDP_PASS, SYD_STEER_NO_XSK, "ARP for us, no AF_XDP socket");
}

static void test_what_is_not_ours_passes(void)
{
	struct frame f;
	uint32_t ip;

	SKIP_UNLESS_LOADED();
	set_cfg_ours(1);
	xsk_insert();

	set_cfg(htonl(FRAME_IP_A), OUR_PORT, 1);
	vxlan_frame(&f, IPPROTO_UDP, 5, 0, OUR_PORT);
	EXPECT_PASS(&f, "VXLAN to another address");
	set_cfg_ours(1);
	vxlan_frame(&f, IPPROTO_UDP, 5, 0, 4790);
	EXPECT_PASS(&f, "UDP to another port");
	vxlan_frame(&f, IPPROTO_UDP, 5, 0, htons(OUR_PORT));
	EXPECT_PASS(&f, "UDP to the port byte-swapped");
	vxlan_frame(&f, IPPROTO_UDP, 5, 0x2000, OUR_PORT);
	EXPECT_PASS(&f, "first fragment (MF)");
	vxlan_frame(&f, IPPROTO_UDP, 5, 0x0010, OUR_PORT);
	EXPECT_PASS(&f, "later fragment (offset)");
	vxlan_frame(&f, IPPROTO_TCP, 5, 0, OUR_PORT);
	EXPECT_PASS(&f, "TCP to our address");
	ip = vxlan_frame(&f, IPPROTO_UDP, 5, 0, OUR_PORT);
	f.b[ip] = 0x65;
	EXPECT_PASS(&f, "IP version 6 in an IPv4 ethertype");
	ip = vxlan_frame(&f, IPPROTO_UDP, 5, 0, OUR_PORT);
	f.b[ip] = 0x44;
	EXPECT_PASS(&f, "IHL 4");

	frame_eth(&f, 0x86dd);
	ip = frame_ipv6(&f, IPPROTO_UDP);
	frame_udp(&f, 50000, OUR_PORT, 68);
	frame_ipv6_end(&f, ip);
	EXPECT_PASS(&f, "IPv6 UDP to our port");

	frame_start(&f);
	frame_tag(&f, 0x8100, 10);
	frame_type(&f, 0x0800);
	ip = frame_ipv4(&f, IPPROTO_UDP, 5, 0);
	frame_udp(&f, 50000, OUR_PORT, 68);
	frame_ipv4_end(&f, ip);
	EXPECT_PASS(&f, "802.1Q-tagged VXLAN");

	vxlan_frame(&f, IPPROTO_UDP, 5, 0, OUR_PORT);
	f.len = 14 + 19;
	EXPECT_PASS(&f, "IPv4 header cut short");
	vxlan_frame(&f, IPPROTO_UDP, 5, 0, OUR_PORT);
	f.len = 14 + 20 + 7;
	EXPECT_PASS(&f, "UDP header cut short");
	vxlan_frame(&f, IPPROTO_UDP, 15, 0, OUR_PORT);
	f.len = 14 + 60 + 4;
	EXPECT_PASS(&f, "UDP header cut short after options");
	frame_eth(&f, 0x0800);
	EXPECT_PASS(&f, "bare Ethernet header");

	arp_frame(&f, 1, FRAME_IP_A);
	EXPECT_PASS(&f, "ARP for another address");
	xsk_remove();
}

static void test_arp_for_us_is_redirected_only_with_steer_arp(void)
{
	struct frame f;

	SKIP_UNLESS_LOADED();
	xsk_insert();
	set_cfg_ours(0);
	arp_frame(&f, 1, FRAME_IP_B);
	EXPECT_PASS(&f, "ARP request for us, steer_arp off");

	set_cfg_ours(1);
	EXPECT_RUN(&f, XDP_REDIRECT, SYD_STEER_ARP, "ARP request for us");
	arp_frame(&f, 2, FRAME_IP_B);
	EXPECT_RUN(&f, XDP_REDIRECT, SYD_STEER_ARP, "ARP reply to us");
	frame_eth(&f, 0x0806);
	frame_arp(&f, 1, FRAME_IP_A, &FRAME_DST, FRAME_IP_B);
	EXPECT_RUN(&f, XDP_REDIRECT, SYD_STEER_ARP, "unpadded 42-byte ARP");
	f.len--;
	EXPECT_PASS(&f, "ARP cut short");
	arp_frame(&f, 1, FRAME_IP_B);
	f.b[15] = 6; /* hardware type 6 */
	EXPECT_PASS(&f, "ARP not over Ethernet");
	arp_frame(&f, 1, FRAME_IP_B);
	f.b[19] = 16; /* protocol length 16 */
	EXPECT_PASS(&f, "ARP with 16-byte addresses");
	xsk_remove();
}

/* The loader glue, on the loopback interface of our own network namespace */

#define SKIP_UNLESS_NETNS()                                                                        \
	do {                                                                                       \
		SKIP_UNLESS_LOADED();                                                              \
		if (!netns) {                                                                      \
			CU_FAIL(netns_why);                                                        \
			return;                                                                    \
		}                                                                                  \
	} while (0)

static void test_configure_missing_interface(void)
{
	char err[256] = "";
	struct xdp_steer_stats s;

	SKIP_UNLESS_NETNS();
	CU_ASSERT_EQUAL(xdp_steer_configure("syd-nosuch0", 1, 1, false, err, sizeof(err)), -ENODEV);
	CU_ASSERT(strstr(err, "syd-nosuch0") != NULL);
	CU_ASSERT_EQUAL(xdp_steer_stats("syd-nosuch0", &s, err, sizeof(err)), -ENODEV);
}

static void test_configure_nothing_attached(void)
{
	char err[256] = "";

	SKIP_UNLESS_NETNS();
	CU_ASSERT_EQUAL(xdp_steer_configure("lo", 1, 1, false, err, sizeof(err)), -ENOENT);
	CU_ASSERT(strstr(err, "no XDP program") != NULL);
	printf("\n    (nothing attached: %s)\n", err);
}

static void test_configure_refuses_another_program(void)
{
	/* r0 = XDP_PASS; exit */
	const struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS},
		{.code = BPF_JMP | BPF_EXIT},
	};
	char err[256] = "";
	struct xdp_steer_stats s;
	int fd, lo = (int)if_nametoindex("lo");

	SKIP_UNLESS_NETNS();
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "someone_else", "Dual BSD/GPL", insns, RTE_DIM(insns),
			   NULL);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(bpf_xdp_attach(lo, fd, XDP_FLAGS_SKB_MODE, NULL), 0);
	CU_ASSERT_EQUAL(xdp_steer_configure("lo", 1, 1, false, err, sizeof(err)), -EBUSY);
	CU_ASSERT(strstr(err, "someone_else") != NULL);
	printf("\n    (another program: %s)\n", err);
	CU_ASSERT_EQUAL(xdp_steer_stats("lo", &s, err, sizeof(err)), -EBUSY);
	CU_ASSERT_EQUAL(bpf_xdp_detach(lo, XDP_FLAGS_SKB_MODE, NULL), 0);
	close(fd);
}

static void test_configure_writes_the_attached_programs_map(void)
{
	struct syd_steer_cfg c;
	char err[256] = "";
	uint32_t key = 0;
	int lo = (int)if_nametoindex("lo");

	SKIP_UNLESS_NETNS();
	set_cfg(0, 0, 0);
	CU_ASSERT_EQUAL_FATAL(bpf_xdp_attach(lo, prog_fd, XDP_FLAGS_SKB_MODE, NULL), 0);
	CU_ASSERT_EQUAL(
		xdp_steer_configure("lo", htonl(INADDR_LOOPBACK), OUR_PORT, true, err, sizeof(err)),
		0);
	CU_ASSERT_EQUAL(err[0], '\0');
	CU_ASSERT_EQUAL_FATAL(bpf_map_lookup_elem(cfg_fd, &key, &c), 0);
	CU_ASSERT_EQUAL(c.vtep_addr, htonl(INADDR_LOOPBACK));
	CU_ASSERT_EQUAL(c.udp_port, htons(OUR_PORT));
	CU_ASSERT_EQUAL(c.steer_arp, 1);
	CU_ASSERT_EQUAL(c.pad, 0);
	CU_ASSERT_EQUAL(
		xdp_steer_configure("lo", htonl(INADDR_LOOPBACK), 8472, false, err, sizeof(err)),
		0);
	CU_ASSERT_EQUAL_FATAL(bpf_map_lookup_elem(cfg_fd, &key, &c), 0);
	CU_ASSERT_EQUAL(c.udp_port, htons(8472));
	CU_ASSERT_EQUAL(c.steer_arp, 0);
}

static int udp_socket(uint16_t bind_port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(bind_port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct timeval tv = {.tv_sec = 2};
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	CU_ASSERT_FATAL(s >= 0);
	CU_ASSERT_EQUAL(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	if (bind_port)
		CU_ASSERT_EQUAL_FATAL(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	return s;
}

static void send_to(int s, uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};

	CU_ASSERT_EQUAL(sendto(s, "vxlan?", 6, 0, (struct sockaddr *)&a, sizeof(a)), 6);
}

/* Real packets through generic XDP on lo: with no AF_XDP socket, ours reach the kernel. */
static void test_real_traffic_counted_and_kept_by_kernel(void)
{
	struct xdp_steer_stats s;
	char err[256] = "", buf[16];
	int rx, tx;

	SKIP_UNLESS_NETNS();
	CU_ASSERT_EQUAL_FATAL(xdp_steer_configure("lo", htonl(INADDR_LOOPBACK), OUR_PORT, false,
						  err, sizeof(err)),
			      0);
	xsk_remove();
	stats_zero();
	rx = udp_socket(OUR_PORT);
	tx = udp_socket(0);
	send_to(tx, OUR_PORT);
	CU_ASSERT_EQUAL(recv(rx, buf, sizeof(buf), 0), 6);
	CU_ASSERT_EQUAL_FATAL(xdp_steer_stats("lo", &s, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(s.no_xsk, 1);
	CU_ASSERT_EQUAL(s.vxlan, 0);
	CU_ASSERT_EQUAL(s.arp, 0);
	send_to(tx, OUR_PORT + 1);
	CU_ASSERT_EQUAL_FATAL(xdp_steer_stats("lo", &s, err, sizeof(err)), 0);
	CU_ASSERT(s.passed >= 1); /* the datagram, and the kernel's port unreachable */
	CU_ASSERT_EQUAL(s.no_xsk, 1);
	close(rx);
	close(tx);
}

/* Without root, the sentence says so. */
static void test_configure_needs_root(void)
{
	pid_t pid;
	int status = 0;

	SKIP_UNLESS_NETNS();
	fflush(NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		char err[256] = "";
		struct xdp_steer_stats s;
		int a, b;

		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(3);
		a = xdp_steer_configure("lo", htonl(INADDR_LOOPBACK), OUR_PORT, false, err,
					sizeof(err));
		b = xdp_steer_stats("lo", &s, err, sizeof(err));
		if (a == -EPERM && b == -EPERM && strstr(err, "root") != NULL) {
			printf("\n    (as nobody: %s)\n", err);
			fflush(stdout);
			_exit(0);
		}
		printf("\n    as nobody: configure %d, stats %d: %s\n", a, b, err);
		fflush(stdout);
		_exit(1);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Set-up */

static void load(void)
{
	struct bpf_program *prog;
	int ret;

	obj = bpf_object__open_file(obj_path, NULL);
	if (obj == NULL) {
		fprintf(stderr, "test_xdp_steer: cannot open %s: %s\n", obj_path, strerror(errno));
		return;
	}
	ret = bpf_object__load(obj);
	if (ret == -EPERM || ret == -EACCES) {
		snprintf(skip_why, sizeof(skip_why),
			 "skipped: loading a BPF program needs root (CAP_BPF): %s", strerror(-ret));
		skip = true;
		return;
	}
	if (ret < 0) {
		fprintf(stderr, "test_xdp_steer: cannot load %s: %s\n", obj_path, strerror(-ret));
		return;
	}
	prog = bpf_object__find_program_by_name(obj, SYD_STEER_PROG_NAME);
	if (prog == NULL || bpf_object__next_program(obj, NULL) != prog) {
		/* net_af_xdp attaches the object's first program: it must be this one */
		fprintf(stderr, "test_xdp_steer: %s's first program is not %s\n", obj_path,
			SYD_STEER_PROG_NAME);
		return;
	}
	cfg_fd = bpf_object__find_map_fd_by_name(obj, SYD_STEER_CFG_MAP);
	stats_fd = bpf_object__find_map_fd_by_name(obj, SYD_STEER_STATS_MAP);
	xsks_fd = bpf_object__find_map_fd_by_name(obj, SYD_STEER_XSK_MAP);
	ncpu = libbpf_num_possible_cpus();
	xsk = socket(AF_XDP, SOCK_RAW, 0);
	if (cfg_fd < 0 || stats_fd < 0 || xsks_fd < 0 || ncpu <= 0 || xsk < 0) {
		fprintf(stderr, "test_xdp_steer: maps %d %d %d, %d CPUs, AF_XDP socket %d (%s)\n",
			cfg_fd, stats_fd, xsks_fd, ncpu, xsk, strerror(errno));
		return;
	}
	prog_fd = bpf_program__fd(prog);
}

/* A network namespace of our own, its lo up: XDP on it touches nothing of the host's. */
static void enter_netns(void)
{
	struct ifreq ifr;
	int s;

	if (unshare(CLONE_NEWNET) != 0) {
		snprintf(netns_why, sizeof(netns_why), "cannot make a network namespace: %s",
			 strerror(errno));
		return;
	}
	s = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0) {
		snprintf(netns_why, sizeof(netns_why), "cannot read lo: %s", strerror(errno));
	} else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0)
			snprintf(netns_why, sizeof(netns_why), "cannot bring lo up: %s",
				 strerror(errno));
		else
			netns = true;
	}
	if (s >= 0)
		close(s);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
#define T(fn) {#fn, fn}
		T(test_zero_config_passes_everything),
		T(test_vxlan_for_us_is_redirected),
		T(test_vxlan_without_socket_falls_back_to_pass),
		T(test_what_is_not_ours_passes),
		T(test_arp_for_us_is_redirected_only_with_steer_arp),
		T(test_configure_missing_interface),
		T(test_configure_nothing_attached),
		T(test_configure_refuses_another_program),
		T(test_configure_writes_the_attached_programs_map),
		T(test_real_traffic_counted_and_kept_by_kernel),
		T(test_configure_needs_root),
#undef T
	};
	CU_pSuite suite;
	unsigned int i, failed;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH/syd_steer.bpf.o\n", argv[0]);
		return 2;
	}
	obj_path = argv[1];
	load();
	if (skip)
		printf("test_xdp_steer: %s\n", skip_why);
	else
		enter_netns();

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	suite = CU_add_suite("xdp_steer", NULL, NULL);
	if (suite == NULL)
		return 2;
	for (i = 0; i < RTE_DIM(tests); i++)
		if (CU_add_test(suite, tests[i].name, tests[i].fn) == NULL)
			return 2;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();

	if (netns)
		bpf_xdp_detach((int)if_nametoindex("lo"), XDP_FLAGS_SKB_MODE, NULL);
	if (xsk >= 0)
		close(xsk);
	bpf_object__close(obj);
	return failed ? 1 : 0;
}

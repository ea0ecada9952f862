/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The wire protocol's codec: what the builders make passes proto_check() and reads back
 * field for field; every way a message can be wrong is refused with its exact code.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "proto.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct proto_buf b;
static char err[SYD_PROTO_TEXT_MAX];

static const struct syd_hdr *hdr(void)
{
	return (const struct syd_hdr *)b.data;
}

/* proto_check() of the message in b, finished. */
static int check(void)
{
	struct syd_hdr *h = proto_finish(&b);

	err[0] = '\0';
	return proto_check(h, h->length, err, sizeof(err));
}

/* A message of one type and body, built and checked. */
static int check_msg(uint16_t type, const void *body, size_t n)
{
	proto_begin(&b, type, 5);
	if (n > 0)
		CU_ASSERT_EQUAL_FATAL(proto_append(&b, body, n), 0);
	return check();
}

/* The raw header of b, for tests that break it; len is what "the datagram" holds. */
static int check_raw(size_t len)
{
	err[0] = '\0';
	return proto_check(b.data, len, err, sizeof(err));
}

static struct syd_op good_op(uint16_t type)
{
	struct syd_op op;

	memset(&op, 0, sizeof(op));
	op.type = type;
	switch (type) {
	case SYD_OP_NET_ADD:
	case SYD_OP_NET_DEL:
		strcpy(op.name, "blue");
		break;
	case SYD_OP_PORT_DEL:
	case SYD_OP_DETACH:
		strcpy(op.name, "vm1");
		break;
	case SYD_OP_PORT_ADD:
		strcpy(op.name, "vm1");
		op.kind = SYD_PORT_VHOST_SERVER;
		strcpy(op.path, "/run/vm1.sock");
		break;
	case SYD_OP_ATTACH:
		strcpy(op.name, "vm1");
		strcpy(op.network, "blue");
		break;
	case SYD_OP_MAC_ADD:
		strcpy(op.name, "vm1");
		/* fall through */
	case SYD_OP_MAC_DEL:
		strcpy(op.network, "blue");
		op.mac[0] = 0x02;
		op.mac[5] = 0x09;
		break;
	case SYD_OP_MAC_FLUSH:
	case SYD_OP_UPLINK_DEL:
		break;
	case SYD_OP_NET_VNI:
		strcpy(op.name, "blue");
		op.vni = 5001;
		break;
	case SYD_OP_VTEP_ADD:
	case SYD_OP_VTEP_DEL:
		strcpy(op.network, "blue");
		op.addr = htonl(0xc6120002); /* 198.18.0.2 */
		break;
	case SYD_OP_UPLINK_SET:
		op.kind = SYD_UPLINK_AUTO;
		strcpy(op.path, "veth0");
		op.addr = htonl(0xc6120001);
		op.udp_port = 4789;
		op.mtu = 1500;
		break;
	}
	return op;
}

/* A batch of one op: the code proto_check() gives it. */
static int check_op(const struct syd_op *op)
{
	proto_begin(&b, SYD_MSG_BATCH, 7);
	CU_ASSERT_EQUAL_FATAL(proto_batch_add(&b, op), 0);
	return check();
}

static bool op_uses_name(uint16_t t)
{
	return t != SYD_OP_MAC_DEL && t != SYD_OP_MAC_FLUSH && t != SYD_OP_VTEP_ADD &&
	       t != SYD_OP_VTEP_DEL && t != SYD_OP_UPLINK_SET && t != SYD_OP_UPLINK_DEL;
}

static bool op_needs_network(uint16_t t)
{
	return t == SYD_OP_ATTACH || t == SYD_OP_MAC_ADD || t == SYD_OP_MAC_DEL ||
	       t == SYD_OP_VTEP_ADD || t == SYD_OP_VTEP_DEL;
}

static bool op_uses_network(uint16_t t)
{
	return op_needs_network(t) || t == SYD_OP_PORT_ADD || t == SYD_OP_MAC_FLUSH;
}

static bool op_uses_mac(uint16_t t)
{
	return t == SYD_OP_MAC_ADD || t == SYD_OP_MAC_DEL;
}

/* Names every name field must refuse. */
static const char *const bad_names[] = {
	"",                          /* empty */
	"abcdefghijklmnopqrstuvwxy", /* 25 */
	"a b", "a/b", "a.b", "a:b", "\xc3\xa9t\xc3\xa9",
};

static const uint16_t empty_types[] = {
	SYD_MSG_OK,           SYD_MSG_DONE,          SYD_MSG_BARRIER,
	SYD_MSG_DUMP_PORTS,   SYD_MSG_DUMP_NETWORKS, SYD_MSG_DUMP_MACS,
	SYD_MSG_GET_PORT_STATS, SYD_MSG_GET_WORKER_STATS, SYD_MSG_GET_INFO,
	SYD_MSG_CLEAR_STATS,  SYD_MSG_DUMP_DROPS,    SYD_MSG_CLEAR_WORKER_STATS,
	SYD_MSG_DUMP_TRACE,
};

/* ---- round trips ---------------------------------------------------------------- */

static void test_begin_writes_version_type_xid(void)
{
	CU_ASSERT_EQUAL(proto_begin(&b, SYD_MSG_GET_INFO, 0xdeadbeef), 0);
	CU_ASSERT_EQUAL(b.len, sizeof(struct syd_hdr));
	CU_ASSERT_EQUAL(check(), 0);
	CU_ASSERT_EQUAL(hdr()->version, SYD_PROTO_VERSION);
	CU_ASSERT_EQUAL(hdr()->type, SYD_MSG_GET_INFO);
	CU_ASSERT_EQUAL(hdr()->flags, 0);
	CU_ASSERT_EQUAL(hdr()->reserved, 0);
	CU_ASSERT_EQUAL(hdr()->length, 16);
	CU_ASSERT_EQUAL(hdr()->xid, 0xdeadbeef);
}

static void test_begin_reuses_buffer(void)
{
	static uint8_t chunk[10000];
	size_t cap;
	uint8_t *data;

	proto_begin(&b, SYD_MSG_NETWORKS, 1);
	proto_append(&b, chunk, sizeof(chunk));
	cap = b.cap;
	data = b.data;
	CU_ASSERT_EQUAL(proto_begin(&b, SYD_MSG_OK, 2), 0);
	CU_ASSERT_EQUAL(b.len, 16);
	CU_ASSERT_EQUAL(b.cap, cap);
	CU_ASSERT_PTR_EQUAL(b.data, data);
	CU_ASSERT_EQUAL(check(), 0);
	CU_ASSERT_EQUAL(hdr()->length, 16);
}

static void test_empty_body_types_round_trip(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(empty_types); i++) {
		CU_ASSERT_EQUAL(check_msg(empty_types[i], NULL, 0), 0);
		CU_ASSERT_EQUAL(hdr()->type, empty_types[i]);
	}
}

static void test_hello_round_trips(void)
{
	struct syd_hello hello = {.version_min = 1, .version_max = 3};
	const struct syd_hello *m;

	CU_ASSERT_EQUAL(proto_set_str(hello.software, sizeof(hello.software), "syd-test 1.0"), 0);
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_HELLO, &hello, sizeof(hello)), 0);
	m = proto_body(hdr());
	CU_ASSERT_EQUAL(hdr()->length, 16 + sizeof(hello));
	CU_ASSERT_EQUAL(m->version_min, 1);
	CU_ASSERT_EQUAL(m->version_max, 3);
	CU_ASSERT_STRING_EQUAL(m->software, "syd-test 1.0");
	hello.version_max = 1; /* min == max is a range of one */
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_HELLO, &hello, sizeof(hello)), 0);
}

static void test_error_round_trips(void)
{
	const struct syd_error *m;

	CU_ASSERT_EQUAL(proto_error(&b, 9, ENOENT, "no port named '%s'", "vm9"), 0);
	CU_ASSERT_EQUAL(proto_check(b.data, b.len, err, sizeof(err)), 0);
	m = proto_body(hdr());
	CU_ASSERT_EQUAL(hdr()->type, SYD_MSG_ERROR);
	CU_ASSERT_EQUAL(hdr()->xid, 9);
	CU_ASSERT_EQUAL(hdr()->length, b.len);
	CU_ASSERT_EQUAL(hdr()->length, 16 + sizeof(*m) + strlen("no port named 'vm9'") + 1);
	CU_ASSERT_EQUAL(m->code, ENOENT);
	CU_ASSERT_EQUAL(m->reserved, 0);
	CU_ASSERT_STRING_EQUAL(m->text, "no port named 'vm9'");
}

static void test_error_builder_turns_bad_code_into_einval(void)
{
	CU_ASSERT_EQUAL(proto_error(&b, 1, 0, "x"), 0);
	CU_ASSERT_EQUAL(proto_check(b.data, b.len, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(((const struct syd_error *)proto_body(hdr()))->code, EINVAL);
	CU_ASSERT_EQUAL(proto_error(&b, 1, -ENOENT, "x"), 0);
	CU_ASSERT_EQUAL(((const struct syd_error *)proto_body(hdr()))->code, EINVAL);
}

static void test_error_builder_truncates_long_text(void)
{
	char text[2 * SYD_PROTO_TEXT_MAX];
	const struct syd_error *m;

	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	CU_ASSERT_EQUAL(proto_error(&b, 1, EINVAL, "%s", text), 0);
	CU_ASSERT_EQUAL(proto_check(b.data, b.len, err, sizeof(err)), 0);
	m = proto_body(hdr());
	CU_ASSERT_EQUAL(strlen(m->text), SYD_PROTO_TEXT_MAX - 1);
	CU_ASSERT_EQUAL(b.len, 16 + sizeof(*m) + SYD_PROTO_TEXT_MAX);
}

static void test_empty_batch_is_valid(void)
{
	proto_begin(&b, SYD_MSG_BATCH, 3);
	CU_ASSERT_EQUAL(check(), 0);
	CU_ASSERT_EQUAL(hdr()->length, 16 + sizeof(struct syd_batch));
	CU_ASSERT_EQUAL(((const struct syd_batch *)proto_body(hdr()))->count, 0);
}

static void test_batch_of_every_op_round_trips(void)
{
	const struct syd_batch *m;
	struct syd_op ops[SYD_OP_TYPE_MAX - 1];
	uint16_t t;

	proto_begin(&b, SYD_MSG_BATCH, 42);
	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		ops[t - 1] = good_op(t);
		CU_ASSERT_EQUAL(proto_batch_add(&b, &ops[t - 1]), 0);
	}
	CU_ASSERT_EQUAL(check(), 0);
	m = proto_body(hdr());
	CU_ASSERT_EQUAL(hdr()->xid, 42);
	CU_ASSERT_EQUAL(hdr()->length,
			16 + sizeof(*m) + (SYD_OP_TYPE_MAX - 1) * sizeof(struct syd_op));
	CU_ASSERT_EQUAL(m->count, SYD_OP_TYPE_MAX - 1);
	CU_ASSERT_EQUAL(m->reserved, 0);
	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		const struct syd_op *op = &m->op[t - 1];

		CU_ASSERT_EQUAL(op->type, t);
		CU_ASSERT_EQUAL(op->kind, ops[t - 1].kind);
		CU_ASSERT_STRING_EQUAL(op->name, ops[t - 1].name);
		CU_ASSERT_STRING_EQUAL(op->network, ops[t - 1].network);
		CU_ASSERT_STRING_EQUAL(op->path, ops[t - 1].path);
		CU_ASSERT_EQUAL(memcmp(op->mac, ops[t - 1].mac, 6), 0);
	}
}

static void test_batch_survives_buffer_growth(void)
{
	struct syd_op op = good_op(SYD_OP_PORT_ADD);
	const struct syd_batch *m;
	unsigned int i;

	proto_buf_free(&b); /* start from nothing so the buffer moves several times */
	proto_begin(&b, SYD_MSG_BATCH, 1);
	for (i = 0; i < 300; i++) {
		snprintf(op.name, sizeof(op.name), "vm%u", i);
		CU_ASSERT_EQUAL_FATAL(proto_batch_add(&b, &op), 0);
	}
	CU_ASSERT_EQUAL(check(), 0);
	m = proto_body(hdr());
	CU_ASSERT_EQUAL(m->count, 300);
	CU_ASSERT_STRING_EQUAL(m->op[0].name, "vm0");
	CU_ASSERT_STRING_EQUAL(m->op[299].name, "vm299");
}

static void test_port_add_of_every_kind_round_trips(void)
{
	static const struct {
		uint16_t kind;
		const char *path;
	} cases[] = {
		{SYD_PORT_VHOST_SERVER, "/run/vm1.sock"},
		{SYD_PORT_VHOST_CLIENT, "/var/lib/qemu/vm1"},
		{SYD_PORT_AF_PACKET, "eth1"},
		{SYD_PORT_TAP, "tap-vm1_0123456"}, /* 15 bytes */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct syd_op op = good_op(SYD_OP_PORT_ADD);

		op.kind = cases[i].kind;
		proto_set_str(op.path, sizeof(op.path), cases[i].path);
		CU_ASSERT_EQUAL(check_op(&op), 0);
		strcpy(op.network, "blue"); /* the network is optional */
		CU_ASSERT_EQUAL(check_op(&op), 0);
	}
}

static void test_dump_entries_round_trip(void)
{
	struct syd_port_info p[2];
	struct syd_net_info n[2];
	struct syd_mac_info m[2];
	struct syd_port_stats ps[2];
	struct syd_worker_stats ws[2];
	struct syd_drop_record d[2];
	struct syd_trace_record tr[2];
	const struct syd_port_info *pp;
	const struct syd_mac_info *mm;
	const struct syd_drop_record *dd;
	const struct syd_trace_record *tt;

	memset(p, 0, sizeof(p));
	strcpy(p[0].name, "vm1");
	strcpy(p[0].path, "/run/vm1.sock");
	strcpy(p[0].network, "blue");
	p[0].kind = SYD_PORT_VHOST_SERVER;
	p[0].up = 1;
	p[0].virtio_features = 0x130000000ull;
	strcpy(p[1].name, "eth1");
	p[1].kind = SYD_PORT_AF_PACKET; /* not attached, path "" */
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_PORTS, p, sizeof(p)), 0);
	CU_ASSERT_EQUAL(proto_entries(hdr(), sizeof(p[0])), 2);
	pp = proto_body(hdr());
	CU_ASSERT_STRING_EQUAL(pp[0].network, "blue");
	CU_ASSERT_EQUAL(pp[0].virtio_features, 0x130000000ull);
	CU_ASSERT_STRING_EQUAL(pp[1].name, "eth1");

	memset(n, 0, sizeof(n));
	strcpy(n[0].name, "blue");
	strcpy(n[1].name, "red");
	n[1].nports = 3;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_NETWORKS, n, sizeof(n)), 0);
	CU_ASSERT_EQUAL(proto_entries(hdr(), sizeof(n[0])), 2);
	CU_ASSERT_EQUAL(((const struct syd_net_info *)proto_body(hdr()))[1].nports, 3);

	memset(m, 0, sizeof(m));
	strcpy(m[0].network, "blue");
	strcpy(m[0].port, "vm1");
	m[0].is_static = 1;
	strcpy(m[1].network, "red");
	strcpy(m[1].port, "vm2");
	m[1].age_s = 17;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_MACS, m, sizeof(m)), 0);
	mm = proto_body(hdr());
	CU_ASSERT_EQUAL(proto_entries(hdr(), sizeof(m[0])), 2);
	CU_ASSERT_EQUAL(mm[0].is_static, 1);
	CU_ASSERT_EQUAL(mm[1].age_s, 17);

	memset(ps, 0, sizeof(ps));
	strcpy(ps[0].name, "vm1");
	strcpy(ps[1].name, "vm2");
	ps[1].drops[SYD_PROTO_DROPS - 1] = 5;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_PORT_STATS, ps, sizeof(ps)), 0);
	CU_ASSERT_EQUAL(proto_entries(hdr(), sizeof(ps[0])), 2);
	CU_ASSERT_EQUAL(((const struct syd_port_stats *)proto_body(hdr()))[1]
				.drops[SYD_PROTO_DROPS - 1],
			5);

	memset(ws, 0, sizeof(ws));
	strcpy(ws[0].rxqs, "vm1:0 vm2:0");
	ws[1].id = 1; /* rxqs "" */
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_WORKER_STATS, ws, sizeof(ws)), 0);
	CU_ASSERT_EQUAL(proto_entries(hdr(), sizeof(ws[0])), 2);
	CU_ASSERT_STRING_EQUAL(((const struct syd_worker_stats *)proto_body(hdr()))[0].rxqs,
			       "vm1:0 vm2:0");

	memset(d, 0, sizeof(d));
	strcpy(d[0].port, "vm1");
	d[0].reason = 1;
	d[0].len = 60;
	d[0].caplen = 60;
	strcpy(d[1].port, "vm2");
	d[1].reason = SYD_PROTO_DROPS - 1;
	d[1].len = 1500;
	d[1].caplen = SYD_PROTO_SNAP;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_DROPS, d, sizeof(d)), 0);
	dd = proto_body(hdr());
	CU_ASSERT_EQUAL(proto_entries(hdr(), sizeof(d[0])), 2);
	CU_ASSERT_EQUAL(dd[1].caplen, SYD_PROTO_SNAP);

	memset(tr, 0, sizeof(tr));
	strcpy(tr[0].in_port, "vm1");
	strcpy(tr[0].out_port, "vm2");
	strcpy(tr[1].in_port, "vm2"); /* flooded: out_port "" */
	tr[1].nout = 3;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_TRACE, tr, sizeof(tr)), 0);
	tt = proto_body(hdr());
	CU_ASSERT_EQUAL(proto_entries(hdr(), sizeof(tr[0])), 2);
	CU_ASSERT_STRING_EQUAL(tt[0].out_port, "vm2");
	CU_ASSERT_EQUAL(tt[1].nout, 3);
}

static void test_info_round_trips(void)
{
	struct syd_info info;

	memset(&info, 0, sizeof(info));
	strcpy(info.software, "syd-dataplane 0.1.0");
	strcpy(info.file_prefix, "switchyard");
	info.nworkers = SYD_PROTO_WORKERS;
	info.worker_lcore[SYD_PROTO_WORKERS - 1] = 17;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_INFO, &info, sizeof(info)), 0);
	CU_ASSERT_EQUAL(memcmp(proto_body(hdr()), &info, sizeof(info)), 0);
}

static void test_trace_start_round_trips(void)
{
	struct syd_trace_req t;

	memset(&t, 0, sizeof(t));
	t.count = 1;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_TRACE_START, &t, sizeof(t)), 0); /* every packet */
	t.count = SYD_TRACE_MAX;
	t.fields = SYD_TRACE_IN_PORT | SYD_TRACE_SRC | SYD_TRACE_DST | SYD_TRACE_IP_SRC |
		   SYD_TRACE_IP_DST;
	strcpy(t.in_port, "vm1");
	t.src[0] = 2;
	t.ip_dst = 0x0100000a;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_TRACE_START, &t, sizeof(t)), 0);
	CU_ASSERT_EQUAL(memcmp(proto_body(hdr()), &t, sizeof(t)), 0);
}

static void test_event_link_round_trips(void)
{
	struct syd_event_link ev;

	memset(&ev, 0, sizeof(ev));
	strcpy(ev.port, "vm1");
	ev.up = 1;
	proto_begin(&b, SYD_MSG_EVENT_LINK, 0);
	proto_append(&b, &ev, sizeof(ev));
	CU_ASSERT_EQUAL(check(), 0);
	CU_ASSERT_EQUAL(hdr()->xid, 0);
	CU_ASSERT_STRING_EQUAL(((const struct syd_event_link *)proto_body(hdr()))->port, "vm1");
	ev.up = 0;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_EVENT_LINK, &ev, sizeof(ev)), 0);
}

/* ---- the header ------------------------------------------------------------------- */

static void test_short_message_is_ebadmsg(void)
{
	size_t len;

	proto_begin(&b, SYD_MSG_GET_INFO, 1);
	proto_finish(&b);
	for (len = 0; len < sizeof(struct syd_hdr); len++)
		CU_ASSERT_EQUAL(check_raw(len), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "shorter than a header"));
}

static void test_length_field_mismatch_is_ebadmsg(void)
{
	struct syd_hdr *h;

	proto_begin(&b, SYD_MSG_BATCH, 1);
	h = proto_finish(&b); /* 24 bytes */
	h->length = 25;
	CU_ASSERT_EQUAL(check_raw(24), -EBADMSG);
	h->length = 16;
	CU_ASSERT_EQUAL(check_raw(24), -EBADMSG);
	h->length = 0;
	CU_ASSERT_EQUAL(check_raw(24), -EBADMSG);
	h->length = 24 + (1u << 31);
	CU_ASSERT_EQUAL(check_raw(24), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "length field"));
}

static void test_other_version_is_eprotonosupport_naming_both(void)
{
	static const uint16_t versions[] = {0, SYD_PROTO_VERSION + 1, 0xffff};
	struct syd_hdr *h;
	char want[32];
	unsigned int i;

	proto_begin(&b, SYD_MSG_GET_INFO, 1);
	h = proto_finish(&b);
	for (i = 0; i < ARRAY_LEN(versions); i++) {
		h->version = versions[i];
		CU_ASSERT_EQUAL(check_raw(16), -EPROTONOSUPPORT);
		snprintf(want, sizeof(want), "version %u", versions[i]);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
		snprintf(want, sizeof(want), "version %u", SYD_PROTO_VERSION);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	}
}

/* Another version may have other bodies and limits: only its header is read. */
static void test_other_version_is_named_before_any_other_check(void)
{
	struct syd_hdr *h;

	proto_begin(&b, SYD_MSG_GET_INFO, 1);
	h = proto_finish(&b);
	h->version = SYD_PROTO_VERSION + 1;
	h->type = 99;
	h->flags = 1;
	h->length = 1000;
	CU_ASSERT_EQUAL(check_raw(16), -EPROTONOSUPPORT);
	h->type = SYD_MSG_OK;
	h->flags = 0;
	h->length = 16;
	proto_append(&b, "x", 1); /* an OK with a body: fine in a version we cannot read */
	h = proto_finish(&b);
	h->version = SYD_PROTO_VERSION + 1;
	CU_ASSERT_EQUAL(check_raw(17), -EPROTONOSUPPORT);
}

static void test_oversize_message_is_emsgsize(void)
{
	static uint8_t chunk[SYD_PROTO_MSG_MAX];
	struct syd_hdr *h;
	uint8_t *big;

	/* NETWORKS entries are 48 bytes: 5461 of them fill the limit exactly. */
	CU_ASSERT_EQUAL_FATAL((SYD_PROTO_MSG_MAX - 16) % sizeof(struct syd_net_info), 0);
	memset(chunk, 0, sizeof(chunk));
	proto_begin(&b, SYD_MSG_NETWORKS, 1);
	CU_ASSERT_EQUAL_FATAL(proto_append(&b, chunk, SYD_PROTO_MSG_MAX - 16), 0);
	{
		struct syd_net_info *e = (struct syd_net_info *)(b.data + 16);
		size_t i, n = (SYD_PROTO_MSG_MAX - 16) / sizeof(*e);

		for (i = 0; i < n; i++)
			strcpy(e[i].name, "n");
	}
	CU_ASSERT_EQUAL(check(), 0);
	/* One byte more, in a buffer that really holds it. */
	big = calloc(1, SYD_PROTO_MSG_MAX + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memcpy(big, b.data, SYD_PROTO_MSG_MAX);
	h = (struct syd_hdr *)big;
	h->length = SYD_PROTO_MSG_MAX + 1;
	CU_ASSERT_EQUAL(proto_check(big, SYD_PROTO_MSG_MAX + 1, err, sizeof(err)), -EMSGSIZE);
	free(big);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "262144"));
}

static void test_unknown_type_is_eopnotsupp(void)
{
	static const uint16_t unknown[] = {0, 36, 37, SYD_MSG_TYPE_MAX, 999, 0xffff};
	struct syd_hdr *h;
	unsigned int i;

	proto_begin(&b, SYD_MSG_OK, 1);
	h = proto_finish(&b);
	for (i = 0; i < ARRAY_LEN(unknown); i++) {
		h->type = unknown[i];
		CU_ASSERT_EQUAL(check_raw(16), -EOPNOTSUPP);
		CU_ASSERT_STRING_EQUAL(proto_msg_name(unknown[i]), "unknown");
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "65535"));
}

static void test_every_known_type_has_a_name(void)
{
	unsigned int t, named = 0;

	for (t = 1; t < SYD_MSG_TYPE_MAX; t++)
		named += strcmp(proto_msg_name(t), "unknown") != 0;
	CU_ASSERT_EQUAL(named, 35); /* 1-19, 20-29, 30, flows 31-35 (test_proto_flow.c) */
	CU_ASSERT_STRING_EQUAL(proto_msg_name(SYD_MSG_BATCH), "BATCH");
	CU_ASSERT_STRING_EQUAL(proto_msg_name(SYD_MSG_EVENT_LINK), "EVENT_LINK");
	CU_ASSERT_STRING_EQUAL(proto_op_name(SYD_OP_ATTACH), "attach");
	CU_ASSERT_STRING_EQUAL(proto_op_name(0), "unknown");
	CU_ASSERT_STRING_EQUAL(proto_op_name(SYD_OP_TYPE_MAX), "unknown");
}

static void test_header_flags_set_is_einval(void)
{
	struct syd_hdr *h;
	unsigned int bit;

	for (bit = 0; bit < 16; bit++) {
		proto_begin(&b, SYD_MSG_OK, 1);
		h = proto_finish(&b);
		h->flags = 1u << bit;
		CU_ASSERT_EQUAL(check_raw(16), -EINVAL);
	}
}

static void test_header_reserved_set_is_einval(void)
{
	struct syd_hdr *h;

	proto_begin(&b, SYD_MSG_OK, 1);
	h = proto_finish(&b);
	h->reserved = 0x8000;
	CU_ASSERT_EQUAL(check_raw(16), -EINVAL);
	h->reserved = 1;
	CU_ASSERT_EQUAL(check_raw(16), -EINVAL);
}

/* ---- bodies --------------------------------------------------------------------- */

static void test_empty_body_types_refuse_a_body(void)
{
	static const uint8_t body[8];
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(empty_types); i++) {
		CU_ASSERT_EQUAL(check_msg(empty_types[i], body, 1), -EINVAL);
		CU_ASSERT_EQUAL(check_msg(empty_types[i], body, sizeof(body)), -EINVAL);
	}
}

static void test_hello_wrong_size_is_einval(void)
{
	struct syd_hello hello[2];

	memset(hello, 0, sizeof(hello));
	hello[0].version_min = hello[0].version_max = 1;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_HELLO, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_HELLO, hello, 8), -EINVAL);
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_HELLO, hello, sizeof(hello[0]) - 1), -EINVAL);
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_HELLO, hello, sizeof(hello[0]) + 1), -EINVAL);
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_HELLO, hello, sizeof(hello)), -EINVAL);
}

static void test_hello_min_above_max_is_einval(void)
{
	struct syd_hello hello = {.version_min = 2, .version_max = 1};

	CU_ASSERT_EQUAL(check_msg(SYD_MSG_HELLO, &hello, sizeof(hello)), -EINVAL);
}

static void test_hello_unterminated_software_is_einval(void)
{
	struct syd_hello hello = {.version_min = 1, .version_max = 1};

	memset(hello.software, 'x', sizeof(hello.software));
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_HELLO, &hello, sizeof(hello)), -EINVAL);
}

/* An ERROR body from its parts: code, reserved, then text bytes as given. */
static int check_error(int32_t code, uint32_t reserved, const void *text, size_t n)
{
	struct syd_error e = {.code = code, .reserved = reserved};

	proto_begin(&b, SYD_MSG_ERROR, 1);
	proto_append(&b, &e, sizeof(e));
	if (n > 0)
		proto_append(&b, text, n);
	return check();
}

static void test_error_code_not_positive_is_einval(void)
{
	CU_ASSERT_EQUAL(check_error(1, 0, "x", 2), 0);
	CU_ASSERT_EQUAL(check_error(0, 0, "x", 2), -EINVAL);
	CU_ASSERT_EQUAL(check_error(-EINVAL, 0, "x", 2), -EINVAL);
	CU_ASSERT_EQUAL(check_error(INT32_MIN, 0, "x", 2), -EINVAL);
}

static void test_error_reserved_set_is_einval(void)
{
	CU_ASSERT_EQUAL(check_error(EINVAL, 1, "x", 2), -EINVAL);
}

static void test_error_without_text_is_einval(void)
{
	CU_ASSERT_EQUAL(check_error(EINVAL, 0, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(check_error(EINVAL, 0, "", 1), 0); /* an empty text is a text */
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_ERROR, "abc", 3), -EINVAL); /* shorter than code */
}

static void test_error_unterminated_text_is_einval(void)
{
	CU_ASSERT_EQUAL(check_error(EINVAL, 0, "abc", 3), -EINVAL);
}

static void test_error_text_too_long_is_einval(void)
{
	char text[SYD_PROTO_TEXT_MAX + 1];

	memset(text, 'a', sizeof(text));
	text[SYD_PROTO_TEXT_MAX - 1] = '\0'; /* 512 with the NUL: the limit */
	CU_ASSERT_EQUAL(check_error(EINVAL, 0, text, SYD_PROTO_TEXT_MAX), 0);
	text[SYD_PROTO_TEXT_MAX - 1] = 'a';
	text[SYD_PROTO_TEXT_MAX] = '\0'; /* 513 */
	CU_ASSERT_EQUAL(check_error(EINVAL, 0, text, SYD_PROTO_TEXT_MAX + 1), -EINVAL);
}

static void test_error_embedded_nul_is_einval(void)
{
	CU_ASSERT_EQUAL(check_error(EINVAL, 0, "ab\0c", 5), -EINVAL);
	CU_ASSERT_EQUAL(check_error(EINVAL, 0, "abc\0\0", 5), -EINVAL); /* NUL padding too */
}

static void test_batch_shorter_than_its_count_is_einval(void)
{
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_OK, NULL, 0), 0);
	((struct syd_hdr *)b.data)->type = SYD_MSG_BATCH;
	CU_ASSERT_EQUAL(check_raw(16), -EINVAL);
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_OK, NULL, 0), 0);
	proto_append(&b, "\0\0\0\0\0\0\0", 7);
	proto_finish(&b);
	((struct syd_hdr *)b.data)->type = SYD_MSG_BATCH;
	CU_ASSERT_EQUAL(check_raw(23), -EINVAL);
}

static void test_batch_over_max_is_e2big(void)
{
	struct syd_op op = good_op(SYD_OP_MAC_FLUSH);
	struct syd_batch *m;
	unsigned int i;

	proto_begin(&b, SYD_MSG_BATCH, 1);
	for (i = 0; i < SYD_PROTO_BATCH_MAX; i++)
		CU_ASSERT_EQUAL_FATAL(proto_batch_add(&b, &op), 0);
	CU_ASSERT_EQUAL(check(), 0); /* exactly the limit */
	proto_append(&b, &op, sizeof(op)); /* 1201 ops' bytes, and the count to match */
	m = (struct syd_batch *)(b.data + 16);
	m->count = SYD_PROTO_BATCH_MAX + 1;
	CU_ASSERT_EQUAL(check(), -E2BIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "1201"));
	proto_begin(&b, SYD_MSG_BATCH, 1); /* the count alone decides */
	m = (struct syd_batch *)(b.data + 16);
	m->count = UINT32_MAX;
	CU_ASSERT_EQUAL(check(), -E2BIG);
}

static void test_batch_count_disagreeing_with_bytes_is_einval(void)
{
	struct syd_op op = good_op(SYD_OP_MAC_FLUSH);
	struct syd_batch *m;

	proto_begin(&b, SYD_MSG_BATCH, 1);
	proto_batch_add(&b, &op);
	proto_batch_add(&b, &op);
	m = (struct syd_batch *)(b.data + 16);
	m->count = 3; /* says more than it carries */
	CU_ASSERT_EQUAL(check(), -EINVAL);
	m->count = 1; /* says fewer */
	CU_ASSERT_EQUAL(check(), -EINVAL);
	m->count = 0;
	CU_ASSERT_EQUAL(check(), -EINVAL);
	m->count = 2;
	CU_ASSERT_EQUAL(check(), 0);
	b.len -= 4; /* a partial op */
	CU_ASSERT_EQUAL(check(), -EINVAL);
	b.len += 5; /* a byte past the last op */
	b.data[b.len - 1] = 0;
	CU_ASSERT_EQUAL(check(), -EINVAL);
}

static void test_batch_reserved_set_is_einval(void)
{
	proto_begin(&b, SYD_MSG_BATCH, 1);
	((struct syd_batch *)(b.data + 16))->reserved = 1;
	CU_ASSERT_EQUAL(check(), -EINVAL);
}

static void test_batch_error_names_the_bad_op(void)
{
	struct syd_op good = good_op(SYD_OP_NET_ADD), bad = good_op(SYD_OP_NET_ADD);

	bad.name[0] = '\0';
	proto_begin(&b, SYD_MSG_BATCH, 1);
	proto_batch_add(&b, &good);
	proto_batch_add(&b, &good);
	proto_batch_add(&b, &bad);
	CU_ASSERT_EQUAL(check(), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "op 2"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "add-network"));
}

/* ---- builders' limits ----------------------------------------------------------- */

static void test_batch_add_stops_at_max(void)
{
	struct syd_op op = good_op(SYD_OP_MAC_FLUSH);
	size_t len;
	unsigned int i;

	proto_begin(&b, SYD_MSG_BATCH, 1);
	for (i = 0; i < SYD_PROTO_BATCH_MAX; i++)
		CU_ASSERT_EQUAL_FATAL(proto_batch_add(&b, &op), 0);
	len = b.len;
	CU_ASSERT_EQUAL(proto_batch_add(&b, &op), -E2BIG);
	CU_ASSERT_EQUAL(b.len, len); /* nothing appended */
	CU_ASSERT_EQUAL(((const struct syd_batch *)proto_body(hdr()))->count, SYD_PROTO_BATCH_MAX);
	CU_ASSERT_EQUAL(check(), 0);
}

static void test_append_stops_at_msg_max(void)
{
	static uint8_t chunk[64 * 1024];

	proto_begin(&b, SYD_MSG_PORTS, 1);
	CU_ASSERT_EQUAL(proto_append(&b, chunk, sizeof(chunk)), 0);
	CU_ASSERT_EQUAL(proto_append(&b, chunk, sizeof(chunk)), 0);
	CU_ASSERT_EQUAL(proto_append(&b, chunk, sizeof(chunk)), 0);
	CU_ASSERT_EQUAL(proto_append(&b, chunk, sizeof(chunk)), -EMSGSIZE);
	CU_ASSERT_EQUAL(b.len, 16 + 3 * sizeof(chunk)); /* nothing appended */
	CU_ASSERT_EQUAL(proto_append(&b, chunk, sizeof(chunk) - 16), 0); /* exactly the limit */
	CU_ASSERT_EQUAL(b.len, SYD_PROTO_MSG_MAX);
	CU_ASSERT_EQUAL(proto_append(&b, chunk, 1), -EMSGSIZE);
	CU_ASSERT_EQUAL(proto_append(&b, chunk, 0), 0);
}

/*
 * A size so large that len + n wraps must still be -EMSGSIZE.  Run in a child: if the
 * check wraps, proto_append() copies "n" bytes and the child dies, not the suite.
 */
static void test_append_huge_size_is_emsgsize(void)
{
	int status = 0;
	pid_t pid;

	proto_begin(&b, SYD_MSG_PORTS, 1);
	fflush(NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		static uint8_t byte;
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0)
			dup2(fd, 2); /* the sanitizer's report would only confuse the output */
		_exit(proto_append(&b, &byte, SIZE_MAX - b.len + 1) == -EMSGSIZE ? 0 : 1);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_set_str_pads_and_refuses_long(void)
{
	char field[8];

	memset(field, 'z', sizeof(field));
	CU_ASSERT_EQUAL(proto_set_str(field, sizeof(field), "ab"), 0);
	CU_ASSERT_EQUAL(memcmp(field, "ab\0\0\0\0\0\0", 8), 0);
	CU_ASSERT_EQUAL(proto_set_str(field, sizeof(field), "1234567"), 0);
	CU_ASSERT_STRING_EQUAL(field, "1234567");
	CU_ASSERT_EQUAL(proto_set_str(field, sizeof(field), "12345678"), -ENAMETOOLONG);
	CU_ASSERT_STRING_EQUAL(field, "1234567"); /* untouched */
	CU_ASSERT_EQUAL(proto_set_str(field, sizeof(field), ""), 0);
	CU_ASSERT_EQUAL(field[0], '\0');
}

static void test_port_kind_parse_and_name_round_trip(void)
{
	static const char *const names[] = {"vhost-server", "vhost-client", "af_packet", "tap"};
	unsigned int k;

	for (k = 1; k < SYD_PORT_KIND_MAX; k++) {
		CU_ASSERT_STRING_EQUAL(proto_port_kind_name(k), names[k - 1]);
		CU_ASSERT_EQUAL(proto_port_kind_parse(proto_port_kind_name(k)), k);
	}
	CU_ASSERT_EQUAL(proto_port_kind_parse("vhost"), 0);
	CU_ASSERT_EQUAL(proto_port_kind_parse(""), 0);
	CU_ASSERT_EQUAL(proto_port_kind_parse("TAP"), 0);
	CU_ASSERT_EQUAL(proto_port_kind_parse("unknown"), 0);
	CU_ASSERT_STRING_EQUAL(proto_port_kind_name(0), "unknown");
	CU_ASSERT_STRING_EQUAL(proto_port_kind_name(SYD_PORT_KIND_MAX), "unknown");
}

static void test_name_ok_rules(void)
{
	char f[SYD_PROTO_NAME_LEN];
	unsigned int i;

	memset(f, 0, sizeof(f));
	strcpy(f, "ok_Name-1");
	CU_ASSERT_TRUE(proto_name_ok(f, sizeof(f)));
	strcpy(f, "a");
	CU_ASSERT_TRUE(proto_name_ok(f, sizeof(f)));
	strcpy(f, "abcdefghijklmnopqrstuvwx"); /* 24 */
	CU_ASSERT_TRUE(proto_name_ok(f, sizeof(f)));
	for (i = 0; i < ARRAY_LEN(bad_names); i++) {
		memset(f, 0, sizeof(f));
		strcpy(f, bad_names[i]);
		CU_ASSERT_FALSE(proto_name_ok(f, sizeof(f)));
	}
	memset(f, 'a', sizeof(f)); /* unterminated */
	CU_ASSERT_FALSE(proto_name_ok(f, sizeof(f)));
	CU_ASSERT_FALSE(proto_name_ok("abcd", 4)); /* the NUL must be inside the field */
	CU_ASSERT_TRUE(proto_name_ok("abc", 4));
}

/* ---- ops ------------------------------------------------------------------------ */

static void test_op_unknown_type_is_einval(void)
{
	static const uint16_t types[] = {0, SYD_OP_TYPE_MAX, 0xffff};
	struct syd_op op;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(types); i++) {
		op = good_op(SYD_OP_NET_ADD);
		op.type = types[i];
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown operation"));
	}
}

static void test_op_reserved_set_is_einval(void)
{
	uint16_t t;

	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		struct syd_op op = good_op(t);

		CU_ASSERT_EQUAL(check_op(&op), 0);
		op.reserved = 0x80000000u;
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	}
}

static void test_op_pad_set_is_einval(void)
{
	uint16_t t;

	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		struct syd_op op = good_op(t);

		op.pad = 1;
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		op = good_op(t);
		op.pad = 0x8000;
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	}
}

static void test_op_bad_name_is_einval(void)
{
	uint16_t t;
	unsigned int i;

	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		struct syd_op op;

		if (!op_uses_name(t))
			continue;
		for (i = 0; i < ARRAY_LEN(bad_names); i++) {
			op = good_op(t);
			memset(op.name, 0, sizeof(op.name));
			strcpy(op.name, bad_names[i]);
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		}
		op = good_op(t);
		memset(op.name, 'a', sizeof(op.name)); /* unterminated */
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		op = good_op(t);
		strcpy(op.name, "abcdefghijklmnopqrstuvwx"); /* 24: the longest */
		CU_ASSERT_EQUAL(check_op(&op), 0);
	}
}

static void test_op_bad_network_is_einval(void)
{
	uint16_t t;
	unsigned int i;

	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		struct syd_op op;

		if (!op_uses_network(t))
			continue;
		for (i = 0; i < ARRAY_LEN(bad_names); i++) {
			if (bad_names[i][0] == '\0' && !op_needs_network(t))
				continue; /* "" means "none" where the network is optional */
			op = good_op(t);
			memset(op.network, 0, sizeof(op.network));
			strcpy(op.network, bad_names[i]);
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		}
		op = good_op(t);
		memset(op.network, 'a', sizeof(op.network)); /* unterminated */
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	}
}

/* Where the network is optional, "none" is the whole field zero, not just a NUL first. */
static void test_op_optional_network_empty_must_be_all_zero(void)
{
	struct syd_op op = good_op(SYD_OP_PORT_ADD);

	op.network[5] = 'x';
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	op = good_op(SYD_OP_MAC_FLUSH);
	op.network[SYD_PROTO_NAME_LEN - 1] = 1;
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
}

static void test_op_unused_name_set_is_einval(void)
{
	uint16_t t;

	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		struct syd_op op = good_op(t);

		if (op_uses_name(t))
			continue;
		op.name[SYD_PROTO_NAME_LEN - 1] = 1;
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		op = good_op(t);
		strcpy(op.name, "vm1");
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "unused name"));
	}
}

static void test_op_unused_network_set_is_einval(void)
{
	uint16_t t;

	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		struct syd_op op = good_op(t);

		if (op_uses_network(t))
			continue;
		op.network[SYD_PROTO_NAME_LEN - 1] = 1;
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		op = good_op(t);
		strcpy(op.network, "blue");
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "unused network"));
	}
}

static void test_op_unused_kind_set_is_einval(void)
{
	uint16_t t;

	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		struct syd_op op = good_op(t);

		if (t == SYD_OP_PORT_ADD || t == SYD_OP_UPLINK_SET)
			continue;
		op.kind = SYD_PORT_TAP;
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "unused kind"));
	}
}

static void test_op_unused_path_set_is_einval(void)
{
	uint16_t t;

	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		struct syd_op op = good_op(t);

		if (t == SYD_OP_PORT_ADD || t == SYD_OP_UPLINK_SET)
			continue;
		op.path[SYD_PROTO_PATH_LEN - 1] = 1;
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		op = good_op(t);
		strcpy(op.path, "/run/x");
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "unused path"));
	}
}

static void test_op_unused_mac_set_is_einval(void)
{
	uint16_t t;

	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		struct syd_op op = good_op(t);

		if (op_uses_mac(t))
			continue;
		op.mac[5] = 1;
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "unused mac"));
	}
}

static void test_port_add_kind_out_of_range_is_einval(void)
{
	static const uint16_t kinds[] = {0, SYD_PORT_KIND_MAX, 0xffff};
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(kinds); i++) {
		struct syd_op op = good_op(SYD_OP_PORT_ADD);

		op.kind = kinds[i];
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown port kind"));
	}
}

/* ---- UPLINK_SET: kernel modes and socket modes ---- */

/* A socket-mode UPLINK_SET: name, absolute socket path, no MAC (the switch makes one). */
static struct syd_op socket_uplink(uint16_t mode)
{
	struct syd_op op = good_op(SYD_OP_UPLINK_SET);

	op.kind = mode;
	memset(op.path, 0, sizeof(op.path));
	strcpy(op.path, "/run/ul/underlay.sock");
	strcpy(op.name, "ul0");
	return op;
}

static void test_uplink_socket_modes_are_valid(void)
{
	static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x0a};
	uint16_t mode;

	for (mode = SYD_UPLINK_VHOST_SERVER; mode <= SYD_UPLINK_VIRTIO_USER; mode++) {
		struct syd_op op = socket_uplink(mode);

		CU_ASSERT_TRUE(proto_uplink_is_socket(mode));
		CU_ASSERT_EQUAL(check_op(&op), 0);
		memcpy(op.mac, mac, 6);
		CU_ASSERT_EQUAL(check_op(&op), 0);
		memset(op.name, 0, sizeof(op.name));
		strcpy(op.name, "abcdefghijklmno"); /* 15: as long as an interface name */
		CU_ASSERT_EQUAL(check_op(&op), 0);
		memset(op.path, 0, sizeof(op.path));
		memset(op.path, 'p', SYD_PROTO_PATH_LEN - 1);
		op.path[0] = '/';
		CU_ASSERT_EQUAL(check_op(&op), 0);
	}
	for (mode = SYD_UPLINK_AUTO; mode <= SYD_UPLINK_AF_PACKET; mode++)
		CU_ASSERT_FALSE(proto_uplink_is_socket(mode));
}

static void test_uplink_unknown_mode_is_einval(void)
{
	static const uint16_t modes[] = {0, SYD_UPLINK_MODE_MAX, 0xffff};
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(modes); i++) {
		struct syd_op op = good_op(SYD_OP_UPLINK_SET);

		op.kind = modes[i];
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown uplink mode"));
		op = socket_uplink(SYD_UPLINK_VHOST_SERVER);
		op.kind = modes[i];
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown uplink mode"));
	}
}

static void test_uplink_socket_mode_path_rules(void)
{
	static const char *const rel[] = {"underlay.sock", "./u.sock", "run/u.sock", " /x", "eth1"};
	uint16_t mode;
	unsigned int i;

	for (mode = SYD_UPLINK_VHOST_SERVER; mode <= SYD_UPLINK_VIRTIO_USER; mode++) {
		struct syd_op op;

		for (i = 0; i < ARRAY_LEN(rel); i++) {
			op = socket_uplink(mode);
			memset(op.path, 0, sizeof(op.path));
			strcpy(op.path, rel[i]);
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "must be absolute"));
		}
		op = socket_uplink(mode); /* missing */
		memset(op.path, 0, sizeof(op.path));
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "the vhost-user socket"));
		op = socket_uplink(mode); /* too long: no NUL in the field */
		memset(op.path, 'p', sizeof(op.path));
		op.path[0] = '/';
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "path must be 1-107 bytes"));
	}
}

static void test_uplink_socket_mode_name_rules(void)
{
	static const char *const bad[] = {"", "abcdefghijklmnop", "a/b", "a b", "a.b"};
	uint16_t mode;
	unsigned int i;

	for (mode = SYD_UPLINK_VHOST_SERVER; mode <= SYD_UPLINK_VIRTIO_USER; mode++) {
		struct syd_op op = socket_uplink(mode);

		for (i = 0; i < ARRAY_LEN(bad); i++) {
			memset(op.name, 0, sizeof(op.name));
			strcpy(op.name, bad[i]);
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "the uplink's name must be 1-15"));
		}
		op = socket_uplink(mode);
		op.mac[0] = 0x01; /* multicast */
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "multicast MAC"));
	}
}

/* A kernel mode takes an interface: a socket path, a name or a MAC is refused, saying
 * which modes take them. */
static void test_uplink_kernel_mode_refuses_socket_fields(void)
{
	uint16_t mode;

	for (mode = SYD_UPLINK_AUTO; mode <= SYD_UPLINK_AF_PACKET; mode++) {
		struct syd_op op = good_op(SYD_OP_UPLINK_SET);

		op.kind = mode;
		CU_ASSERT_EQUAL(check_op(&op), 0);
		memset(op.path, 0, sizeof(op.path));
		strcpy(op.path, "/run/ul/underlay.sock");
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "not an interface name"));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "vhost-server or virtio-user"));
		op = good_op(SYD_OP_UPLINK_SET);
		op.kind = mode;
		strcpy(op.name, "ul0");
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "only vhost-server and virtio-user uplinks have"));
		op = good_op(SYD_OP_UPLINK_SET);
		op.kind = mode;
		op.mac[0] = 0x02;
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "only vhost-server and virtio-user uplinks take"));
	}
}

static void test_uplink_mode_parse_and_name_round_trip(void)
{
	unsigned int m;

	for (m = 1; m < SYD_UPLINK_MODE_MAX; m++)
		CU_ASSERT_EQUAL(proto_uplink_mode_parse(proto_uplink_mode_name(m)), m);
	CU_ASSERT_STRING_EQUAL(proto_uplink_mode_name(SYD_UPLINK_VHOST_SERVER), "vhost-server");
	CU_ASSERT_STRING_EQUAL(proto_uplink_mode_name(SYD_UPLINK_VIRTIO_USER), "virtio-user");
	CU_ASSERT_EQUAL(proto_uplink_mode_parse("vhost"), 0);
	CU_ASSERT_EQUAL(proto_uplink_mode_parse(""), 0);
	CU_ASSERT_STRING_EQUAL(proto_uplink_mode_name(SYD_UPLINK_MODE_MAX), "unknown");
}

static void test_port_add_vhost_path_must_be_absolute(void)
{
	static const char *const rel[] = {"vm1.sock", "./vm1.sock", "run/vm1.sock", " /x"};
	uint16_t kind;
	unsigned int i;

	for (kind = SYD_PORT_VHOST_SERVER; kind <= SYD_PORT_VHOST_CLIENT; kind++) {
		for (i = 0; i < ARRAY_LEN(rel); i++) {
			struct syd_op op = good_op(SYD_OP_PORT_ADD);

			op.kind = kind;
			memset(op.path, 0, sizeof(op.path));
			strcpy(op.path, rel[i]);
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "absolute"));
		}
	}
}

static void test_port_add_path_empty_or_unterminated_is_einval(void)
{
	uint16_t kind;

	for (kind = 1; kind < SYD_PORT_KIND_MAX; kind++) {
		struct syd_op op = good_op(SYD_OP_PORT_ADD);

		op.kind = kind;
		memset(op.path, 0, sizeof(op.path));
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		memset(op.path, 'a', sizeof(op.path));
		op.path[0] = '/';
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	}
}

static void test_port_add_longest_socket_path_is_valid(void)
{
	struct syd_op op = good_op(SYD_OP_PORT_ADD);

	memset(op.path, 'a', sizeof(op.path) - 1); /* 107 bytes: what sun_path holds */
	op.path[0] = '/';
	CU_ASSERT_EQUAL(check_op(&op), 0);
}

static void test_port_add_interface_name_rules(void)
{
	static const char *const bad[] = {
		"a/b", "eth:1", "eth 1", "eth\t1", "eth1\n",
		"0123456789abcdef", /* 16: IFNAMSIZ with the NUL is 16 */
		"/dev/tap0",
	};
	uint16_t kind;
	unsigned int i;

	for (kind = SYD_PORT_AF_PACKET; kind <= SYD_PORT_TAP; kind++) {
		struct syd_op op = good_op(SYD_OP_PORT_ADD);

		op.kind = kind;
		memset(op.path, 0, sizeof(op.path));
		strcpy(op.path, "0123456789abcde"); /* 15: the longest */
		CU_ASSERT_EQUAL(check_op(&op), 0);
		strcpy(op.path, "eth1.100"); /* VLAN interfaces have dots */
		CU_ASSERT_EQUAL(check_op(&op), 0);
		for (i = 0; i < ARRAY_LEN(bad); i++) {
			memset(op.path, 0, sizeof(op.path));
			strcpy(op.path, bad[i]);
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "interface name"));
		}
		memset(op.path, 0, sizeof(op.path)); /* empty */
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	}
}

/*
 * ifname_ok() says it takes names "as the kernel takes it"; the kernel's dev_valid_name()
 * also refuses "." and ".." and every isspace() byte (\v \f \r as well as ' ' \t \n).
 */
static void test_port_add_interface_name_refuses_what_the_kernel_refuses(void)
{
	static const char *const bad[] = {".", "..", "eth\r1", "eth\v1", "eth\f1"};
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		struct syd_op op = good_op(SYD_OP_PORT_ADD);

		op.kind = SYD_PORT_AF_PACKET;
		memset(op.path, 0, sizeof(op.path));
		strcpy(op.path, bad[i]);
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	}
}

static void test_mac_ops_refuse_zero_mac(void)
{
	uint16_t t;

	for (t = SYD_OP_MAC_ADD; t <= SYD_OP_MAC_DEL; t++) {
		struct syd_op op = good_op(t);

		memset(op.mac, 0, sizeof(op.mac));
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "00:00:00:00:00:00"));
	}
}

static void test_mac_ops_refuse_multicast_mac(void)
{
	static const uint8_t macs[][6] = {
		{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01},
		{0x33, 0x33, 0x00, 0x00, 0x00, 0x01},
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	};
	uint16_t t;
	unsigned int i;

	for (t = SYD_OP_MAC_ADD; t <= SYD_OP_MAC_DEL; t++) {
		for (i = 0; i < ARRAY_LEN(macs); i++) {
			struct syd_op op = good_op(t);

			memcpy(op.mac, macs[i], 6);
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "multicast"));
		}
	}
}

static void test_mac_add_requires_port_and_network(void)
{
	struct syd_op op = good_op(SYD_OP_MAC_ADD);

	memset(op.name, 0, sizeof(op.name));
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	op = good_op(SYD_OP_MAC_ADD);
	memset(op.network, 0, sizeof(op.network));
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	op = good_op(SYD_OP_MAC_DEL);
	memset(op.network, 0, sizeof(op.network));
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	op = good_op(SYD_OP_ATTACH);
	memset(op.network, 0, sizeof(op.network));
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
}

/* ---- dump entries, INFO, EVENT_LINK, TRACE_START --------------------------------- */

static const struct {
	uint16_t type;
	size_t size;
} dumps[] = {
	{SYD_MSG_PORTS, sizeof(struct syd_port_info)},
	{SYD_MSG_NETWORKS, sizeof(struct syd_net_info)},
	{SYD_MSG_MACS, sizeof(struct syd_mac_info)},
	{SYD_MSG_PORT_STATS, sizeof(struct syd_port_stats)},
	{SYD_MSG_WORKER_STATS, sizeof(struct syd_worker_stats)},
	{SYD_MSG_DROPS, sizeof(struct syd_drop_record)},
	{SYD_MSG_TRACE, sizeof(struct syd_trace_record)},
};

static void test_dump_partial_entry_is_einval(void)
{
	static uint8_t zeros[2 * 1024];
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(dumps); i++) {
		size_t s = dumps[i].size;

		CU_ASSERT_EQUAL(check_msg(dumps[i].type, zeros, s - 1), -EINVAL);
		CU_ASSERT_EQUAL(check_msg(dumps[i].type, zeros, s + 1), -EINVAL);
		CU_ASSERT_EQUAL(check_msg(dumps[i].type, zeros, 2 * s - 1), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "whole entries"));
	}
}

static void test_dump_without_entries_is_einval(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(dumps); i++)
		CU_ASSERT_EQUAL(check_msg(dumps[i].type, NULL, 0), -EINVAL);
}

static struct syd_port_info good_port_info(void)
{
	struct syd_port_info p;

	memset(&p, 0, sizeof(p));
	strcpy(p.name, "vm1");
	p.kind = SYD_PORT_TAP;
	return p;
}

static void test_ports_entry_rules(void)
{
	struct syd_port_info p;
	unsigned int i;

	p = good_port_info();
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_PORTS, &p, sizeof(p)), 0);
	for (i = 0; i < ARRAY_LEN(bad_names); i++) {
		p = good_port_info();
		strcpy(p.name, bad_names[i]);
		CU_ASSERT_EQUAL(check_msg(SYD_MSG_PORTS, &p, sizeof(p)), -EINVAL);
		if (bad_names[i][0] == '\0')
			continue; /* "" is "not attached" */
		p = good_port_info();
		strcpy(p.network, bad_names[i]);
		CU_ASSERT_EQUAL(check_msg(SYD_MSG_PORTS, &p, sizeof(p)), -EINVAL);
	}
	p = good_port_info();
	memset(p.network, 'n', sizeof(p.network));
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_PORTS, &p, sizeof(p)), -EINVAL);
	p = good_port_info();
	memset(p.path, 'p', sizeof(p.path));
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_PORTS, &p, sizeof(p)), -EINVAL);
	p = good_port_info();
	p.kind = 0;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_PORTS, &p, sizeof(p)), -EINVAL);
	p.kind = SYD_PORT_KIND_MAX;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_PORTS, &p, sizeof(p)), -EINVAL);
	p = good_port_info();
	p.up = 1;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_PORTS, &p, sizeof(p)), 0);
	p.up = 2;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_PORTS, &p, sizeof(p)), -EINVAL);
}

static void test_dump_error_names_the_bad_entry(void)
{
	struct syd_port_info p[3] = {good_port_info(), good_port_info(), good_port_info()};

	p[2].up = 7;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_PORTS, p, sizeof(p)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "PORTS entry 2"));
}

static void test_networks_entry_rules(void)
{
	struct syd_net_info n;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(bad_names); i++) {
		memset(&n, 0, sizeof(n));
		strcpy(n.name, bad_names[i]);
		CU_ASSERT_EQUAL(check_msg(SYD_MSG_NETWORKS, &n, sizeof(n)), -EINVAL);
	}
	memset(&n, 'n', sizeof(n.name));
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_NETWORKS, &n, sizeof(n)), -EINVAL);
}

static void test_macs_entry_rules(void)
{
	struct syd_mac_info m, good;
	unsigned int i;

	memset(&good, 0, sizeof(good));
	strcpy(good.network, "blue");
	strcpy(good.port, "vm1");
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_MACS, &good, sizeof(good)), 0);
	for (i = 0; i < ARRAY_LEN(bad_names); i++) {
		m = good;
		memset(m.network, 0, sizeof(m.network));
		strcpy(m.network, bad_names[i]);
		CU_ASSERT_EQUAL(check_msg(SYD_MSG_MACS, &m, sizeof(m)), -EINVAL);
		m = good;
		memset(m.port, 0, sizeof(m.port));
		strcpy(m.port, bad_names[i]);
		CU_ASSERT_EQUAL(check_msg(SYD_MSG_MACS, &m, sizeof(m)), -EINVAL);
	}
	m = good;
	m.is_static = 1;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_MACS, &m, sizeof(m)), 0);
	m.is_static = 2;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_MACS, &m, sizeof(m)), -EINVAL);
}

static void test_port_stats_entry_rules(void)
{
	struct syd_port_stats s;

	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_PORT_STATS, &s, sizeof(s)), -EINVAL); /* no name */
	strcpy(s.name, "a b");
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_PORT_STATS, &s, sizeof(s)), -EINVAL);
	memset(s.name, 'a', sizeof(s.name));
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_PORT_STATS, &s, sizeof(s)), -EINVAL);
}

static void test_worker_stats_entry_rules(void)
{
	struct syd_worker_stats w;

	memset(&w, 0, sizeof(w));
	memset(w.rxqs, 'q', sizeof(w.rxqs)); /* unterminated */
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_WORKER_STATS, &w, sizeof(w)), -EINVAL);
	w.rxqs[sizeof(w.rxqs) - 1] = '\0';
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_WORKER_STATS, &w, sizeof(w)), 0);
}

static struct syd_drop_record good_drop(void)
{
	struct syd_drop_record d;

	memset(&d, 0, sizeof(d));
	strcpy(d.port, "vm1");
	d.reason = 3;
	d.len = 64;
	d.caplen = 64;
	return d;
}

static void test_drops_entry_rules(void)
{
	struct syd_drop_record d = good_drop();

	CU_ASSERT_EQUAL(check_msg(SYD_MSG_DROPS, &d, sizeof(d)), 0);
	d.port[0] = '\0';
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_DROPS, &d, sizeof(d)), -EINVAL);
	d = good_drop();
	d.reason = 0;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_DROPS, &d, sizeof(d)), -EINVAL);
	d.reason = SYD_PROTO_DROPS;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_DROPS, &d, sizeof(d)), -EINVAL);
	d = good_drop();
	d.len = 2000;
	d.caplen = SYD_PROTO_SNAP + 1;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_DROPS, &d, sizeof(d)), -EINVAL);
	d = good_drop();
	d.caplen = d.len + 1;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_DROPS, &d, sizeof(d)), -EINVAL);
	d = good_drop();
	d.pad = 1;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_DROPS, &d, sizeof(d)), -EINVAL);
}

static void test_trace_entry_rules(void)
{
	struct syd_trace_record t;

	memset(&t, 0, sizeof(t));
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_TRACE, &t, sizeof(t)), -EINVAL); /* no in_port */
	strcpy(t.in_port, "vm1");
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_TRACE, &t, sizeof(t)), 0);
	strcpy(t.out_port, "a b");
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_TRACE, &t, sizeof(t)), -EINVAL);
	memset(t.out_port, 'o', sizeof(t.out_port));
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_TRACE, &t, sizeof(t)), -EINVAL);
	memset(t.out_port, 0, sizeof(t.out_port));
	memset(t.in_port, 'i', sizeof(t.in_port));
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_TRACE, &t, sizeof(t)), -EINVAL);
}

static void test_info_rules(void)
{
	struct syd_info info[2];

	memset(info, 0, sizeof(info));
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_INFO, info, sizeof(info[0])), 0);
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_INFO, info, 12), -EINVAL);
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_INFO, info, sizeof(info[0]) - 1), -EINVAL);
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_INFO, info, sizeof(info)), -EINVAL);
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_INFO, NULL, 0), -EINVAL);
	info[0].nworkers = SYD_PROTO_WORKERS + 1;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_INFO, info, sizeof(info[0])), -EINVAL);
	info[0].nworkers = 1;
	memset(info[0].software, 's', sizeof(info[0].software));
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_INFO, info, sizeof(info[0])), -EINVAL);
	memset(info[0].software, 0, sizeof(info[0].software));
	memset(info[0].file_prefix, 'f', sizeof(info[0].file_prefix));
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_INFO, info, sizeof(info[0])), -EINVAL);
}

static void test_event_link_rules(void)
{
	struct syd_event_link ev[2];

	memset(ev, 0, sizeof(ev));
	strcpy(ev[0].port, "vm1");
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_EVENT_LINK, ev, sizeof(ev[0])), 0);
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_EVENT_LINK, ev, sizeof(ev[0]) - 1), -EINVAL);
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_EVENT_LINK, ev, sizeof(ev)), -EINVAL);
	ev[0].up = 2;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_EVENT_LINK, ev, sizeof(ev[0])), -EINVAL);
	ev[0].up = 1;
	ev[0].pad[6] = 1;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_EVENT_LINK, ev, sizeof(ev[0])), -EINVAL);
	ev[0].pad[6] = 0;
	strcpy(ev[0].port, "a/b");
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_EVENT_LINK, ev, sizeof(ev[0])), -EINVAL);
	memset(ev[0].port, 'p', sizeof(ev[0].port));
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_EVENT_LINK, ev, sizeof(ev[0])), -EINVAL);
}

static void test_trace_start_rules(void)
{
	struct syd_trace_req t, good;

	memset(&good, 0, sizeof(good));
	good.count = 10;
	t = good;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_TRACE_START, &t, sizeof(t) - 1), -EINVAL);
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_TRACE_START, NULL, 0), -EINVAL);
	t.count = 0;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_TRACE_START, &t, sizeof(t)), -EINVAL);
	t.count = SYD_TRACE_MAX + 1;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_TRACE_START, &t, sizeof(t)), -EINVAL);
	t = good;
	t.fields = 1u << 5;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_TRACE_START, &t, sizeof(t)), -EINVAL);
	t = good;
	t.fields = SYD_TRACE_IN_PORT; /* flagged, no name */
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_TRACE_START, &t, sizeof(t)), -EINVAL);
	strcpy(t.in_port, "a b");
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_TRACE_START, &t, sizeof(t)), -EINVAL);
	t = good;
	strcpy(t.in_port, "vm1"); /* a name, not flagged */
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_TRACE_START, &t, sizeof(t)), -EINVAL);
}

#define TEST(name) {#name, test_##name}

int main(void)
{
	static const struct {
		const char *name;
		CU_TestFunc fn;
	} tests[] = {
		TEST(begin_writes_version_type_xid),
		TEST(begin_reuses_buffer),
		TEST(empty_body_types_round_trip),
		TEST(hello_round_trips),
		TEST(error_round_trips),
		TEST(error_builder_turns_bad_code_into_einval),
		TEST(error_builder_truncates_long_text),
		TEST(empty_batch_is_valid),
		TEST(batch_of_every_op_round_trips),
		TEST(batch_survives_buffer_growth),
		TEST(port_add_of_every_kind_round_trips),
		TEST(dump_entries_round_trip),
		TEST(info_round_trips),
		TEST(trace_start_round_trips),
		TEST(event_link_round_trips),
		TEST(short_message_is_ebadmsg),
		TEST(length_field_mismatch_is_ebadmsg),
		TEST(other_version_is_eprotonosupport_naming_both),
		TEST(other_version_is_named_before_any_other_check),
		TEST(oversize_message_is_emsgsize),
		TEST(unknown_type_is_eopnotsupp),
		TEST(every_known_type_has_a_name),
		TEST(header_flags_set_is_einval),
		TEST(header_reserved_set_is_einval),
		TEST(empty_body_types_refuse_a_body),
		TEST(hello_wrong_size_is_einval),
		TEST(hello_min_above_max_is_einval),
		TEST(hello_unterminated_software_is_einval),
		TEST(error_code_not_positive_is_einval),
		TEST(error_reserved_set_is_einval),
		TEST(error_without_text_is_einval),
		TEST(error_unterminated_text_is_einval),
		TEST(error_text_too_long_is_einval),
		TEST(error_embedded_nul_is_einval),
		TEST(batch_shorter_than_its_count_is_einval),
		TEST(batch_over_max_is_e2big),
		TEST(batch_count_disagreeing_with_bytes_is_einval),
		TEST(batch_reserved_set_is_einval),
		TEST(batch_error_names_the_bad_op),
		TEST(batch_add_stops_at_max),
		TEST(append_stops_at_msg_max),
		TEST(append_huge_size_is_emsgsize),
		TEST(set_str_pads_and_refuses_long),
		TEST(port_kind_parse_and_name_round_trip),
		TEST(name_ok_rules),
		TEST(op_unknown_type_is_einval),
		TEST(op_reserved_set_is_einval),
		TEST(op_pad_set_is_einval),
		TEST(op_bad_name_is_einval),
		TEST(op_bad_network_is_einval),
		TEST(op_optional_network_empty_must_be_all_zero),
		TEST(op_unused_name_set_is_einval),
		TEST(op_unused_network_set_is_einval),
		TEST(op_unused_kind_set_is_einval),
		TEST(op_unused_path_set_is_einval),
		TEST(op_unused_mac_set_is_einval),
		TEST(uplink_socket_modes_are_valid),
		TEST(uplink_unknown_mode_is_einval),
		TEST(uplink_socket_mode_path_rules),
		TEST(uplink_socket_mode_name_rules),
		TEST(uplink_kernel_mode_refuses_socket_fields),
		TEST(uplink_mode_parse_and_name_round_trip),
		TEST(port_add_kind_out_of_range_is_einval),
		TEST(port_add_vhost_path_must_be_absolute),
		TEST(port_add_path_empty_or_unterminated_is_einval),
		TEST(port_add_longest_socket_path_is_valid),
		TEST(port_add_interface_name_rules),
		TEST(port_add_interface_name_refuses_what_the_kernel_refuses),
		TEST(mac_ops_refuse_zero_mac),
		TEST(mac_ops_refuse_multicast_mac),
		TEST(mac_add_requires_port_and_network),
		TEST(dump_partial_entry_is_einval),
		TEST(dump_without_entries_is_einval),
		TEST(ports_entry_rules),
		TEST(dump_error_names_the_bad_entry),
		TEST(networks_entry_rules),
		TEST(macs_entry_rules),
		TEST(port_stats_entry_rules),
		TEST(worker_stats_entry_rules),
		TEST(drops_entry_rules),
		TEST(trace_entry_rules),
		TEST(info_rules),
		TEST(event_link_rules),
		TEST(trace_start_rules),
	};
	CU_pSuite s;
	unsigned int i, failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("proto", NULL, NULL);
	for (i = 0; i < ARRAY_LEN(tests); i++)
		CU_add_test(s, tests[i].name, tests[i].fn);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	proto_buf_free(&b);
	return failures ? 1 : 0;
}

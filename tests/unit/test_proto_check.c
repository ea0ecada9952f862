/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The wire protocol's checks of the header, of message bodies and of dump entries: every
 * way one can be wrong is refused with its exact code.
 */
#include <CUnit/Basic.h>

#include "proto_fixtures.h"
#include "suite.h"

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
	CU_ASSERT_EQUAL(check_error(EINVAL, 0, "", 1), 0);	      /* an empty text is a text */
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
	CU_ASSERT_EQUAL(check(), 0);	   /* exactly the limit */
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

#define TEST(name)                                                                                 \
	{                                                                                          \
#name, test_##name                                                                 \
	}

int main(void)
{
	static const struct unit_test tests[] = {
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
	int ret = run_suite("proto_check", tests, ARRAY_LEN(tests));

	proto_buf_free(&b);
	return ret;
}

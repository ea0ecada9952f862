/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

int state_init(struct state *s)
{
	memset(s, 0, sizeof(*s));
	s->mac = calloc(STATE_MAX_MACS, sizeof(*s->mac));
	return s->mac ? 0 : -ENOMEM;
}

void state_free(struct state *s)
{
	free(s->mac);
	s->mac = NULL;
}

void state_copy(struct state *dst, const struct state *src)
{
	struct state_mac *mac = dst->mac;

	memcpy(dst, src, sizeof(*dst));
	dst->mac = mac;
	memcpy(dst->mac, src->mac, src->nmacs * sizeof(*src->mac));
}

static int find_port(const struct state *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nports; i++)
		if (strcmp(s->port[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int find_net(const struct state *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nnets; i++)
		if (strcmp(s->net[i], name) == 0)
			return (int)i;
	return -1;
}

static int find_mac(const struct state *s, const char *network, const uint8_t *mac)
{
	unsigned int i;

	for (i = 0; i < s->nmacs; i++)
		if (memcmp(s->mac[i].mac, mac, 6) == 0 && strcmp(s->mac[i].network, network) == 0)
			return (int)i;
	return -1;
}

/* Forget the static entries of a port: the dataplane flushes them when it moves. */
static void drop_port_macs(struct state *s, const char *port)
{
	unsigned int i = 0;

	while (i < s->nmacs) {
		if (strcmp(s->mac[i].port, port) == 0)
			s->mac[i] = s->mac[--s->nmacs];
		else
			i++;
	}
}

int state_apply_op(struct state *s, const struct syd_op *op, char *err, size_t errlen)
{
	const char *what = proto_op_name(op->type);
	int p = -1, n = -1, m;
	unsigned int i;

	if (op->type != SYD_OP_NET_ADD && op->type != SYD_OP_NET_DEL && op->name[0]) {
		p = find_port(s, op->name);
		if (p < 0 && op->type != SYD_OP_PORT_ADD)
			return fail(err, errlen, -ENOENT, "%s: no port named '%s'", what, op->name);
	}
	if (op->network[0]) {
		n = find_net(s, op->network);
		if (n < 0)
			return fail(err, errlen, -ENOENT, "%s: no network named '%s'", what,
				    op->network);
	}
	switch (op->type) {
	case SYD_OP_NET_ADD:
		if (find_net(s, op->name) >= 0)
			return fail(err, errlen, -EEXIST, "%s: network '%s' exists", what,
				    op->name);
		if (s->nnets == STATE_MAX_NETWORKS)
			return fail(err, errlen, -ENOSPC, "%s: all %d networks are in use", what,
				    STATE_MAX_NETWORKS);
		strcpy(s->net[s->nnets++], op->name);
		break;
	case SYD_OP_NET_DEL:
		n = find_net(s, op->name);
		if (n < 0)
			return fail(err, errlen, -ENOENT, "%s: no network named '%s'", what,
				    op->name);
		for (i = 0; i < s->nports; i++)
			if (strcmp(s->port[i].network, op->name) == 0)
				return fail(err, errlen, -EBUSY,
					    "%s: network '%s' still has port '%s': detach or delete "
					    "its ports first",
					    what, op->name, s->port[i].name);
		memmove(s->net[n], s->net[n + 1], (s->nnets - (unsigned int)n - 1) * sizeof(s->net[0]));
		s->nnets--;
		break;
	case SYD_OP_PORT_ADD:
		if (p >= 0)
			return fail(err, errlen, -EEXIST, "%s: port '%s' exists", what, op->name);
		for (i = 0; i < s->nports; i++)
			if (strcmp(s->port[i].path, op->path) == 0)
				return fail(err, errlen, -EEXIST, "%s: %s is already used by port '%s'",
					    what, op->path, s->port[i].name);
		if (s->nports == STATE_MAX_PORTS)
			return fail(err, errlen, -ENOSPC, "%s: all %d ports are in use", what,
				    STATE_MAX_PORTS);
		p = (int)s->nports++;
		memset(&s->port[p], 0, sizeof(s->port[p]));
		strcpy(s->port[p].name, op->name);
		strcpy(s->port[p].network, op->network);
		strcpy(s->port[p].path, op->path);
		s->port[p].kind = op->kind;
		break;
	case SYD_OP_PORT_DEL:
		drop_port_macs(s, op->name);
		s->port[p] = s->port[--s->nports];
		break;
	case SYD_OP_ATTACH:
		if (strcmp(s->port[p].network, op->network) != 0)
			drop_port_macs(s, op->name);
		strcpy(s->port[p].network, op->network);
		break;
	case SYD_OP_DETACH:
		drop_port_macs(s, op->name);
		memset(s->port[p].network, 0, sizeof(s->port[p].network));
		break;
	case SYD_OP_MAC_ADD:
		if (strcmp(s->port[p].network, op->network) != 0)
			return fail(err, errlen, -EINVAL,
				    "%s: port '%s' is not attached to network '%s'", what, op->name,
				    op->network);
		m = find_mac(s, op->network, op->mac);
		if (m < 0) {
			if (s->nmacs == STATE_MAX_MACS)
				return fail(err, errlen, -ENOSPC, "%s: %d static entries at most",
					    what, STATE_MAX_MACS);
			m = (int)s->nmacs++;
		}
		memset(&s->mac[m], 0, sizeof(s->mac[m]));
		strcpy(s->mac[m].network, op->network);
		strcpy(s->mac[m].port, op->name);
		memcpy(s->mac[m].mac, op->mac, 6);
		break;
	case SYD_OP_MAC_DEL:
		m = find_mac(s, op->network, op->mac);
		if (m < 0)
			return fail(err, errlen, -ENOENT,
				    "%s: no static entry for %02x:%02x:%02x:%02x:%02x:%02x in network "
				    "'%s'",
				    what, op->mac[0], op->mac[1], op->mac[2], op->mac[3], op->mac[4],
				    op->mac[5], op->network);
		s->mac[m] = s->mac[--s->nmacs];
		break;
	case SYD_OP_MAC_FLUSH:
		break;
	default:
		return fail(err, errlen, -EINVAL, "unknown operation %u", op->type);
	}
	return 0;
}

int state_apply_batch(struct state *s, const struct syd_batch *b, char *err, size_t errlen)
{
	static struct state work;
	uint32_t i;
	int ret;

	if (work.mac == NULL && state_init(&work) < 0)
		return fail(err, errlen, -ENOMEM, "no memory");
	state_copy(&work, s);
	for (i = 0; i < b->count; i++) {
		ret = state_apply_op(&work, &b->op[i], err, errlen);
		if (ret < 0)
			return ret;
	}
	state_copy(s, &work);
	return 0;
}

static int add_op(struct proto_buf *b, uint16_t type, uint16_t kind, const char *name,
		  const char *network, const char *path, const uint8_t *mac)
{
	struct syd_op op;

	memset(&op, 0, sizeof(op));
	op.type = type;
	op.kind = kind;
	if (name)
		strcpy(op.name, name);
	if (network)
		strcpy(op.network, network);
	if (path)
		strcpy(op.path, path);
	if (mac)
		memcpy(op.mac, mac, 6);
	return proto_batch_add(b, &op);
}

#define ADD(...)                                                                                   \
	do {                                                                                       \
		int r_ = add_op(batch, __VA_ARGS__);                                               \
		if (r_ < 0)                                                                        \
			return r_;                                                                 \
		nops++;                                                                            \
	} while (0)

/* A port that must be deleted and created again: kind or path changed. */
static bool port_replaced(const struct state_port *w, const struct state_port *h)
{
	return w->kind != h->kind || strcmp(w->path, h->path) != 0;
}

/* Does the dataplane lose this port's static entries on the way to want? */
static bool port_reset(const struct state *want, const struct state *have, const char *name)
{
	int w = find_port(want, name), h = find_port(have, name);

	if (w < 0 || h < 0)
		return true;
	return port_replaced(&want->port[w], &have->port[h]) ||
	       strcmp(want->port[w].network, have->port[h].network) != 0;
}

int state_diff(const struct state *want, const struct state *have, struct proto_buf *batch)
{
	unsigned int i;
	int nops = 0, j;

	/* Static entries to drop go first, while their ports are still there. */
	for (i = 0; i < have->nmacs; i++) {
		const struct state_mac *h = &have->mac[i];

		if (port_reset(want, have, h->port))
			continue; /* flushed with its port */
		j = find_mac(want, h->network, h->mac);
		if (j < 0 || strcmp(want->mac[j].port, h->port) != 0)
			ADD(SYD_OP_MAC_DEL, 0, NULL, h->network, NULL, h->mac);
	}
	for (i = 0; i < want->nnets; i++)
		if (find_net(have, want->net[i]) < 0)
			ADD(SYD_OP_NET_ADD, 0, want->net[i], NULL, NULL, NULL);
	for (i = 0; i < have->nports; i++) {
		j = find_port(want, have->port[i].name);
		if (j < 0 || port_replaced(&want->port[j], &have->port[i]))
			ADD(SYD_OP_PORT_DEL, 0, have->port[i].name, NULL, NULL, NULL);
	}
	for (i = 0; i < want->nports; i++) {
		const struct state_port *w = &want->port[i];

		j = find_port(have, w->name);
		if (j < 0 || port_replaced(w, &have->port[j]))
			ADD(SYD_OP_PORT_ADD, w->kind, w->name, w->network, w->path, NULL);
		else if (strcmp(w->network, have->port[j].network) != 0 && w->network[0])
			ADD(SYD_OP_ATTACH, 0, w->name, w->network, NULL, NULL);
		else if (strcmp(w->network, have->port[j].network) != 0)
			ADD(SYD_OP_DETACH, 0, w->name, NULL, NULL, NULL);
	}
	for (i = 0; i < want->nmacs; i++) {
		const struct state_mac *w = &want->mac[i];

		j = find_mac(have, w->network, w->mac);
		if (j < 0 || strcmp(have->mac[j].port, w->port) != 0 ||
		    port_reset(want, have, w->port))
			ADD(SYD_OP_MAC_ADD, 0, w->port, w->network, NULL, w->mac);
	}
	for (i = 0; i < have->nnets; i++)
		if (find_net(want, have->net[i]) < 0)
			ADD(SYD_OP_NET_DEL, 0, have->net[i], NULL, NULL, NULL);
	return nops;
}

/* The file: one BATCH message that builds the state from nothing, so loading it goes
 * through proto_check() and state_apply_op() like anything else a client sends.
 * A state past one message (more than SYD_PROTO_BATCH_MAX ops) is split into several
 * messages, one after another. */
int state_save(const struct state *s, const char *path, char *err, size_t errlen)
{
	static struct state empty;
	struct proto_buf b = {0};
	char tmp[4200];
	int fd, ret;
	FILE *f;

	if (empty.mac == NULL && state_init(&empty) < 0)
		return fail(err, errlen, -ENOMEM, "no memory");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return fail(err, errlen, -errno, "cannot write %s: %s", tmp, strerror(errno));
	f = fdopen(fd, "w");
	{
		/* Diff against nothing, in slices of one batch each. */
		struct state_mac *all = s->mac;
		unsigned int done = 0;
		struct state part;

		part = *s;
		part.nmacs = 0;
		ret = proto_begin(&b, SYD_MSG_BATCH, 0);
		if (ret == 0)
			ret = state_diff(&part, &empty, &b);
		while (ret >= 0) {
			proto_finish(&b);
			fwrite(b.data, 1, b.len, f);
			if (done >= s->nmacs)
				break;
			/* The next slice: static entries only. */
			ret = proto_begin(&b, SYD_MSG_BATCH, 0);
			while (ret == 0 && done < s->nmacs) {
				struct syd_op op;

				memset(&op, 0, sizeof(op));
				op.type = SYD_OP_MAC_ADD;
				strcpy(op.name, all[done].port);
				strcpy(op.network, all[done].network);
				memcpy(op.mac, all[done].mac, 6);
				ret = proto_batch_add(&b, &op);
				if (ret == 0)
					done++;
			}
			if (ret == -E2BIG || ret == -EMSGSIZE)
				ret = 0;
		}
	}
	proto_buf_free(&b);
	if (ret < 0 || fflush(f) != 0 || fsync(fd) != 0) {
		ret = ret < 0 ? ret : -errno;
		fclose(f);
		unlink(tmp);
		return fail(err, errlen, ret, "cannot write %s: %s", tmp, strerror(-ret));
	}
	fclose(f);
	if (rename(tmp, path) < 0) {
		ret = -errno;
		unlink(tmp);
		return fail(err, errlen, ret, "cannot rename %s to %s: %s", tmp, path,
			    strerror(-ret));
	}
	return 0;
}

int state_load(struct state *s, const char *path, char *err, size_t errlen)
{
	static uint8_t buf[SYD_PROTO_MSG_MAX];
	struct syd_hdr h;
	char why[SYD_PROTO_TEXT_MAX];
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (f == NULL)
		return errno == ENOENT ? -ENOENT
				       : fail(err, errlen, -errno, "cannot read %s: %s", path,
					      strerror(errno));
	while (fread(&h, sizeof(h), 1, f) == 1) {
		if (h.length < sizeof(h) || h.length > sizeof(buf)) {
			ret = fail(err, errlen, -EBADMSG, "%s is damaged: a record of %u bytes",
				   path, h.length);
			break;
		}
		memcpy(buf, &h, sizeof(h));
		if (fread(buf + sizeof(h), 1, h.length - sizeof(h), f) != h.length - sizeof(h)) {
			ret = fail(err, errlen, -EBADMSG, "%s is damaged: cut short", path);
			break;
		}
		ret = proto_check(buf, h.length, why, sizeof(why));
		if (ret == 0 && h.type != SYD_MSG_BATCH)
			ret = -EBADMSG;
		if (ret == 0)
			ret = state_apply_batch(s, (const struct syd_batch *)(buf + sizeof(h)), why,
						sizeof(why));
		if (ret < 0) {
			fail(err, errlen, ret, "%s is damaged: %s", path, why);
			break;
		}
	}
	fclose(f);
	return ret;
}

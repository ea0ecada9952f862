/* SPDX-License-Identifier: BSD-3-Clause */
/* Typed values from YAML scalars: ${} expansion, then names, numbers, addresses, paths. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "value.h"

int value_error(const struct value_ctx *x, const struct node *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (x->err == NULL || x->errlen == 0)
		return -EINVAL;
	n = snprintf(x->err, x->errlen, "%s:%u:%u: ", x->file, at ? at->line : 1, at ? at->col : 1);
	if (n >= 0 && (size_t)n < x->errlen) {
		va_start(ap, fmt);
		vsnprintf(x->err + n, x->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* User text fit for a message: control bytes as '?', long text cut with "...". */
const char *value_show(const char *s, char *buf)
{
	size_t i, n = strlen(s);

	if (n >= VALUE_SHOW_LEN) {
		n = VALUE_SHOW_LEN - 4;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--; /* not inside a UTF-8 character */
	}
	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	strcpy(buf + i, n < strlen(s) ? "..." : "");
	return buf;
}

/* ${NAME} and ${NAME:-default} from the environment; "$$" is "$". */
static int expand(const struct value_ctx *x, const struct node *v, const char *where, char *out)
{
	const char *s = v->text;
	char var[64], sh[VALUE_SHOW_LEN];
	size_t o = 0;

#define PUT(p, n)                                                                                  \
	do {                                                                                       \
		if (o + (n) >= VALUE_TEXT_MAX)                                                     \
			return value_error(x, v, "%s: longer than %d bytes", where,                \
					   VALUE_TEXT_MAX - 1);                                    \
		memcpy(out + o, (p), (n));                                                         \
		o += (n);                                                                          \
	} while (0)

	while (*s) {
		const char *name, *end, *val, *close;
		size_t vlen;

		if (s[0] != '$' || (s[1] != '$' && s[1] != '{')) {
			PUT(s, 1);
			s++;
			continue;
		}
		if (s[1] == '$') {
			PUT("$", 1);
			s += 2;
			continue;
		}
		name = end = s + 2;
		while ((*end >= 'A' && *end <= 'Z') || (*end >= 'a' && *end <= 'z') ||
		       (*end >= '0' && *end <= '9') || *end == '_')
			end++;
		if (end == name || (*name >= '0' && *name <= '9') ||
		    end - name >= (long)sizeof(var))
			return value_error(
				x, v,
				"%s: '${' must be followed by a variable name (letters, digits "
				"and '_'), in '%s'",
				where, value_show(v->text, sh));
		close = end;
		if (end[0] == ':' && end[1] == '-')
			close = strchr(end + 2, '}');
		if (close == NULL || *close != '}')
			return value_error(x, v,
					   "%s: '${%.*s' is not closed: expected ${%.*s} or "
					   "${%.*s:-default}",
					   where, (int)(end - name), name, (int)(end - name), name,
					   (int)(end - name), name);
		memcpy(var, name, (size_t)(end - name));
		var[end - name] = '\0';
		val = getenv(var);
		vlen = val ? strlen(val) : 0;
		if (val == NULL && close == end)
			return value_error(
				x, v,
				"%s: ${%s} is not set in the environment (set it, or give a "
				"default: ${%s:-VALUE})",
				where, var, var);
		if (val == NULL) {
			val = end + 2;
			vlen = (size_t)(close - val);
		}
		PUT(val, vlen);
		s = close + 1;
	}
	out[o] = '\0';
	return 0;
#undef PUT
}

/* A scalar's text, expanded, into out (VALUE_TEXT_MAX bytes); what names the expected value. */
int value_text(const struct value_ctx *x, const struct node *v, const char *where, const char *what,
	       char *out)
{
	if (v->type != NODE_SCALAR || node_is_null(v))
		return value_error(x, v, "%s: expected %s, not %s", where, what, node_kind(v));
	if (strlen(v->text) != v->len)
		return value_error(x, v, "%s: contains a NUL character", where);
	return expand(x, v, where, out);
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= CONFIG_NAME_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

int value_name(const struct value_ctx *x, const struct node *v, const char *where, const char *what,
	       char *out)
{
	char t[VALUE_TEXT_MAX], s[VALUE_SHOW_LEN];
	int ret = value_text(x, v, where, what, t);

	if (ret < 0)
		return ret;
	if (!name_ok(t))
		return value_error(x, v, "%s: '%s' is not a name: 1-%d letters, digits, '_' or '-'",
				   where, value_show(t, s), CONFIG_NAME_MAX);
	strcpy(out, t);
	return 0;
}

/* A decimal number from min to max; what is "a VNI" and the like. */
int value_uint(const struct value_ctx *x, const struct node *v, const char *where, const char *what,
	       uint32_t min, uint32_t max, uint32_t *out)
{
	char t[VALUE_TEXT_MAX], s[VALUE_SHOW_LEN];
	unsigned long long n = 0;
	size_t i, len;
	int ret = value_text(x, v, where, what, t);

	if (ret < 0)
		return ret;
	if (!v->plain)
		return value_error(x, v,
				   "%s: \"%s\" is quoted text, not %s (%u-%u): write the number "
				   "without quotes",
				   where, value_show(t, s), what, min, max);
	len = strlen(t);
	if (len > 1 && t[0] == '0' && strspn(t, "0123456789") == len)
		return value_error(x, v, "%s: %s is not %s (%u-%u): write it without leading zeros",
				   where, value_show(t, s), what, min, max);
	for (i = 0; i < len && i < 12; i++) {
		if (t[i] < '0' || t[i] > '9')
			break;
		n = n * 10 + (unsigned long long)(t[i] - '0');
	}
	if (len == 0 || i != len || n < min || n > max)
		return value_error(x, v, "%s: %s is not %s (%u-%u)", where, value_show(t, s), what,
				   min, max);
	*out = (uint32_t)n;
	return 0;
}

/* One of words[]: *out gets its index + 1. */
int value_word(const struct value_ctx *x, const struct node *v, const char *where, const char *what,
	       const char *const *words, int nwords, int *out)
{
	char t[VALUE_TEXT_MAX], s[VALUE_SHOW_LEN], list[128] = "";
	int i, ret = value_text(x, v, where, what, t);

	if (ret < 0)
		return ret;
	for (i = 0; i < nwords; i++) {
		if (strcmp(t, words[i]) == 0) {
			*out = i + 1;
			return 0;
		}
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i == 0		   ? ""
			 : i == nwords - 1 ? " or "
					   : ", ",
			 words[i]);
	}
	return value_error(x, v, "%s: '%s' is not %s: expected %s", where, value_show(t, s), what,
			   list);
}

/* A unicast IPv4 address a VTEP may have: not 0/8, 127/8 or 224/3. */
int value_vtep_addr(const struct value_ctx *x, const struct node *v, const char *where,
		    uint32_t *out)
{
	char t[VALUE_TEXT_MAX], s[VALUE_SHOW_LEN];
	const uint8_t *b = (const uint8_t *)out;
	int ret = value_text(x, v, where, "an IPv4 address", t);

	if (ret < 0)
		return ret;
	if (inet_pton(AF_INET, t, out) != 1)
		return value_error(x, v, "%s: '%s' is not an IPv4 address (a.b.c.d)", where,
				   value_show(t, s));
	if (b[0] == 0 || b[0] == 127 || b[0] >= 224)
		return value_error(x, v,
				   "%s: %s cannot be a VTEP: not a unicast address (0/8, 127/8 and "
				   "224/3 are not)",
				   where, t);
	return 0;
}

static int hex(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int value_mac(const struct value_ctx *x, const struct node *v, const char *where, uint8_t *mac)
{
	char t[VALUE_TEXT_MAX], s[VALUE_SHOW_LEN];
	int i, hi, lo, ret = value_text(x, v, where, "a MAC address", t);

	if (ret < 0)
		return ret;
	for (i = 0; i < 6; i++) {
		hi = strlen(t) == 17 ? hex(t[3 * i]) : -1;
		lo = hi < 0 ? -1 : hex(t[3 * i + 1]);
		if (lo < 0 || (i < 5 && t[3 * i + 2] != ':'))
			return value_error(x, v,
					   "%s: '%s' is not a MAC address (xx:xx:xx:xx:xx:xx)",
					   where, value_show(t, s));
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return value_error(x, v, "%s: 00:00:00:00:00:00 is not a station's MAC address",
				   where);
	if (mac[0] & 1)
		return value_error(x, v, "%s: %s is a multicast MAC address, not a station's",
				   where, t);
	return 0;
}

int value_ifname(const struct value_ctx *x, const struct node *v, const char *where, char *out)
{
	char t[VALUE_TEXT_MAX], s[VALUE_SHOW_LEN];
	size_t n;
	int ret = value_text(x, v, where, "an interface name", t);

	if (ret < 0)
		return ret;
	n = strlen(t);
	if (n < 1 || n >= CONFIG_IFNAME_LEN || strcmp(t, ".") == 0 || strcmp(t, "..") == 0 ||
	    strpbrk(t, "/: \t\n\v\f\r") != NULL)
		return value_error(x, v,
				   "%s: '%s' is not an interface name (1-%d bytes, no '/', ':' or "
				   "spaces)",
				   where, value_show(t, s), CONFIG_IFNAME_LEN - 1);
	strcpy(out, t);
	return 0;
}

int value_socket(const struct value_ctx *x, const struct node *v, const char *where, char *out)
{
	char t[VALUE_TEXT_MAX], s[VALUE_SHOW_LEN];
	int ret = value_text(x, v, where, "a socket path", t);

	if (ret < 0)
		return ret;
	if (t[0] != '/')
		return value_error(x, v,
				   "%s: '%s' is not an absolute path: give the socket's full path",
				   where, value_show(t, s));
	if (strlen(t) >= CONFIG_PATH_LEN)
		return value_error(x, v,
				   "%s: the path is %zu bytes; a Unix socket's has at most %d",
				   where, strlen(t), CONFIG_PATH_LEN - 1);
	strcpy(out, t);
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "display.h"
#include "drop.h"

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void comma(struct display *d)
{
	if (d->need_comma)
		putchar(',');
	d->need_comma = true;
}

void display_begin(struct display *d)
{
	if (d->json) {
		putchar('{');
		d->depth = 1;
		d->need_comma = false;
	}
}

void display_end(struct display *d)
{
	if (d->json)
		printf("}\n");
}

void display_abort(struct display *d)
{
	if (d->json)
		putchar('\n');
	fflush(stdout);
}

static void json_value(enum col_type type, va_list *ap)
{
	switch (type) {
	case COL_STR:
		json_str(va_arg(*ap, const char *));
		break;
	case COL_RAW:
		fputs(va_arg(*ap, const char *), stdout);
		break;
	case COL_U64:
		printf("%" PRIu64, va_arg(*ap, uint64_t));
		break;
	case COL_F64:
		printf("%.1f", va_arg(*ap, double));
		break;
	case COL_BOOL:
		printf("%s", va_arg(*ap, int) ? "true" : "false");
		break;
	case COL_DROPS: {
		const uint64_t *drops = va_arg(*ap, const uint64_t *);
		bool first = true;
		unsigned int i;

		putchar('{');
		for (i = 1; i < SYD_DROP_MAX; i++) {
			if (drops[i] == 0)
				continue;
			printf("%s\"%s\":%" PRIu64, first ? "" : ",", syd_drop_name(i), drops[i]);
			first = false;
		}
		putchar('}');
		break;
	}
	}
}

/* Table text of one value into buf. */
static void text_value(char *buf, size_t len, enum col_type type, va_list *ap)
{
	switch (type) {
	case COL_STR:
	case COL_RAW:
		snprintf(buf, len, "%s", va_arg(*ap, const char *));
		break;
	case COL_U64:
		snprintf(buf, len, "%" PRIu64, va_arg(*ap, uint64_t));
		break;
	case COL_F64:
		snprintf(buf, len, "%.1f", va_arg(*ap, double));
		break;
	case COL_BOOL:
		snprintf(buf, len, "%s", va_arg(*ap, int) ? "yes" : "no");
		break;
	case COL_DROPS: {
		const uint64_t *drops = va_arg(*ap, const uint64_t *);
		size_t used = 0;
		unsigned int i;

		buf[0] = '\0';
		for (i = 1; i < SYD_DROP_MAX && used < len; i++)
			if (drops[i])
				used += (size_t)snprintf(buf + used, len - used, "%s%s=%" PRIu64,
							 used ? " " : "", syd_drop_name(i),
							 drops[i]);
		if (used == 0)
			snprintf(buf, len, "-");
		break;
	}
	}
}

void display_list_begin(struct display *d, const char *key, const char *title,
			const struct col *cols, int ncols)
{
	int i;

	d->cols = cols;
	d->ncols = ncols;
	d->rows = 0;
	if (d->json) {
		comma(d);
		json_str(key);
		printf(":[");
		d->need_comma = false;
		return;
	}
	if (title)
		printf("%s\n", title);
	for (i = 0; i < ncols; i++)
		printf("%s%*s", i ? "  " : "  ", cols[i].width, cols[i].head);
	putchar('\n');
}

void display_row(struct display *d, ...)
{
	char buf[512];
	va_list ap;
	int i;

	va_start(ap, d);
	if (d->json) {
		comma(d);
		putchar('{');
		for (i = 0; i < d->ncols; i++) {
			if (i)
				putchar(',');
			json_str(d->cols[i].key);
			putchar(':');
			json_value(d->cols[i].type, &ap);
		}
		putchar('}');
	} else {
		for (i = 0; i < d->ncols; i++) {
			text_value(buf, sizeof(buf), d->cols[i].type, &ap);
			if (i == d->ncols - 1 && d->cols[i].width < 0)
				printf("  %s", buf); /* a last, left-aligned column is not padded */
			else
				printf("  %*s", d->cols[i].width, buf);
		}
		putchar('\n');
	}
	va_end(ap);
	d->rows++;
}

void display_list_end(struct display *d)
{
	if (d->json) {
		putchar(']');
		d->need_comma = true;
	} else {
		if (d->rows == 0)
			printf("  (none)\n");
		putchar('\n');
	}
}

void display_object_begin(struct display *d, const char *key, const char *title)
{
	if (d->json) {
		comma(d);
		json_str(key);
		printf(":{");
		d->need_comma = false;
	} else if (title) {
		printf("%s\n", title);
	}
}

void display_field(struct display *d, const char *key, const char *head, enum col_type type,
		   ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, type);
	if (d->json) {
		comma(d);
		json_str(key);
		putchar(':');
		json_value(type, &ap);
	} else {
		text_value(buf, sizeof(buf), type, &ap);
		printf("  %-16s %s\n", head, buf);
	}
	va_end(ap);
}

void display_object_end(struct display *d)
{
	if (d->json) {
		putchar('}');
		d->need_comma = true;
	} else {
		putchar('\n');
	}
}

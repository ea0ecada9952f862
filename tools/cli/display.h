/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sydctl's one output layer: every verb describes its lists and fields once, and this
 * prints them as aligned tables for people or as one JSON object for scripts (-o json).
 */
#ifndef SYDCTL_DISPLAY_H
#define SYDCTL_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>

enum col_type {
	COL_STR,
	COL_U64,
	COL_F64,   /* printed with one decimal */
	COL_BOOL,
	COL_DROPS, /* const uint64_t *: drop counters by code; JSON object of the non-zero */
	COL_RAW,   /* const char *: already JSON (an array, say); tables print it as text */
};

struct col {
	const char *key;  /* JSON key */
	const char *head; /* table heading */
	int width;        /* table column width; negative: left-aligned */
	enum col_type type;
};

struct display {
	bool json;
	int depth;         /* JSON: 0 outside the top object */
	bool need_comma;
	const struct col *cols;
	int ncols;
	int rows;
};

/* The top-level JSON object (nothing in table mode). */
void display_begin(struct display *d);
void display_end(struct display *d);
/* JSON: the command failed after output began; end the line so the error (on stderr)
 * does not run into it.  Scripts read the exit code, never a partial object. */
void display_abort(struct display *d);

/* A list of rows: a titled table, or "key": [ ... ]. */
void display_list_begin(struct display *d, const char *key, const char *title,
			const struct col *cols, int ncols);
/* One row: one value per column, in the column types' C types (const char *, uint64_t,
 * double, int, const uint64_t *). */
void display_row(struct display *d, ...);
void display_list_end(struct display *d);

/* An object of named fields: "key": {...}, or "title" then "  head: value" lines. */
void display_object_begin(struct display *d, const char *key, const char *title);
void display_field(struct display *d, const char *key, const char *head, enum col_type type,
		   ...);
void display_object_end(struct display *d);

#endif

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The little JSON syd-bench writes (the peer's answers, the stream summary): callers print
 * the structure themselves and use this for strings, which may hold anything a user typed.
 */
#ifndef SYD_BENCH_JSON_H
#define SYD_BENCH_JSON_H

#include <stdio.h>

/* Write s as a JSON string, quotes included, escaping what JSON requires. */
void json_write_string(FILE *f, const char *s);

#endif /* SYD_BENCH_JSON_H */

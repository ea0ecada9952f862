/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>

#include "drop.h"

static const char *const drop_names[SYD_DROP_MAX] = {
#define SYD_DROP_NAME(sym, code, name, help) [code] = name,
	SYD_FOREACH_DROP(SYD_DROP_NAME)
#undef SYD_DROP_NAME
};

static const char *const drop_helps[SYD_DROP_MAX] = {
#define SYD_DROP_HELP(sym, code, name, help) [code] = help,
	SYD_FOREACH_DROP(SYD_DROP_HELP)
#undef SYD_DROP_HELP
};

const char *syd_drop_name(unsigned int code)
{
	return code < SYD_DROP_MAX ? drop_names[code] : NULL;
}

const char *syd_drop_help(unsigned int code)
{
	return code < SYD_DROP_MAX ? drop_helps[code] : NULL;
}

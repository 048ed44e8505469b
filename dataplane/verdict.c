/* SPDX-License-Identifier: BSD-3-Clause */
#include "verdict.h"

static const char *const names[MV_VERDICT_COUNT] = {
#define MV_VERDICT_NAME(e, name, reply) [MV_VERDICT_##e] = name,
	MV_VERDICTS(MV_VERDICT_NAME)
#undef MV_VERDICT_NAME
};

const char *mv_verdict_name(enum mv_verdict v)
{
	return v < MV_VERDICT_COUNT ? names[v] : "unknown";
}

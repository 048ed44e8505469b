/* SPDX-License-Identifier: BSD-3-Clause */
/* The journal's CRC by carry-less multiplication (journal_clmul.c), where the CPU has it. */
#ifndef CONTROL_JOURNAL_PVT_H
#define CONTROL_JOURNAL_PVT_H

#include <stddef.h>
#include <stdint.h>

/*
 * CRC-32 of p[0..len), len a multiple of 16 and at least 64, continuing from
 * state (the inverted CRC, as journal_crc32 keeps it); returns the new state.
 */
typedef uint32_t (*journal_crc_fold_fn)(uint32_t state, const uint8_t *p, size_t len);

/* The folding CRC if this CPU can run it (PCLMULQDQ, SSE4.1), or NULL. */
journal_crc_fold_fn journal_crc_fold_pick(void);

#endif /* CONTROL_JOURNAL_PVT_H */

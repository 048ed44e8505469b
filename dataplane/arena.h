/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The record table's node allocator. A table of millions of names is read
 * at random, one node per query: with nodes from malloc (4 KiB pages,
 * 16-octet alignment) nearly every lookup misses the TLB and a 100-octet
 * node spans two or three cache lines. The arena carves nodes from 2 MiB
 * chunks on transparent huge pages (MADV_HUGEPAGE, not the reserved pages
 * DPDK uses) and places every object so that it spans as few cache lines as
 * its size allows (mv_arena_size): up to 64 octets take one line, up to 128
 * two, and so on.
 *
 * Freed objects go on a free list per size class and are reused; chunks go
 * back to the system only at mv_arena_destroy. Objects larger than
 * MV_ARENA_MAX come from malloc, so the arena needs to be told the size of
 * what it frees.
 *
 * Not thread-safe: one writer thread allocates and frees. Readers only read
 * the objects (freeing after a grace period is the caller's business).
 */
#ifndef MV_ARENA_H
#define MV_ARENA_H

#include <stdbool.h>
#include <stddef.h>

/* Larger objects come from malloc (64-aligned); smaller from the chunks. */
#define MV_ARENA_MAX 4096u

struct mv_arena; /* opaque */

/* An empty arena (it maps its first chunk on the first allocation). NULL with errno. */
struct mv_arena *mv_arena_create(void);

/* Release every chunk; objects still allocated from it become invalid. */
void mv_arena_destroy(struct mv_arena *a);

/*
 * Octets an object of `size` octets occupies: its size class. Classes are
 * 32 and 96 (32-aligned: one and two lines wherever they fall) and the
 * multiples of 64 (64-aligned); above MV_ARENA_MAX, size itself.
 */
size_t mv_arena_size(size_t size);

/*
 * Uninitialised memory for `size` octets (size > 0), aligned to 32, and to
 * 64 for classes that are multiples of 64. NULL with errno ENOMEM.
 */
void *mv_arena_alloc(struct mv_arena *a, size_t size);

/* Give back p (NULL: nothing), allocated with the same size. */
void mv_arena_free(struct mv_arena *a, void *p, size_t size);

/*
 * For idle time: map the chunk the arena will carve from next and fault its
 * memory in, unless one is ready already. A chunk's first touch otherwise
 * costs its whole page fault at once, in whichever allocation reaches it:
 * for a 2 MiB huge page about 4 ms on this project's test guests
 * (bench/HISTORY.md, eighth stop), in the middle of a batch. Returns
 * whether it mapped one now (false: one was ready, or no memory;
 * allocation then maps its own as before).
 */
bool mv_arena_prepare(struct mv_arena *a);

/* Octets mapped in chunks, the spare not counted (for tests and statistics). */
size_t mv_arena_mapped(const struct mv_arena *a);

#endif /* MV_ARENA_H */

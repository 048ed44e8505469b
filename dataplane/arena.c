/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Chunks are carved front to back by a bump offset; a freed object goes on
 * the free list of its class (linked through its first octets) and is
 * handed out again before the bump offset moves. The tail of a chunk too
 * short for the next object is left unused (under MV_ARENA_MAX of 2 MiB).
 */
#include "arena.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

/*
 * Under AddressSanitizer, memory the arena holds and nobody owns (chunk
 * tails not carved yet, freed objects) is poisoned, so that a use after
 * free of a node fails the tests as it would with malloc.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_ASAN 1
#endif
#ifdef ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define ARENA_POISON(p, n)   ASAN_POISON_MEMORY_REGION(p, n)
#define ARENA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define ARENA_POISON(p, n)   ((void)(p), (void)(n))
#define ARENA_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* One transparent huge page: the chunk is mapped aligned to it. */
#define CHUNK_SIZE ((size_t)2 << 20)
#define LINE       64u
#define HALF_LINE  32u

struct free_obj {
	struct free_obj *next;
};

struct mv_arena {
	/* Free lists, indexed by class / 32 (not every index is a class). */
	struct free_obj *free[MV_ARENA_MAX / HALF_LINE + 1];
	uint8_t *cur;   /* the chunk being carved, or NULL */
	uint8_t *spare; /* the next one, faulted in ahead (mv_arena_prepare), or NULL */
	size_t off;     /* octets of cur carved so far, a multiple of 32 */
	void **chunks;  /* every chunk, for destroy */
	size_t nchunks, chunks_cap;
};

size_t mv_arena_size(size_t size)
{
	/*
	 * 32 and 96 octets at 32-octet alignment never straddle more lines
	 * than they must (one and two); 160 would sometimes take four, so
	 * from 128 on, classes are whole lines on line boundaries.
	 */
	if (size <= HALF_LINE)
		return HALF_LINE;
	if (size <= 3 * HALF_LINE && size > LINE)
		return 3 * HALF_LINE;
	if (size > MV_ARENA_MAX)
		return size;
	return (size + LINE - 1) & ~(size_t)(LINE - 1);
}

struct mv_arena *mv_arena_create(void)
{
	return calloc(1, sizeof(struct mv_arena));
}

void mv_arena_destroy(struct mv_arena *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->nchunks; i++) {
		ARENA_UNPOISON(a->chunks[i], CHUNK_SIZE);
		munmap(a->chunks[i], CHUNK_SIZE);
	}
	if (a->spare != NULL) {
		ARENA_UNPOISON(a->spare, CHUNK_SIZE);
		munmap(a->spare, CHUNK_SIZE);
	}
	free(a->chunks);
	free(a);
}

/*
 * A fresh chunk, aligned to CHUNK_SIZE so that it can be one huge page;
 * with `fault`, its pages faulted in now rather than at their first use.
 */
static uint8_t *chunk_map(bool fault)
{
	uint8_t *p = mmap(NULL, 2 * CHUNK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	size_t head = (CHUNK_SIZE - ((uintptr_t)p & (CHUNK_SIZE - 1))) & (CHUNK_SIZE - 1);
	if (head > 0)
		munmap(p, head);
	munmap(p + head + CHUNK_SIZE, CHUNK_SIZE - head);
	p += head;
	(void)madvise(p, CHUNK_SIZE, MADV_HUGEPAGE); /* a hint: 4 KiB pages work too */
	/* One write per 4 KiB page: on a huge page the first does it all. */
	for (size_t off = 0; fault && off < CHUNK_SIZE; off += 4096)
		((volatile uint8_t *)p)[off] = 0;
	ARENA_POISON(p, CHUNK_SIZE);
	return p;
}

static int chunk_add(struct mv_arena *a)
{
	if (a->nchunks == a->chunks_cap) {
		size_t cap = a->chunks_cap ? a->chunks_cap * 2 : 16;
		void **c = realloc(a->chunks, cap * sizeof(*c));
		if (c == NULL)
			return -ENOMEM;
		a->chunks = c;
		a->chunks_cap = cap;
	}
	uint8_t *p = a->spare != NULL ? a->spare : chunk_map(false);
	if (p == NULL)
		return -ENOMEM;
	a->spare = NULL;
	a->chunks[a->nchunks++] = p;
	a->cur = p;
	a->off = 0;
	return 0;
}

/* Carve `cls` octets from the current chunk (or a new one). */
static void *carve(struct mv_arena *a, size_t cls)
{
	if (a->cur != NULL && cls % LINE == 0 && a->off % LINE != 0) {
		/* A whole-line class wants a line boundary: the half line before
		 * it is exactly one object of class 32. */
		mv_arena_free(a, a->cur + a->off, HALF_LINE);
		a->off += HALF_LINE;
	}
	if (a->cur == NULL || CHUNK_SIZE - a->off < cls) {
		if (chunk_add(a) != 0) {
			errno = ENOMEM;
			return NULL;
		}
	}
	uint8_t *p = a->cur + a->off;
	a->off += cls;
	return p;
}

void *mv_arena_alloc(struct mv_arena *a, size_t size)
{
	size_t cls = mv_arena_size(size);

	if (cls > MV_ARENA_MAX) {
		void *p = aligned_alloc(LINE, (cls + LINE - 1) & ~(size_t)(LINE - 1));
		if (p == NULL)
			errno = ENOMEM;
		return p;
	}
	struct free_obj *o = a->free[cls / HALF_LINE];
	if (o != NULL) {
		ARENA_UNPOISON(o, cls);
		a->free[cls / HALF_LINE] = o->next;
		return o;
	}
	void *p = carve(a, cls);
	if (p != NULL)
		ARENA_UNPOISON(p, cls);
	return p;
}

void mv_arena_free(struct mv_arena *a, void *p, size_t size)
{
	size_t cls = mv_arena_size(size);

	if (p == NULL)
		return;
	if (cls > MV_ARENA_MAX) {
		free(p);
		return;
	}
	struct free_obj *o = p;
	ARENA_UNPOISON(o, sizeof(*o));
	o->next = a->free[cls / HALF_LINE];
	a->free[cls / HALF_LINE] = o;
	ARENA_POISON(p, cls);
}

bool mv_arena_prepare(struct mv_arena *a)
{
	if (a->spare != NULL)
		return false;
	a->spare = chunk_map(true);
	return a->spare != NULL;
}

size_t mv_arena_mapped(const struct mv_arena *a)
{
	return a->nchunks * CHUNK_SIZE;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for dataplane/arena.c: size classes, alignment and the cache
 * lines an object spans, reuse after free, the half line before a
 * line-aligned object, many chunks, objects above MV_ARENA_MAX, and that
 * destroy unmaps every chunk.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arena.h"

#define CHUNK ((uintptr_t)2 << 20)

/* Cache lines [p, p + size) touches. */
static size_t lines(const void *p, size_t size)
{
	uintptr_t a = (uintptr_t)p;
	return (a + size - 1) / 64 - a / 64 + 1;
}

/* Whether the page holding p is mapped in this process. */
static int mapped(const void *p)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char vec;
	void *start = (void *)((uintptr_t)p & ~(uintptr_t)(page - 1));

	if (mincore(start, (size_t)page, &vec) == 0)
		return 1;
	cr_assert_eq(errno, ENOMEM);
	return 0;
}

Test(arena, size_classes)
{
	static const size_t cases[][2] = {
		{1, 32},      {32, 32},     {33, 64},     {64, 64},     {65, 96},
		{96, 96},     {97, 128},    {128, 128},   {129, 192},   {200, 256},
		{4095, 4096}, {4096, 4096}, {4097, 4097}, {9000, 9000},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_eq(mv_arena_size(cases[i][0]), cases[i][1],
			     "size %zu: class %zu, want %zu", cases[i][0],
			     mv_arena_size(cases[i][0]), cases[i][1]);
}

Test(arena, alignment_and_lines)
{
	struct mv_arena *a = mv_arena_create();
	cr_assert_not_null(a);

	/* Sizes in an order that leaves the bump offset at every half line. */
	for (unsigned round = 0; round < 50; round++)
		for (size_t size = 1; size <= 600; size += 23) {
			uint8_t *p = mv_arena_alloc(a, size);
			size_t cls = mv_arena_size(size);
			cr_assert_not_null(p);
			cr_assert_eq((uintptr_t)p % (cls % 64 == 0 ? 64 : 32), 0, "size %zu at %p",
				     size, (void *)p);
			/* As few lines as the size needs, wherever it falls. */
			cr_assert_eq(lines(p, size), (size + 63) / 64, "size %zu at %p", size,
				     (void *)p);
			memset(p, 0xa5, size);
		}
	mv_arena_destroy(a);
}

Test(arena, first_chunk_is_huge_page_aligned)
{
	struct mv_arena *a = mv_arena_create();
	void *p = mv_arena_alloc(a, 64);

	cr_assert_eq((uintptr_t)p % CHUNK, 0);
	cr_assert_eq(mv_arena_mapped(a), CHUNK);
	mv_arena_destroy(a);
}

/* Whether every page of the chunk at p is resident (faulted in). */
static bool resident(const void *p)
{
	long page = sysconf(_SC_PAGESIZE);
	static unsigned char vec[CHUNK / 4096];

	cr_assert_eq(mincore((void *)p, CHUNK, vec), 0);
	for (size_t i = 0; i < CHUNK / (size_t)page; i++)
		if (!(vec[i] & 1))
			return false;
	return true;
}

/* A chunk prepared in idle time is faulted in, and the next one carved. */
Test(arena, prepared_chunk_is_carved_next)
{
	struct mv_arena *a = mv_arena_create();

	cr_assert(mv_arena_prepare(a));
	cr_assert_not(mv_arena_prepare(a), "one is ready already");
	cr_assert_eq(mv_arena_mapped(a), 0, "a spare is not counted until carved");
	uint8_t *first = mv_arena_alloc(a, 64);
	cr_assert_eq((uintptr_t)first % CHUNK, 0);
	cr_assert(resident(first), "carved from a chunk not faulted in");
	cr_assert_eq(mv_arena_mapped(a), CHUNK);
	cr_assert(mv_arena_prepare(a), "the spare became the current chunk");
	for (size_t i = 1; i < CHUNK / 64; i++)
		cr_assert_eq(mv_arena_alloc(a, 64), first + i * 64);
	cr_assert_not(mv_arena_prepare(a), "the spare is still there");
	uint8_t *next = mv_arena_alloc(a, 64);
	cr_assert_eq((uintptr_t)next % CHUNK, 0);
	cr_assert(resident(next), "carved from a chunk not faulted in");
	cr_assert_eq(mv_arena_mapped(a), 2 * CHUNK);
	cr_assert(mv_arena_prepare(a), "the spare was carved");
	mv_arena_destroy(a);
}

Test(arena, reuse_after_free)
{
	struct mv_arena *a = mv_arena_create();
	void *p = mv_arena_alloc(a, 100);
	void *q = mv_arena_alloc(a, 100);

	cr_assert_neq(p, q);
	mv_arena_free(a, p, 100);
	/* Another class does not take it... */
	void *r = mv_arena_alloc(a, 64);
	cr_assert_neq(r, p);
	/* ...any size of the same class does, last freed first. */
	mv_arena_free(a, q, 100);
	cr_assert_eq(mv_arena_alloc(a, 128), q);
	cr_assert_eq(mv_arena_alloc(a, 97), p);
	cr_assert_neq(mv_arena_alloc(a, 128), p);
	mv_arena_free(a, NULL, 100); /* nothing */
	mv_arena_destroy(a);
}

Test(arena, half_line_before_aligned_object_is_reused)
{
	struct mv_arena *a = mv_arena_create();
	uint8_t *p = mv_arena_alloc(a, 32);
	uint8_t *q = mv_arena_alloc(a, 64);
	uint8_t *r = mv_arena_alloc(a, 32);

	cr_assert_eq(q, p + 64, "the 64-octet object starts on the next line");
	cr_assert_eq(r, p + 32, "the half line skipped is the next 32-octet object");
	mv_arena_destroy(a);
}

/* Fill every object with its index; check that none overwrote another. */
Test(arena, many_chunks)
{
	enum { N = 60000, SIZE = 104 };
	struct mv_arena *a = mv_arena_create();
	uint32_t **objs = calloc(N, sizeof(*objs));

	for (uint32_t i = 0; i < N; i++) {
		objs[i] = mv_arena_alloc(a, SIZE);
		cr_assert_not_null(objs[i]);
		for (size_t k = 0; k < SIZE / 4; k++)
			objs[i][k] = i;
	}
	size_t chunks = mv_arena_mapped(a) / CHUNK;
	cr_assert_geq(chunks, (size_t)N * 128 / CHUNK, "%zu chunks", chunks);
	cr_assert_leq(chunks, (size_t)N * 128 / CHUNK + 1, "%zu chunks", chunks);
	for (uint32_t i = 0; i < N; i++)
		for (size_t k = 0; k < SIZE / 4; k++)
			cr_assert_eq(objs[i][k], i);

	/* Freed and allocated again: all from the free list, no new chunk. */
	for (uint32_t i = 0; i < N; i++)
		mv_arena_free(a, objs[i], SIZE);
	for (uint32_t i = 0; i < N; i++)
		objs[i] = mv_arena_alloc(a, SIZE);
	cr_assert_eq(mv_arena_mapped(a) / CHUNK, chunks);
	free(objs);
	mv_arena_destroy(a);
}

Test(arena, large_objects_from_malloc)
{
	struct mv_arena *a = mv_arena_create();
	uint8_t *p = mv_arena_alloc(a, MV_ARENA_MAX + 1);

	cr_assert_not_null(p);
	cr_assert_eq((uintptr_t)p % 64, 0);
	memset(p, 1, MV_ARENA_MAX + 1);
	cr_assert_eq(mv_arena_mapped(a), 0, "no chunk for a large object");
	mv_arena_free(a, p, MV_ARENA_MAX + 1); /* LSan reports it if not freed */
	mv_arena_destroy(a);
}

Test(arena, destroy_unmaps_every_chunk)
{
	struct mv_arena *a = mv_arena_create();
	void *first = mv_arena_alloc(a, 4096);
	void *last = first;

	while (mv_arena_mapped(a) < 3 * CHUNK)
		last = mv_arena_alloc(a, 4096);
	cr_assert(mapped(first));
	cr_assert(mapped(last));
	mv_arena_destroy(a);
	cr_assert_not(mapped(first));
	cr_assert_not(mapped(last));
	mv_arena_destroy(NULL); /* nothing */
}

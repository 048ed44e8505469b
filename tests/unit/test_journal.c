/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control daemon's write-ahead journal: framing, CRC, torn and corrupt
 * tails (detected, reported, cut away, never replayed in part), truncation
 * after a snapshot, sealed segments and dropping those a snapshot holds,
 * and atomic file replacement.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "private_tmp.h"

static char dir[128];
static char path[128];

static void setup(void)
{
	private_tmp_dir(dir, sizeof(dir), "journal");
	snprintf(path, sizeof(path), "%s/journal", dir);
}

static void teardown(void)
{
	private_tmp_remove(dir);
}

TestSuite(journal, .init = setup, .fini = teardown);

/* What replay saw. */
struct seen {
	size_t n;
	uint64_t lsn[16];
	char payload[16][64];
};

static void collect(uint64_t lsn, const char *payload, uint32_t len, void *arg)
{
	struct seen *s = arg;

	cr_assert_lt(s->n, 16);
	cr_assert_lt(len, 64);
	s->lsn[s->n] = lsn;
	memcpy(s->payload[s->n], payload, len);
	s->payload[s->n][len] = '\0';
	s->n++;
}

static off_t file_size(void)
{
	struct stat st;

	cr_assert_eq(stat(path, &st), 0);
	return st.st_size;
}

/* A journal holding records "one", "two", "three" (lsn 1..3); returns the size of each. */
static void write_three(off_t ends[3])
{
	static const char *const words[] = {"one", "two", "three"};
	struct journal *j = journal_open(path, NULL, NULL);

	cr_assert_not_null(j);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(journal_append(j, (uint64_t)i + 1, words[i], strlen(words[i])), 0);
		ends[i] = file_size();
	}
	cr_assert_eq(journal_records(j), 3);
	journal_close(j);
}

Test(journal, crc32_check_value)
{
	cr_assert_eq(journal_crc32(0, "123456789", 9), 0xcbf43926u);
	cr_assert_eq(journal_crc32(journal_crc32(0, "1234", 4), "56789", 5), 0xcbf43926u);
	cr_assert_eq(journal_crc32(0, "", 0), 0);
}

/* The CRC bit by bit, as the standard defines it. */
static uint32_t crc32_bitwise(const uint8_t *p, size_t len)
{
	uint32_t crc = ~0u;

	while (len-- > 0) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc & 1) ? 0xedb88320u ^ (crc >> 1) : crc >> 1;
	}
	return ~crc;
}

/* Eight octets at a time, at any alignment, in pieces: the same as bit by bit. */
Test(journal, crc32_every_length_and_split)
{
	uint8_t buf[200];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; off + len <= sizeof(buf); len += 1 + len / 8) {
			size_t cut = len / 3;
			uint32_t want = crc32_bitwise(buf + off, len);

			cr_assert_eq(journal_crc32(0, buf + off, len), want);
			cr_assert_eq(journal_crc32(journal_crc32(0, buf + off, cut),
						   buf + off + cut, len - cut),
				     want);
		}
}

/*
 * Long buffers (where the CPU allows, folded 64 and 16 octets at a time by
 * carry-less multiplication, the rest by the tables): every length around
 * the block sizes, at any alignment, whole and in two pieces.
 */
Test(journal, crc32_long_buffers)
{
	static uint8_t buf[4200];
	unsigned seed = 7;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand_r(&seed);
	for (size_t off = 0; off < 16; off += 3)
		for (size_t len = 48; off + len <= sizeof(buf); len += len < 400 ? 1 : 61) {
			size_t cut = (size_t)rand_r(&seed) % (len + 1);
			uint32_t want = crc32_bitwise(buf + off, len);

			cr_assert_eq(journal_crc32(0, buf + off, len), want, "%zu at %zu", len,
				     off);
			cr_assert_eq(journal_crc32(journal_crc32(0, buf + off, cut),
						   buf + off + cut, len - cut),
				     want, "%zu at %zu cut at %zu", len, off, cut);
		}
}

Test(journal, encode_decode_round_trip)
{
	uint8_t buf[64];
	const uint8_t *payload;
	uint64_t lsn;
	uint32_t len;
	size_t n = journal_encode(0x0102030405060708ull, "hello", 5, buf);

	cr_assert_eq(n, JOURNAL_HDR_SIZE + 5);
	cr_assert_eq(buf[0], 5); /* little-endian length first */
	cr_assert_eq(buf[8], 0x08);
	cr_assert_eq(journal_decode(buf, n, &lsn, &payload, &len), (long)n);
	cr_assert_eq(lsn, 0x0102030405060708ull);
	cr_assert_eq(len, 5);
	cr_assert_eq(memcmp(payload, "hello", 5), 0);
	/* Trailing octets (the next record) are not part of it. */
	cr_assert_eq(journal_decode(buf, sizeof(buf), &lsn, &payload, &len), (long)n);
}

Test(journal, decode_every_prefix_is_torn)
{
	uint8_t buf[64];
	const uint8_t *payload;
	uint64_t lsn;
	uint32_t len;
	size_t n = journal_encode(7, "payload", 7, buf);

	for (size_t k = 0; k < n; k++)
		cr_assert_eq(journal_decode(buf, k, &lsn, &payload, &len), 0, "prefix %zu", k);
}

Test(journal, decode_detects_corruption)
{
	uint8_t buf[64];
	const uint8_t *payload;
	uint64_t lsn;
	uint32_t len;
	size_t n = journal_encode(7, "payload", 7, buf);

	/* Any flipped bit outside the CRC field, or in it, is caught. */
	for (size_t k = 0; k < n; k++) {
		uint8_t copy[64];

		memcpy(copy, buf, n);
		copy[k] ^= 0x10;
		long r = journal_decode(copy, n, &lsn, &payload, &len);

		cr_assert(r == -EBADMSG || (k < 4 && r == 0), "octet %zu: %ld", k, r);
	}
	/* An impossible length is corruption, not a torn record. */
	buf[3] = 0xff;
	cr_assert_eq(journal_decode(buf, n, &lsn, &payload, &len), -EBADMSG);
}

Test(journal, replays_in_order)
{
	struct seen s = {0};
	off_t ends[3];
	struct journal *j;

	write_three(ends);
	j = journal_open(path, collect, &s);
	cr_assert_not_null(j);
	cr_assert_eq(s.n, 3);
	cr_assert_str_eq(s.payload[0], "one");
	cr_assert_str_eq(s.payload[2], "three");
	cr_assert_eq(s.lsn[1], 2);
	cr_assert_eq(journal_records(j), 3);
	journal_close(j);
	cr_assert_eq(file_size(), ends[2]);
}

Test(journal, torn_tail_is_cut_and_appending_continues)
{
	struct seen s = {0};
	off_t ends[3];
	struct journal *j;

	write_three(ends);
	/* Power loss in the middle of the third record. */
	cr_assert_eq(truncate(path, ends[1] + 9), 0);
	j = journal_open(path, collect, &s);
	cr_assert_not_null(j);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(file_size(), ends[1]);
	cr_assert_eq(journal_append(j, 3, "four", 4), 0);
	journal_close(j);

	memset(&s, 0, sizeof(s));
	j = journal_open(path, collect, &s);
	cr_assert_eq(s.n, 3);
	cr_assert_str_eq(s.payload[2], "four");
	journal_close(j);
}

Test(journal, corrupt_record_ends_the_journal)
{
	struct seen s = {0};
	off_t ends[3];
	struct journal *j;
	int fd;

	write_three(ends);
	/* Scribble over the second record's payload: it and all after it go. */
	fd = open(path, O_WRONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pwrite(fd, "X", 1, ends[0] + JOURNAL_HDR_SIZE + 1), 1);
	close(fd);
	j = journal_open(path, collect, &s);
	cr_assert_not_null(j);
	cr_assert_eq(s.n, 1);
	cr_assert_str_eq(s.payload[0], "one");
	cr_assert_eq(file_size(), ends[0]);
	journal_close(j);
}

Test(journal, garbage_file_replays_nothing)
{
	struct seen s = {0};
	struct journal *j;
	int fd = open(path, O_WRONLY | O_CREAT, 0600);

	cr_assert_eq(write(fd, "not a journal at all", 20), 20);
	close(fd);
	j = journal_open(path, collect, &s);
	cr_assert_not_null(j);
	cr_assert_eq(s.n, 0);
	cr_assert_eq(file_size(), 0);
	journal_close(j);
}

/*
 * j was just emptied: nothing is left on disk, and what is appended next
 * is all that a reopening replays. Closes j.
 */
static void emptied_then_appends(struct journal *j, uint64_t lsn)
{
	struct seen s = {0};

	cr_assert_eq(journal_records(j), 0);
	cr_assert_eq(file_size(), 0);
	cr_assert_eq(journal_append(j, lsn, "next", 4), 0);
	journal_close(j);
	j = journal_open(path, collect, &s);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.lsn[0], lsn);
	cr_assert_str_eq(s.payload[0], "next");
	journal_close(j);
}

Test(journal, truncate_empties)
{
	off_t ends[3];
	struct journal *j;

	write_three(ends);
	j = journal_open(path, NULL, NULL);
	cr_assert_eq(journal_truncate(j), 0);
	emptied_then_appends(j, 9);
}

/* Whether the sealed segment <path>.<upto> exists. */
static bool sealed_exists(uint64_t upto)
{
	char file[160];

	snprintf(file, sizeof(file), "%s.%lu", path, (unsigned long)upto);
	return access(file, F_OK) == 0;
}

/* Replay the journal at path: what a reopening sees, in order. */
static void reopened(struct seen *s)
{
	struct journal *j = journal_open(path, collect, s);

	cr_assert_not_null(j);
	journal_close(j);
}

/*
 * Sealing renames what was appended to <path>.<its last lsn> and appends
 * go on in a new file; a reopening replays both, in order, until the
 * sealed segment is dropped, and then only what came after it.
 */
Test(journal, rotate_then_drop_keeps_what_came_after)
{
	struct seen s = {0}, after = {0};
	off_t ends[3];
	struct journal *j;

	write_three(ends);
	j = journal_open(path, NULL, NULL);
	cr_assert_not_null(j);
	cr_assert_eq(journal_rotate(j), 0);
	cr_assert(sealed_exists(3));
	cr_assert_eq(file_size(), 0, "appends go to a new file");
	cr_assert_eq(journal_append(j, 4, "four", 4), 0);
	cr_assert_eq(journal_append_lazy(j, 5, "five", 4), 0);
	cr_assert_eq(journal_records(j), 5);
	reopened(&s);
	cr_assert_eq(s.n, 5);
	cr_assert_str_eq(s.payload[0], "one");
	cr_assert_str_eq(s.payload[3], "four");
	cr_assert_eq(journal_drop_sealed(j, 2), 0);
	cr_assert(sealed_exists(3), "it holds lsn 3, which a snapshot at 2 does not");
	cr_assert_eq(journal_drop_sealed(j, 3), 0);
	cr_assert_not(sealed_exists(3));
	char removing[160];
	snprintf(removing, sizeof(removing), "%s.3.removing", path);
	cr_assert_neq(access(removing, F_OK), 0, "nothing is left of it");
	cr_assert_eq(journal_records(j), 2);
	cr_assert_eq(journal_append(j, 6, "six", 3), 0);
	journal_close(j);
	reopened(&after);
	cr_assert_eq(after.n, 3);
	cr_assert_eq(after.lsn[0], 4);
	cr_assert_str_eq(after.payload[1], "five");
	cr_assert_str_eq(after.payload[2], "six");
}

/*
 * Nothing to seal is no seal; segments sealed while a snapshot failed are
 * dropped with the next one that succeeds; truncation drops them all.
 */
Test(journal, rotate_seals_only_new_records_and_truncate_drops_all)
{
	struct seen s = {0};
	struct journal *j = journal_open(path, NULL, NULL);

	cr_assert_not_null(j);
	cr_assert_eq(journal_rotate(j), 0);
	cr_assert_not(sealed_exists(0), "an empty journal seals nothing");
	cr_assert_eq(journal_append(j, 1, "one", 3), 0);
	cr_assert_eq(journal_rotate(j), 0);
	cr_assert_eq(journal_rotate(j), 0);
	cr_assert_eq(journal_append(j, 2, "two", 3), 0);
	cr_assert_eq(journal_rotate(j), 0);
	cr_assert(sealed_exists(1));
	cr_assert(sealed_exists(2));
	cr_assert_eq(journal_append(j, 3, "three", 5), 0);
	cr_assert_eq(journal_drop_sealed(j, 2), 0, "the snapshot of the second seal holds both");
	cr_assert_not(sealed_exists(1));
	cr_assert_not(sealed_exists(2));
	reopened(&s);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.lsn[0], 3);
	cr_assert_eq(journal_append(j, 4, "four", 4), 0);
	cr_assert_eq(journal_rotate(j), 0);
	cr_assert_eq(journal_truncate(j), 0);
	cr_assert_not(sealed_exists(4));
	emptied_then_appends(j, 9);
}

/*
 * What a stop can leave: a seal's rename done and its new file not made
 * yet, beside a removal cut short. The segment is replayed and the file
 * made anew; the removal is not a segment, never replayed, and removed.
 */
Test(journal, open_after_a_stop_mid_seal_and_mid_removal)
{
	struct seen s = {0};
	off_t ends[3];
	char sealed[160], removing[160];
	struct journal *j;
	int fd;

	write_three(ends);
	snprintf(sealed, sizeof(sealed), "%s.3", path);
	snprintf(removing, sizeof(removing), "%s.2.removing", path);
	cr_assert_eq(rename(path, sealed), 0);
	fd = open(removing, O_WRONLY | O_CREAT, 0600);
	cr_assert_eq(write(fd, "a torn rest", 11), 11);
	close(fd);
	j = journal_open(path, collect, &s);
	cr_assert_not_null(j);
	cr_assert_neq(access(removing, F_OK), 0, "the removal is finished");
	cr_assert_eq(s.n, 3);
	cr_assert_eq(journal_records(j), 3);
	cr_assert_eq(file_size(), 0);
	cr_assert_eq(journal_append(j, 4, "four", 4), 0);
	journal_close(j);
	s = (struct seen){0};
	reopened(&s);
	cr_assert_eq(s.n, 4);
	cr_assert_eq(s.lsn[3], 4);
}

Test(journal, lazy_appends_then_sync)
{
	struct seen s = {0};
	struct journal *j = journal_open(path, NULL, NULL);

	cr_assert_not_null(j);
	cr_assert_eq(journal_append_lazy(j, 1, "one", 3), 0);
	cr_assert_eq(journal_append_lazy(j, 2, "two", 3), 0);
	cr_assert_eq(journal_sync(j), 0);
	cr_assert_eq(journal_records(j), 2);
	journal_close(j);
	j = journal_open(path, collect, &s);
	cr_assert_eq(s.n, 2);
	cr_assert_str_eq(s.payload[1], "two");
	journal_close(j);
}

Test(journal, write_atomic_replaces)
{
	char file[160], *data;
	size_t len;

	snprintf(file, sizeof(file), "%s/state.json", dir);
	cr_assert_eq(journal_read_file(file, &data, &len), -ENOENT);
	cr_assert_eq(journal_write_atomic(dir, "state.json", "first", 5), 0);
	cr_assert_eq(journal_write_atomic(dir, "state.json", "second", 6), 0);
	cr_assert_eq(journal_read_file(file, &data, &len), 0);
	cr_assert_eq(len, 6);
	cr_assert_str_eq(data, "second");
	free(data);
	snprintf(file, sizeof(file), "%s/state.json.tmp", dir);
	cr_assert_neq(access(file, F_OK), 0, "no temporary file is left behind");
}

/*
 * A file written in pieces of growing, uneven sizes (1, 4, 13, ... octets),
 * across several write-behind pieces and ending in a partial one, arrives
 * whole.
 */
Test(journal, replace_written_in_pieces)
{
	size_t want = (20u << 20) + 12345, len, off = 0, step = 1;
	char file[160], *big = malloc(want), *data;
	struct journal_replace r;

	cr_assert_not_null(big);
	for (size_t i = 0; i < want; i++)
		big[i] = (char)('a' + (i * 7 + i / 4096) % 26);
	cr_assert_eq(journal_replace_open(&r, dir, "big.json"), 0);
	for (size_t n; off < want; off += n, step = step * 3 + 1) {
		n = step < want - off ? step : want - off;
		cr_assert_eq(journal_replace_write(&r, big + off, n), 0);
	}
	cr_assert_eq(r.written, want);
	cr_assert_eq(journal_replace_finish(&r, 0), 0);
	snprintf(file, sizeof(file), "%s/big.json", dir);
	cr_assert_eq(journal_read_file(file, &data, &len), 0);
	cr_assert_eq(len, want);
	cr_assert(memcmp(data, big, want) == 0);
	free(data);
	free(big);
}

/* A replace its writer gives up on leaves the file it would have replaced, and no temporary. */
Test(journal, replace_given_up_changes_nothing)
{
	struct journal_replace r;
	char file[160], *data;
	size_t len;

	cr_assert_eq(journal_write_atomic(dir, "state.json", "first", 5), 0);
	cr_assert_eq(journal_replace_open(&r, dir, "state.json"), 0);
	cr_assert_eq(journal_replace_write(&r, "second", 6), 0);
	cr_assert_eq(journal_replace_finish(&r, -ENOSPC), -ENOSPC);
	snprintf(file, sizeof(file), "%s/state.json", dir);
	cr_assert_eq(journal_read_file(file, &data, &len), 0);
	cr_assert_str_eq(data, "first");
	free(data);
	snprintf(file, sizeof(file), "%s/state.json.tmp", dir);
	cr_assert_neq(access(file, F_OK), 0, "no temporary file is left behind");
}

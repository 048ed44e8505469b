/* SPDX-License-Identifier: BSD-3-Clause */
#include "journal.h"
#include "journal_pvt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "grow.h"

/* The suffix of a sealed segment being removed (remove_gently). */
#define REMOVING ".removing"

/* A sealed segment, path.<upto>: records up to lsn upto, none appended any more. */
struct segment {
	uint64_t upto;
	size_t records;
};

struct journal {
	int fd;    /* the segment appended to, at path */
	off_t end; /* its octets of valid records */
	size_t records;
	uint64_t last_lsn;      /* of the last record replayed or appended; 0: none yet */
	struct segment *sealed; /* oldest first */
	size_t nsealed, sealed_cap;
	char path[PATH_MAX];
	char dir[PATH_MAX]; /* path's directory: the segments' and fsync_dir's */
};

/* ---- framing ---- */

/*
 * CRC-32 eight octets at a time (slice-by-8): the byte-at-a-time loop was
 * 11 instructions an octet, 1.1M for a 1,000-change record, on the way to
 * publishing it.
 */
static uint32_t crc_table[8][256];
/*
 * Whole 16-octet blocks of 64 octets or more by carry-less multiplication
 * where the CPU can: the tables still took 0.5M instructions for a
 * 1,000-change record (4 an octet), a twentieth of the batch.
 */
static journal_crc_fold_fn crc_fold;
static int crc_ready;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[0][i] = c;
	}
	for (int t = 1; t < 8; t++)
		for (uint32_t i = 0; i < 256; i++)
			crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^
					  crc_table[0][crc_table[t - 1][i] & 0xff];
	crc_fold = journal_crc_fold_pick();
	/* Release: the tables (and crc_fold) are set before anyone skips computing them. */
	__atomic_store_n(&crc_ready, 1, __ATOMIC_RELEASE);
}

uint32_t journal_crc32(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	/* Acquire: pairs with crc_init; a racing first call computes the same tables. */
	if (!__atomic_load_n(&crc_ready, __ATOMIC_ACQUIRE))
		crc_init();
	crc = ~crc;
	if (crc_fold != NULL && len >= 64) {
		size_t n = len & ~(size_t)15;

		crc = crc_fold(crc, p, n);
		p += n;
		len -= n;
	}
	for (; len >= 8; len -= 8, p += 8) {
		uint32_t lo =
			crc ^ (uint32_t)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24);
		uint32_t hi = (uint32_t)(p[4] | p[5] << 8 | p[6] << 16 | (uint32_t)p[7] << 24);

		crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
		      crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
		      crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
		      crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
	}
	while (len-- > 0)
		crc = crc_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* CRC over len (octets 0-3), lsn (8-15) and the payload: everything but itself. */
static uint32_t frame_crc(const uint8_t *hdr, const void *payload, uint32_t len)
{
	uint32_t crc = journal_crc32(0, hdr, 4);

	crc = journal_crc32(crc, hdr + 8, 8);
	return journal_crc32(crc, payload, len);
}

size_t journal_encode(uint64_t lsn, const void *payload, uint32_t len, uint8_t *out)
{
	put_le(out, len, 4);
	put_le(out + 8, lsn, 8);
	memcpy(out + JOURNAL_HDR_SIZE, payload, len);
	put_le(out + 4, frame_crc(out, payload, len), 4);
	return JOURNAL_HDR_SIZE + len;
}

long journal_decode(const uint8_t *buf, size_t avail, uint64_t *lsn, const uint8_t **payload,
		    uint32_t *len)
{
	uint32_t n;

	if (avail < JOURNAL_HDR_SIZE)
		return 0;
	n = (uint32_t)get_le(buf, 4);
	if (n > JOURNAL_PAYLOAD_MAX)
		return -EBADMSG;
	if (avail - JOURNAL_HDR_SIZE < n)
		return 0;
	if (frame_crc(buf, buf + JOURNAL_HDR_SIZE, n) != (uint32_t)get_le(buf + 4, 4))
		return -EBADMSG;
	*lsn = get_le(buf + 8, 8);
	*payload = buf + JOURNAL_HDR_SIZE;
	*len = n;
	return (long)(JOURNAL_HDR_SIZE + n);
}

/* ---- files ---- */

int journal_read_file(const char *path, char **data, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 1 << 16, n = 0;
	char *buf = NULL;
	int rc;

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t r;

		if (buf == NULL || n + 1 == cap) {
			char *nb = realloc(buf, buf == NULL ? cap : (cap *= 2));

			if (nb == NULL) {
				rc = -ENOMEM;
				goto fail;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return 0;
fail:
	free(buf);
	close(fd);
	return rc;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t r = write(fd, p, len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0)
		rc = -errno;
	close(fd);
	return rc;
}

/*
 * Large files are written and removed a piece of this many octets at a
 * time, so that the journal's own fsyncs meanwhile queue behind one piece
 * at most. Written: each piece's writeback is started as it is written
 * (and the piece before waited for), not left to the final fsync: a
 * 10M-set snapshot (800 MB) written at once held batches for 0.5 s, ext4
 * flushing it before their records (journal_replace_write). Removed:
 * remove_gently.
 */
#define FILE_PIECE (8u << 20)

int journal_replace_open(struct journal_replace *r, const char *dir, const char *name)
{
	*r = (struct journal_replace){.fd = -1};
	if (snprintf(r->tmp, sizeof(r->tmp), "%s/%s.tmp", dir, name) >= (int)sizeof(r->tmp) ||
	    snprintf(r->dst, sizeof(r->dst), "%s/%s", dir, name) >= (int)sizeof(r->dst) ||
	    snprintf(r->dir, sizeof(r->dir), "%s", dir) >= (int)sizeof(r->dir))
		return -ENAMETOOLONG;
	r->fd = open(r->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	return r->fd < 0 ? -errno : 0;
}

int journal_replace_write(struct journal_replace *r, const void *data, size_t len)
{
	if (r->err == 0)
		r->err = write_all(r->fd, data, len);
	if (r->err != 0)
		return r->err;
	r->written += len;
	/* Each whole piece's writeback started (sync_file_range's advice;
	 * fsync decides), and the one before it waited for. */
	for (; r->written - r->started >= FILE_PIECE; r->started += FILE_PIECE) {
		(void)sync_file_range(r->fd, (off_t)r->started, FILE_PIECE, SYNC_FILE_RANGE_WRITE);
		if (r->started > 0)
			(void)sync_file_range(r->fd, (off_t)(r->started - FILE_PIECE), FILE_PIECE,
					      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
						      SYNC_FILE_RANGE_WAIT_AFTER);
	}
	return 0;
}

int journal_replace_finish(struct journal_replace *r, int rc)
{
	if (rc == 0)
		rc = r->err;
	if (rc == 0 && fsync(r->fd) != 0)
		rc = -errno;
	if (close(r->fd) != 0 && rc == 0)
		rc = -errno;
	r->fd = -1;
	if (rc == 0 && rename(r->tmp, r->dst) != 0)
		rc = -errno;
	if (rc != 0) {
		unlink(r->tmp);
		return rc;
	}
	return fsync_dir(r->dir);
}

int journal_write_atomic(const char *dir, const char *name, const void *data, size_t len)
{
	struct journal_replace r;
	int rc = journal_replace_open(&r, dir, name);

	if (rc != 0)
		return rc;
	return journal_replace_finish(&r, journal_replace_write(&r, data, len));
}

/* The file of the sealed segment holding records up to lsn upto. */
static void segment_path(const struct journal *j, uint64_t upto, char out[PATH_MAX + 24])
{
	snprintf(out, PATH_MAX + 24, "%s.%" PRIu64, j->path, upto);
}

/* Replay the records of file's buf; returns the octets of valid records. */
static size_t replay(struct journal *j, const char *file, const uint8_t *buf, size_t n,
		     size_t *records, journal_record_fn fn, void *arg)
{
	size_t off = 0;

	while (off < n) {
		const uint8_t *payload;
		uint64_t lsn;
		uint32_t len;
		long r = journal_decode(buf + off, n - off, &lsn, &payload, &len);

		if (r <= 0) {
			fprintf(stderr,
				"mvdns-control: journal %s: %s record at offset %zu; ignoring and "
				"truncating the last %zu octets\n",
				file, r == 0 ? "torn (incomplete)" : "corrupt (bad length or CRC)",
				off, n - off);
			break;
		}
		if (fn != NULL)
			fn(lsn, (const char *)payload, len, arg);
		j->last_lsn = lsn;
		(*records)++;
		off += (size_t)r;
	}
	return off;
}

/*
 * Replay file (open as fd) and cut a torn or corrupt tail away. Out:
 * *records, *end (the valid octets; end may be NULL). Returns 0 or -errno.
 */
static int replay_file(struct journal *j, const char *file, int fd, size_t *records, off_t *end,
		       journal_record_fn fn, void *arg)
{
	char *data = NULL;
	size_t n = 0, good;
	int rc = journal_read_file(file, &data, &n);

	if (rc != 0)
		return rc;
	good = replay(j, file, (const uint8_t *)data, n, records, fn, arg);
	free(data);
	if (good < n && (ftruncate(fd, (off_t)good) != 0 || fsync(fd) != 0))
		return -errno;
	if (end != NULL)
		*end = (off_t)good;
	return 0;
}

static int cmp_segment(const void *a, const void *b)
{
	const struct segment *x = a, *y = b;

	return x->upto < y->upto ? -1 : x->upto > y->upto;
}

/* Find the sealed segments beside the journal (<path>.<digits>), oldest first. */
static int find_sealed(struct journal *j)
{
	const char *dir = j->dir;
	const char *base = strrchr(j->path, '/') != NULL ? strrchr(j->path, '/') + 1 : j->path;
	size_t blen = strlen(base);
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		const char *num = e->d_name + blen + 1;
		char *stop;

		if (strncmp(e->d_name, base, blen) != 0 || e->d_name[blen] != '.' || *num < '0' ||
		    *num > '9')
			continue;
		uint64_t upto = strtoull(num, &stop, 10);
		if (strcmp(stop, REMOVING) == 0) { /* a removal a stop cut short */
			char file[PATH_MAX + 300];

			snprintf(file, sizeof(file), "%s/%s", dir, e->d_name);
			(void)unlink(file);
			continue;
		}
		if (*stop != '\0')
			continue;
		if (MV_GROW(j->sealed, j->sealed_cap, j->nsealed + 1, 4) != 0) {
			closedir(d);
			return -ENOMEM;
		}
		j->sealed[j->nsealed++] = (struct segment){upto, 0};
	}
	closedir(d);
	if (j->nsealed > 1)
		qsort(j->sealed, j->nsealed, sizeof(*j->sealed), cmp_segment);
	return 0;
}

/* Replay the sealed segments, oldest first. */
static int replay_sealed(struct journal *j, journal_record_fn fn, void *arg)
{
	for (size_t i = 0; i < j->nsealed; i++) {
		char file[PATH_MAX + 24];
		int fd, rc;

		segment_path(j, j->sealed[i].upto, file);
		fd = open(file, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		rc = replay_file(j, file, fd, &j->sealed[i].records, NULL, fn, arg);
		close(fd);
		if (rc != 0)
			return rc;
	}
	return 0;
}

struct journal *journal_open(const char *path, journal_record_fn fn, void *arg)
{
	struct journal *j = calloc(1, sizeof(*j));
	char tmp[PATH_MAX];
	int rc;

	if (j == NULL)
		return NULL;
	j->fd = -1;
	if (snprintf(j->path, sizeof(j->path), "%s", path) >= (int)sizeof(j->path)) {
		rc = -ENAMETOOLONG;
		goto fail;
	}
	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(j->dir, sizeof(j->dir), "%s", dirname(tmp)); /* "." without a slash */
	rc = find_sealed(j);
	if (rc == 0)
		rc = replay_sealed(j, fn, arg);
	if (rc != 0)
		goto fail;
	j->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (j->fd < 0) {
		rc = -errno;
		goto fail;
	}
	rc = fsync_dir(j->dir); /* the file's creation is durable too */
	if (rc == 0)
		rc = replay_file(j, path, j->fd, &j->records, &j->end, fn, arg);
	if (rc != 0)
		goto fail;
	return j;
fail:
	if (j->fd >= 0)
		close(j->fd);
	free(j->sealed);
	free(j);
	errno = -rc;
	return NULL;
}

static int append(struct journal *j, uint64_t lsn, const void *payload, uint32_t len, int sync)
{
	uint8_t hdr[JOURNAL_HDR_SIZE];
	size_t done = 0, total = JOURNAL_HDR_SIZE + (size_t)len;
	int rc = 0;

	if (j->fd < 0)
		return -EIO;
	if (len > JOURNAL_PAYLOAD_MAX)
		return -EMSGSIZE;
	put_le(hdr, len, 4);
	put_le(hdr + 8, lsn, 8);
	put_le(hdr + 4, frame_crc(hdr, payload, len), 4);
	while (done < total) {
		uint8_t *body = (uint8_t *)(uintptr_t)payload;
		struct iovec iov[2];
		ssize_t r;
		int k = 0;

		if (done < JOURNAL_HDR_SIZE) {
			iov[k++] = (struct iovec){hdr + done, JOURNAL_HDR_SIZE - done};
			iov[k++] = (struct iovec){body, len};
		} else {
			iov[k++] = (struct iovec){body + (done - JOURNAL_HDR_SIZE), total - done};
		}
		r = pwritev(j->fd, iov, k, j->end + (off_t)done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			break;
		}
		done += (size_t)r;
	}
	if (rc != 0) {
		/* Cut the partial record away so that later records stay reachable. */
		if (ftruncate(j->fd, j->end) != 0) {
			close(j->fd);
			j->fd = -1;
			return -EIO;
		}
		return rc;
	}
	if (sync && (rc = journal_sync(j)) != 0)
		return rc;
	j->end += (off_t)total;
	j->records++;
	j->last_lsn = lsn;
	return 0;
}

int journal_append(struct journal *j, uint64_t lsn, const void *payload, uint32_t len)
{
	return append(j, lsn, payload, len, 1);
}

int journal_append_lazy(struct journal *j, uint64_t lsn, const void *payload, uint32_t len)
{
	return append(j, lsn, payload, len, 0);
}

int journal_sync(struct journal *j)
{
	int rc;

	if (j->fd < 0)
		return -EIO;
	if (fdatasync(j->fd) == 0)
		return 0;
	/* Whether the records reached the disk is unknown: nothing more may follow. */
	rc = -errno;
	close(j->fd);
	j->fd = -1;
	return rc;
}

int journal_rotate(struct journal *j)
{
	char sealed[PATH_MAX + 24];
	int fd, rc;

	if (j->fd < 0)
		return -EIO;
	if (j->records == 0) /* nothing to seal: the sealed segments end at last_lsn */
		return 0;
	if (MV_GROW(j->sealed, j->sealed_cap, j->nsealed + 1, 4) != 0)
		return -ENOMEM;
	rc = journal_sync(j); /* lazy records too: a sealed segment is never written again */
	if (rc != 0)
		return rc;
	segment_path(j, j->last_lsn, sealed);
	if (rename(j->path, sealed) != 0)
		return -errno;
	fd = open(j->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		if (rename(sealed, j->path) != 0) { /* appends would go to the sealed file */
			close(j->fd);
			j->fd = -1;
			return -EIO;
		}
		return rc;
	}
	close(j->fd);
	j->fd = fd;
	j->sealed[j->nsealed++] = (struct segment){j->last_lsn, j->records};
	j->end = 0;
	j->records = 0;
	return fsync_dir(j->dir);
}

/*
 * Remove file a piece at a time: rename it out of the segments' names, cut
 * FILE_PIECE octets off its end and commit that (fsync), then the next.
 * Unlinking a 270 MB segment at once took 220 ms here (ext4 frees and
 * discards its extents in one journal commit), and every fsync of the
 * daemon's journal meanwhile waited for it; now each waits for one piece
 * at most.
 */
static int remove_gently(const char *file)
{
	char gone[PATH_MAX + 32];
	struct stat st;
	int fd;

	/* Renamed first: no longer a segment, even if a stop cuts the rest short. */
	snprintf(gone, sizeof(gone), "%s%s", file, REMOVING);
	if (rename(file, gone) != 0)
		return errno == ENOENT ? 0 : -errno;
	fd = open(gone, O_WRONLY | O_CLOEXEC);
	if (fd >= 0 && fstat(fd, &st) == 0)
		for (off_t size = st.st_size; size > 0;) {
			size = size > FILE_PIECE ? size - FILE_PIECE : 0;
			if (ftruncate(fd, size) != 0 || fsync(fd) != 0)
				break; /* the unlink below does the rest */
		}
	if (fd >= 0)
		close(fd);
	(void)unlink(gone); /* else the next journal_open removes it */
	return 0;
}

int journal_drop_sealed(struct journal *j, uint64_t upto)
{
	char file[PATH_MAX + 24];
	size_t kept = 0;
	int rc = 0, r;

	for (size_t i = 0; i < j->nsealed; i++) {
		segment_path(j, j->sealed[i].upto, file);
		if (j->sealed[i].upto > upto) {
			j->sealed[kept++] = j->sealed[i];
		} else if ((r = remove_gently(file)) != 0) {
			rc = rc != 0 ? rc : r;
			j->sealed[kept++] = j->sealed[i]; /* still there: still counted */
		}
	}
	if (kept == j->nsealed)
		return rc;
	j->nsealed = kept;
	return rc != 0 ? rc : fsync_dir(j->dir);
}

int journal_truncate(struct journal *j)
{
	if (j->fd < 0)
		return -EIO;
	if (ftruncate(j->fd, 0) != 0 || fsync(j->fd) != 0)
		return -errno;
	j->end = 0;
	j->records = 0;
	return journal_drop_sealed(j, UINT64_MAX);
}

size_t journal_records(const struct journal *j)
{
	size_t n = j->records;

	for (size_t i = 0; i < j->nsealed; i++)
		n += j->sealed[i].records;
	return n;
}

void journal_close(struct journal *j)
{
	if (j == NULL)
		return;
	if (j->fd >= 0)
		close(j->fd);
	free(j->sealed);
	free(j);
}

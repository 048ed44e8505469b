/* SPDX-License-Identifier: BSD-3-Clause */
#include "journal.h"
#include "journal_pvt.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

struct journal {
	int fd;
	off_t end; /* octets of valid records */
	size_t records;
	char path[PATH_MAX];
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

/* Where a replacement gets its octets: data[0..len) or, data NULL, fd's [off, off + len). */
struct source {
	const void *data;
	int fd;
	off_t off;
	size_t len;
};

static int write_source(int to, const struct source *src)
{
	off_t off = src->off;
	size_t len = src->len;

	if (src->data != NULL)
		return write_all(to, src->data, len);
	while (len > 0) { /* the kernel copies, within the file system */
		ssize_t r = copy_file_range(src->fd, &off, to, NULL, len, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO; /* shorter than it should be: lost */
		len -= (size_t)r;
	}
	return 0;
}

/*
 * Write src to <path>.tmp, make it durable and rename it over path. Returns
 * the new file, open for reading and writing, or -errno with path as it was.
 * The caller makes the rename durable (fsync_dir) once it uses the new file.
 */
static int replace_file(const char *path, const struct source *src)
{
	char tmp[PATH_MAX];
	int fd, rc;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	rc = write_source(fd, src);
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc == 0)
		return fd;
	close(fd);
	unlink(tmp);
	return rc;
}

int journal_write_atomic(const char *dir, const char *name, const void *data, size_t len)
{
	char dst[PATH_MAX];
	int fd;

	if (snprintf(dst, sizeof(dst), "%s/%s", dir, name) >= (int)sizeof(dst))
		return -ENAMETOOLONG;
	fd = replace_file(dst, &(struct source){.data = data, .len = len});
	if (fd < 0)
		return fd;
	if (close(fd) != 0)
		return -errno;
	return fsync_dir(dir);
}

/* Replay the records of buf; returns the octets of valid records. */
static size_t replay(struct journal *j, const uint8_t *buf, size_t n, journal_record_fn fn,
		     void *arg)
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
				j->path,
				r == 0 ? "torn (incomplete)" : "corrupt (bad length or CRC)", off,
				n - off);
			break;
		}
		if (fn != NULL)
			fn(lsn, (const char *)payload, len, arg);
		j->records++;
		off += (size_t)r;
	}
	return off;
}

struct journal *journal_open(const char *path, journal_record_fn fn, void *arg)
{
	struct journal *j = calloc(1, sizeof(*j));
	char dir[PATH_MAX];
	char *data = NULL;
	size_t n = 0, good;
	int rc;

	if (j == NULL)
		return NULL;
	j->fd = -1;
	if (snprintf(j->path, sizeof(j->path), "%s", path) >= (int)sizeof(j->path)) {
		rc = -ENAMETOOLONG;
		goto fail;
	}
	j->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (j->fd < 0) {
		rc = -errno;
		goto fail;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	rc = fsync_dir(dirname(dir)); /* the file's creation is durable too */
	if (rc == 0)
		rc = journal_read_file(path, &data, &n);
	if (rc != 0)
		goto fail;
	good = replay(j, (const uint8_t *)data, n, fn, arg);
	free(data);
	if (good < n && (ftruncate(j->fd, (off_t)good) != 0 || fsync(j->fd) != 0)) {
		rc = -errno;
		goto fail;
	}
	j->end = (off_t)good;
	if (lseek(j->fd, j->end, SEEK_SET) < 0) {
		rc = -errno;
		goto fail;
	}
	return j;
fail:
	if (j->fd >= 0)
		close(j->fd);
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

int journal_truncate(struct journal *j)
{
	if (j->fd < 0)
		return -EIO;
	if (ftruncate(j->fd, 0) != 0 || fsync(j->fd) != 0)
		return -errno;
	j->end = 0;
	j->records = 0;
	return 0;
}

struct journal_mark journal_mark(const struct journal *j)
{
	return (struct journal_mark){j->end, j->records};
}

int journal_drop_to(struct journal *j, struct journal_mark mark)
{
	char dir[PATH_MAX];
	off_t tail = j->end - mark.end;
	int fd;

	if (j->fd < 0)
		return -EIO;
	if (tail < 0 || mark.end < 0 || mark.records > j->records)
		return -EINVAL;
	if (tail == 0)
		return journal_truncate(j);
	fd = replace_file(j->path,
			  &(struct source){.fd = j->fd, .off = mark.end, .len = (size_t)tail});
	if (fd < 0)
		return fd;
	close(j->fd);
	j->fd = fd;
	j->end = tail;
	j->records -= mark.records;
	snprintf(dir, sizeof(dir), "%s", j->path);
	return fsync_dir(dirname(dir)); /* the journal is the new file already */
}

size_t journal_records(const struct journal *j)
{
	return j->records;
}

void journal_close(struct journal *j)
{
	if (j == NULL)
		return;
	if (j->fd >= 0)
		close(j->fd);
	free(j);
}

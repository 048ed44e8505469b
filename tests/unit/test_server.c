/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control daemon's request server over a real unix socket in a private
 * directory, its loop driven here: pipelined requests, requests split across
 * writes, the last line at EOF, empty lines, the line length limit, one
 * request per client per turn, and the handler's shutdown. The octets that
 * server.c scans for newlines and moves are counted (the test is linked with
 * --wrap=memchr,--wrap=memmove), so that a scan or move per line or per read
 * of the whole input fails without any timing.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "api.h"
#include "server.h"
#include "private_tmp.h"

#define TURNS_MAX 20000 /* a bound on any wait, so that a bug fails instead of hanging */
#define PIECE     65536

/* ---- octets scanned and moved by the server (only inside server_poll) ---- */

void *__real_memchr(const void *p, int ch, size_t n);
void *__real_memmove(void *dst, const void *src, size_t n);
void *__wrap_memchr(const void *p, int ch, size_t n);
void *__wrap_memmove(void *dst, const void *src, size_t n);

static int counting;
static size_t scanned, moved;

void *__wrap_memchr(const void *p, int ch, size_t n)
{
	void *r = __real_memchr(p, ch, n);

	if (counting)
		scanned += r != NULL ? (size_t)((const char *)r - (const char *)p) + 1 : n;
	return r;
}

/* Under clang's AddressSanitizer, memmove is __asan_memmove: moved stays 0. */
void *__wrap_memmove(void *dst, const void *src, size_t n)
{
	if (counting)
		moved += n;
	return __real_memmove(dst, src, n);
}

/* ---- the handler: records each line, answers "<index>:<line>" ---- */

#define SEEN_MAX 8192

struct seen {
	char *line[SEEN_MAX];
	size_t len[SEEN_MAX];
	size_t n;
};

static struct seen seen;

static char *handler(void *arg, const char *line, size_t len)
{
	struct seen *s = arg;
	char *resp = malloc(64 + (len <= 64 ? len : 0));

	cr_assert_not_null(resp);
	cr_assert_lt(s->n, SEEN_MAX);
	if (len == 4 && memcmp(line, "quit", 4) == 0) {
		free(resp);
		return NULL;
	}
	s->line[s->n] = malloc(len + 1);
	cr_assert_not_null(s->line[s->n]);
	memcpy(s->line[s->n], line, len);
	s->line[s->n][len] = '\0';
	s->len[s->n] = len;
	/* A long line is answered with its length, not echoed. */
	if (len <= 64)
		sprintf(resp, "%zu:%.*s", s->n, (int)len, line);
	else
		sprintf(resp, "%zu:len=%zu", s->n, len);
	s->n++;
	return resp;
}

/* ---- the server in a private directory, and clients of it ---- */

static char dir[128];
static char path[128];
static struct server *srv;

static void setup(void)
{
	private_tmp_dir(dir, sizeof(dir), "server");
	snprintf(path, sizeof(path), "%s/ctl/control.sock", dir);
	srv = server_open(path, handler, &seen);
	cr_assert_not_null(srv, "server_open: %s", strerror(errno));
}

static void teardown(void)
{
	server_close(srv);
	srv = NULL;
	for (size_t i = 0; i < seen.n; i++)
		free(seen.line[i]);
	memset(&seen, 0, sizeof(seen));
	private_tmp_remove(dir);
}

TestSuite(server, .init = setup, .fini = teardown);

struct conn {
	int fd;
	char *in; /* every response octet received */
	size_t len, cap;
	int eof;
};

static void conn_open(struct conn *k)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};

	memset(k, 0, sizeof(*k));
	strcpy(addr.sun_path, path);
	k->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	cr_assert_geq(k->fd, 0);
	cr_assert_eq(connect(k->fd, (struct sockaddr *)&addr, sizeof(addr)), 0, "connect: %s",
		     strerror(errno));
}

static void conn_close(struct conn *k)
{
	close(k->fd);
	free(k->in);
}

/* Take what the server sent. */
static void conn_drain(struct conn *k)
{
	while (!k->eof) {
		ssize_t r;

		if (k->cap - k->len < 4096) {
			k->cap = k->cap * 2 + 4096;
			k->in = realloc(k->in, k->cap);
			cr_assert_not_null(k->in);
		}
		r = read(k->fd, k->in + k->len, k->cap - k->len - 1);
		if (r > 0) {
			k->len += (size_t)r;
			k->in[k->len] = '\0';
		} else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
			k->eof = 1; /* the server closed (a reset after too long a line too) */
		} else if (errno == EAGAIN) {
			return;
		}
	}
}

/* One turn of the server, counting its octets, then read what it sent k. */
static int turn(struct conn *k)
{
	int rc;

	counting = 1;
	rc = server_poll(srv, 1);
	counting = 0;
	if (k != NULL)
		conn_drain(k);
	return rc;
}

static size_t lines_of(const struct conn *k)
{
	size_t n = 0;

	for (size_t i = 0; i < k->len; i++)
		n += k->in[i] == '\n';
	return n;
}

/*
 * Send len octets in pieces of at most piece, with a turn of the server after
 * each piece (each a read of its own) and while the socket is full. Stops
 * when the server has closed the connection.
 */
static void conn_send(struct conn *k, const char *p, size_t len, size_t piece)
{
	size_t off = 0;

	while (off < len) {
		size_t n = len - off < piece ? len - off : piece;
		ssize_t w = send(k->fd, p + off, n, MSG_NOSIGNAL);

		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return; /* EPIPE, ECONNRESET: the server closed */
		if (w > 0)
			off += (size_t)w;
		cr_assert_eq(turn(k), 0);
	}
}

static void conn_send_str(struct conn *k, const char *s)
{
	conn_send(k, s, strlen(s), strlen(s));
}

/* Turn the server until k received n response lines (or the server closed). */
static void wait_lines(struct conn *k, size_t n)
{
	for (int i = 0; i < TURNS_MAX && lines_of(k) < n && !k->eof; i++)
		cr_assert_eq(turn(k), 0);
	cr_assert_eq(lines_of(k), n, "%zu response lines of %zu", lines_of(k), n);
}

/* Turn the server until it closes k. */
static void wait_eof(struct conn *k)
{
	for (int i = 0; i < TURNS_MAX && !k->eof; i++)
		cr_assert_eq(turn(k), 0);
	cr_assert(k->eof, "the server did not close the connection");
}

static void assert_seen(size_t i, const char *line)
{
	cr_assert_lt(i, seen.n);
	cr_assert_str_eq(seen.line[i], line);
	cr_assert_eq(seen.len[i], strlen(line));
}

/* ---- tests ---- */

Test(server, pipelined_requests_answered_in_order_once)
{
	char *req = malloc(1000 * 32), *want = malloc(1000 * 40);
	size_t rlen = 0, wlen = 0;
	struct conn k;

	cr_assert_not_null(req);
	cr_assert_not_null(want);
	for (int i = 0; i < 1000; i++) {
		rlen += (size_t)sprintf(req + rlen, "request %d\n", i);
		wlen += (size_t)sprintf(want + wlen, "%d:request %d\n", i, i);
	}
	conn_open(&k);
	conn_send(&k, req, rlen, rlen); /* one write */
	wait_lines(&k, 1000);
	cr_assert_eq(seen.n, 1000);
	for (int i = 0; i < 1000; i++) {
		char line[32];

		sprintf(line, "request %d", i);
		assert_seen((size_t)i, line);
	}
	cr_assert_eq(k.len, wlen);
	cr_assert_eq(memcmp(k.in, want, wlen), 0);
	conn_close(&k);
	free(req);
	free(want);
}

/*
 * More pipelined input than the socket holds, read while its lines wait:
 * each request answered once, in order, and each octet scanned once and moved
 * at most once.
 */
Test(server, pipelined_input_beyond_the_read_buffer)
{
	const size_t n = 6000;
	char *req = malloc(n * 100);
	size_t rlen = 0;
	struct conn k;

	cr_assert_not_null(req);
	for (size_t i = 0; i < n; i++) {
		int w = sprintf(req + rlen, "%06zu", i);

		memset(req + rlen + w, 'a' + (int)(i % 26), 99 - (size_t)w);
		rlen += 99;
		req[rlen++] = '\n';
	}
	conn_open(&k);
	scanned = moved = 0;
	conn_send(&k, req, rlen, rlen);
	wait_lines(&k, n);
	cr_assert_eq(seen.n, n);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(seen.len[i], 99);
		cr_assert_eq(memcmp(seen.line[i], req + i * 100, 99), 0, "request %zu", i);
	}
	/* A newline is scanned again by each turn that waits for its response. */
	cr_assert_leq(scanned, rlen + 4 * n, "%zu octets scanned for %zu", scanned, rlen);
	cr_assert_leq(moved, rlen, "%zu octets moved for %zu", moved, rlen);
	conn_close(&k);
	free(req);
}

/*
 * Requests in pieces that end inside a line, each piece's whole lines
 * answered before the next is sent: the buffer fills with handled lines and
 * a part of one, which is moved to the front when a read needs the room.
 */
Test(server, input_moved_to_the_front_for_room)
{
	const size_t n = 6000, piece = 4133;
	char *req = malloc(n * 100);
	size_t rlen = 0, sent = 0;
	struct conn k;

	cr_assert_not_null(req);
	for (size_t i = 0; i < n; i++) {
		int w = sprintf(req + rlen, "%06zu", i);

		memset(req + rlen + w, 'a' + (int)(i % 26), 98 - (size_t)w);
		rlen += 98;
		req[rlen++] = i % 2 ? '\r' : 'z';
		req[rlen++] = '\n';
	}
	conn_open(&k);
	moved = 0;
	while (sent < rlen) {
		size_t len = rlen - sent < piece ? rlen - sent : piece;

		conn_send(&k, req + sent, len, len);
		sent += len;
		wait_lines(&k, sent / 100);
	}
	cr_assert_eq(seen.n, n);
	for (size_t i = 0; i < n; i++) {
		size_t len = i % 2 ? 98 : 99;

		cr_assert_eq(seen.len[i], len, "request %zu", i);
		cr_assert_eq(memcmp(seen.line[i], req + i * 100, len), 0, "request %zu", i);
	}
	cr_assert_leq(moved, rlen, "%zu octets moved for %zu", moved, rlen);
	conn_close(&k);
	free(req);
}

Test(server, one_request_per_client_per_turn)
{
	struct conn k;
	size_t before;

	conn_open(&k);
	conn_send_str(&k, "a\nb\nc\n");
	for (int i = 0; i < TURNS_MAX && seen.n == 0; i++)
		cr_assert_eq(turn(&k), 0);
	cr_assert_eq(seen.n, 1);
	for (int i = 0; i < TURNS_MAX && seen.n < 3; i++) {
		before = seen.n;
		cr_assert_eq(turn(&k), 0);
		cr_assert_leq(seen.n, before + 1);
	}
	wait_lines(&k, 3);
	cr_assert_str_eq(k.in, "0:a\n1:b\n2:c\n");
	conn_close(&k);
}

Test(server, request_split_into_single_octets)
{
	const char *req = "{\"a\":1}\r\n{\"b\":2}\r\n";
	struct conn k;

	conn_open(&k);
	conn_send(&k, req, strlen(req), 1); /* a turn after each octet: CR and LF apart */
	wait_lines(&k, 2);
	cr_assert_eq(seen.n, 2);
	assert_seen(0, "{\"a\":1}");
	assert_seen(1, "{\"b\":2}");
	cr_assert_str_eq(k.in, "0:{\"a\":1}\n1:{\"b\":2}\n");
	conn_close(&k);
}

Test(server, requests_of_two_clients_apart)
{
	struct conn a, b;

	conn_open(&a);
	conn_open(&b);
	conn_send_str(&a, "first ha");
	conn_send_str(&b, "second\r");
	conn_send_str(&a, "lf\r\nthird");
	wait_lines(&a, 1);
	conn_send_str(&b, "\n");
	wait_lines(&b, 1);
	conn_send_str(&a, "\n");
	wait_lines(&a, 2);
	cr_assert_eq(seen.n, 3);
	assert_seen(0, "first half");
	assert_seen(1, "second");
	assert_seen(2, "third");
	conn_close(&a);
	conn_close(&b);
}

Test(server, last_line_without_newline_counts_at_eof)
{
	struct conn k;

	conn_open(&k);
	conn_send_str(&k, "a\nb");
	cr_assert_eq(shutdown(k.fd, SHUT_WR), 0);
	wait_eof(&k);
	cr_assert_str_eq(k.in, "0:a\n1:b\n");
	cr_assert_eq(seen.n, 2);
	conn_close(&k);
}

Test(server, empty_lines_ignored)
{
	struct conn k;

	conn_open(&k);
	conn_send_str(&k, "\n\r\n\nx\r\n\n\r\n");
	conn_send_str(&k, "\ny\n\r");
	cr_assert_eq(shutdown(k.fd, SHUT_WR), 0);
	wait_eof(&k);
	cr_assert_str_eq(k.in, "0:x\n1:y\n");
	cr_assert_eq(seen.n, 2);
	conn_close(&k);
}

/* A line of MV_CONTROL_LINE_MAX x's, and what follows it in its last piece. */
static char *long_line(size_t len, const char *tail)
{
	char *p = malloc(len + strlen(tail) + 1);

	cr_assert_not_null(p);
	memset(p, 'x', len);
	strcpy(p + len, tail);
	return p;
}

/* The longest line, in pieces: handled, and each octet scanned once. */
Test(server, longest_line_in_pieces)
{
	const size_t max = MV_CONTROL_LINE_MAX;
	char *req = long_line(max, "\nafter\n"), want[64];
	struct conn k;

	conn_open(&k);
	scanned = 0;
	conn_send(&k, req, strlen(req), PIECE);
	wait_lines(&k, 2);
	cr_assert_eq(seen.n, 2);
	cr_assert_eq(seen.len[0], max);
	cr_assert_eq(strspn(seen.line[0], "x"), max);
	assert_seen(1, "after");
	snprintf(want, sizeof(want), "0:len=%zu\n1:after\n", max);
	cr_assert_str_eq(k.in, want);
	cr_assert_leq(scanned, max + 64, "%zu octets scanned for %zu", scanned, max);
	conn_close(&k);
	free(req);
}

/* The longest line without its newline, at EOF. */
Test(server, longest_line_at_eof)
{
	const size_t max = MV_CONTROL_LINE_MAX;
	char *req = long_line(max, "");
	struct conn k;

	conn_open(&k);
	conn_send(&k, req, max, PIECE);
	cr_assert_eq(shutdown(k.fd, SHUT_WR), 0);
	wait_eof(&k);
	cr_assert_eq(seen.n, 1);
	cr_assert_eq(seen.len[0], max);
	conn_close(&k);
	free(req);
}

static void assert_too_long(const char *tail)
{
	const size_t max = MV_CONTROL_LINE_MAX;
	char *req = long_line(max + 1, tail);
	const char *err;
	struct conn k;

	conn_open(&k);
	conn_send_str(&k, "ok\n");
	conn_send(&k, req, strlen(req), PIECE);
	wait_eof(&k);
	cr_assert_eq(seen.n, 1);
	assert_seen(0, "ok");
	cr_assert_eq(lines_of(&k), 2, "%s", k.in);
	err = k.in + strlen("0:ok\n");
	cr_assert_eq(strncmp(k.in, "0:ok\n", 5), 0, "%s", k.in);
	cr_assert_not_null(strstr(err, "{\"Error\":{\"Code\":\"InvalidInput\""), "%s", err);
	conn_close(&k);
	free(req);
}

Test(server, line_over_the_limit_refused_and_closed)
{
	assert_too_long("");
}

Test(server, line_over_the_limit_with_newline_refused_and_closed)
{
	assert_too_long("\nnever\n");
}

Test(server, handler_null_shuts_down)
{
	struct conn k;
	int rc = 0;

	conn_open(&k);
	cr_assert_eq(send(k.fd, "a\nquit\nb\n", 9, MSG_NOSIGNAL), 9);
	for (int i = 0; i < TURNS_MAX && rc == 0; i++)
		rc = turn(&k);
	cr_assert_eq(rc, -ESHUTDOWN);
	cr_assert_eq(seen.n, 1);
	assert_seen(0, "a");
	cr_assert_str_eq(k.in, "0:a\n");
	conn_close(&k);
}

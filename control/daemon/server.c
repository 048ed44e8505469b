/* SPDX-License-Identifier: BSD-3-Clause */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api.h" /* control/api.h: MV_CONTROL_LINE_MAX */

#define SERVER_CLIENTS_MAX 256
#define SERVER_READ_CHUNK  65536

/*
 * A client's input: in[in_off, in_len) is received and not yet handled, and
 * has no newline before in_scan, so that each octet is scanned once however
 * many reads a line takes. Handling a line only moves in_off; the unhandled
 * rest is moved to the front only when a read needs the room.
 */
struct client {
	int fd;
	char *in;
	size_t in_off, in_scan, in_len, in_cap;
	char *out; /* response octets not yet sent */
	size_t out_len, out_off;
	int closing; /* close once out is sent (line too long) */
	int eof;     /* the client sent everything it will: answer, then close */
};

struct server {
	int fd;
	struct sockaddr_un addr;
	server_handler_fn fn;
	void *arg;
	struct client *c[SERVER_CLIENTS_MAX];
	size_t n;
	struct pollfd pfd[SERVER_CLIENTS_MAX + 2]; /* listener, clients, watched fd */
	int watch_fd;                              /* server_watch; -1: none */
	void (*watch_fn)(void *arg);
	void *watch_arg;
};

static int mkdir_p(const char *dir)
{
	char path[PATH_MAX];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(path))
		return len == 0 ? 0 : -ENAMETOOLONG;
	memcpy(path, dir, len + 1);
	for (char *p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Remove a socket left by a dead server; -EADDRINUSE if one answers. */
static int remove_stale(const struct sockaddr_un *addr)
{
	struct stat st;
	int fd, rc;

	if (lstat(addr->sun_path, &st) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)addr, sizeof(*addr));
	close(fd);
	if (rc == 0)
		return -EADDRINUSE;
	return unlink(addr->sun_path) == 0 ? 0 : -errno;
}

struct server *server_open(const char *path, server_handler_fn fn, void *arg)
{
	struct server *s = calloc(1, sizeof(*s));
	char dir[PATH_MAX], *slash;
	int rc = -ENOMEM;

	if (s == NULL)
		goto fail;
	s->fd = -1;
	s->watch_fd = -1;
	s->fn = fn;
	s->arg = arg;
	s->addr.sun_family = AF_UNIX;
	rc = -ENAMETOOLONG;
	if (strlen(path) >= sizeof(s->addr.sun_path) || strlen(path) >= sizeof(dir))
		goto fail;
	strcpy(s->addr.sun_path, path);
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash != NULL && slash != dir) {
		*slash = '\0';
		rc = mkdir_p(dir);
		if (rc != 0)
			goto fail;
	}
	rc = remove_stale(&s->addr);
	if (rc != 0)
		goto fail;
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&s->addr, sizeof(s->addr)) != 0 ||
	    chmod(path, 0660) != 0 || listen(s->fd, 64) != 0) {
		rc = -errno;
		goto fail;
	}
	return s;
fail:
	if (s != NULL && s->fd >= 0) {
		close(s->fd);
		unlink(path);
	}
	free(s);
	errno = -rc;
	return NULL;
}

static void client_free(struct client *c)
{
	close(c->fd);
	free(c->in);
	free(c->out);
	free(c);
}

void server_close(struct server *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++)
		client_free(s->c[i]);
	close(s->fd);
	unlink(s->addr.sun_path);
	free(s);
}

static void server_accept(struct server *s)
{
	for (;;) {
		int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct client *c;

		if (fd < 0)
			return;
		c = s->n < SERVER_CLIENTS_MAX ? calloc(1, sizeof(*c)) : NULL;
		if (c == NULL) {
			close(fd); /* full: the client sees the connection closed */
			continue;
		}
		c->fd = fd;
		s->c[s->n++] = c;
	}
}

/* Queue a response line (takes resp). */
static void client_reply(struct client *c, char *resp)
{
	size_t len = strlen(resp);

	resp[len] = '\n'; /* the terminator becomes the newline */
	free(c->out);
	c->out = resp;
	c->out_len = len + 1;
	c->out_off = 0;
}

/* Move the unhandled input to the front of the buffer. */
static void client_compact(struct client *c)
{
	memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
	c->in_len -= c->in_off;
	c->in_scan -= c->in_off;
	c->in_off = 0;
}

/*
 * Make room for a read of SERVER_READ_CHUNK octets; -1 when out of memory.
 * The unhandled rest is moved to the front when the handled octets before it
 * are at least as many (so each octet moved is paid for by one handled), or
 * when growing would take the buffer past what the longest line needs (the
 * bound it had when every line was moved at once).
 */
static int client_room(struct client *c)
{
	size_t cap;
	char *in;

	if (c->in_cap - c->in_len >= SERVER_READ_CHUNK)
		return 0;
	if (c->in_off > 0 &&
	    (c->in_off >= c->in_len - c->in_off || c->in_len > MV_CONTROL_LINE_MAX)) {
		client_compact(c);
		if (c->in_cap - c->in_len >= SERVER_READ_CHUNK)
			return 0;
	}
	cap = c->in_len + 2 * SERVER_READ_CHUNK;
	in = realloc(c->in, cap);
	if (in == NULL)
		return -1;
	c->in = in;
	c->in_cap = cap;
	return 0;
}

/* Read what is there; sets eof at the end of the stream or on an error. */
static void client_read(struct client *c)
{
	while (c->in_len - c->in_off <= MV_CONTROL_LINE_MAX) {
		ssize_t r;

		if (client_room(c) != 0) {
			c->eof = 1;
			return;
		}
		r = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
		if (r > 0)
			c->in_len += (size_t)r;
		else if (r < 0 && errno == EINTR)
			continue;
		else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		else
			c->eof = 1;
		if (r <= 0)
			return;
	}
}

/* Send what the socket takes; returns -1 when the connection is to be closed. */
static int client_write(struct client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		c->out_off += (size_t)w;
	}
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	return c->closing ? -1 : 0;
}

/* The newline that ends the next line, or NULL; scans only what is new. */
static char *client_newline(struct client *c)
{
	char *nl;

	if (c->in_scan == c->in_len)
		return NULL;
	nl = memchr(c->in + c->in_scan, '\n', c->in_len - c->in_scan);
	/* A newline found is found again at once while its line waits. */
	c->in_scan = nl != NULL ? (size_t)(nl - c->in) : c->in_len;
	return nl;
}

static int client_has_line(struct client *c)
{
	return c->in_len > c->in_off && (c->eof || client_newline(c) != NULL);
}

/* Answer a line too long with InvalidInput, drop the input and close. */
static void client_refuse(struct client *c)
{
	char *resp = malloc(160);

	if (resp != NULL)
		snprintf(resp, 160,
			 "{\"Error\":{\"Code\":\"InvalidInput\",\"Message\":\"Request "
			 "line longer than %u octets\"}}",
			 MV_CONTROL_LINE_MAX);
	c->closing = 1;
	c->in_off = c->in_scan = c->in_len = 0;
	if (resp != NULL)
		client_reply(c, resp);
}

/* Handle the client's next complete line, if any; -ESHUTDOWN if the handler says so. */
static int client_handle(struct server *s, struct client *c)
{
	char *line, *nl, *resp;
	size_t len, used, rest = c->in_len - c->in_off;

	if (c->out != NULL || c->closing || rest == 0)
		return 0;
	line = c->in + c->in_off;
	nl = client_newline(c);
	if ((nl == NULL && rest > MV_CONTROL_LINE_MAX) ||
	    (nl != NULL && (size_t)(nl - line) > MV_CONTROL_LINE_MAX)) {
		client_refuse(c);
		return 0;
	}
	if (nl == NULL && !c->eof)
		return 0;
	/* At the end of the stream, a last line without its newline counts too. */
	len = nl != NULL ? (size_t)(nl - line) : rest;
	used = nl != NULL ? len + 1 : len;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	resp = len > 0 ? s->fn(s->arg, line, len) : NULL;
	if (len > 0 && resp == NULL)
		return -ESHUTDOWN;
	c->in_off += used;
	c->in_scan = c->in_off;
	if (c->in_off == c->in_len) /* all handled: the next read starts at the front */
		c->in_off = c->in_scan = c->in_len = 0;
	if (resp != NULL) {
		char *grown = realloc(resp, strlen(resp) + 2); /* room for the newline */

		if (grown == NULL) {
			free(resp);
			return 0;
		}
		client_reply(c, grown);
	}
	return 0;
}

void server_watch(struct server *s, int fd, void (*fn)(void *arg), void *arg)
{
	s->watch_fd = fn != NULL ? fd : -1;
	s->watch_fn = fn;
	s->watch_arg = arg;
}

int server_poll(struct server *s, int timeout_ms)
{
	size_t i = 0;
	int rc = 0, watched;

	s->pfd[0] = (struct pollfd){.fd = s->fd, .events = POLLIN};
	for (size_t k = 0; k < s->n; k++) {
		struct client *c = s->c[k];

		s->pfd[k + 1] = (struct pollfd){.fd = c->fd,
						.events = c->out != NULL ? POLLOUT
							  : c->eof       ? 0
									 : POLLIN};
		if (c->out == NULL && client_has_line(c))
			timeout_ms = 0; /* pipelined requests are waiting */
	}
	/* The watched fd goes last: -1 (not watching) is ignored by poll. */
	s->pfd[s->n + 1] = (struct pollfd){.fd = s->watch_fd, .events = POLLIN};
	if (poll(s->pfd, s->n + 2, timeout_ms) < 0)
		return errno == EINTR ? -EINTR : -errno;
	if (s->pfd[0].revents & (POLLERR | POLLNVAL))
		return -EIO;
	watched = s->watch_fd >= 0 && (s->pfd[s->n + 1].revents & POLLIN);
	while (i < s->n) {
		struct client *c = s->c[i];
		int close_it = 0;

		if (!c->eof && (s->pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
			client_read(c);
		if (rc == 0)
			rc = client_handle(s, c);
		if (c->out != NULL)
			close_it = client_write(c) != 0;
		else if (c->eof && !client_has_line(c))
			close_it = 1;
		if (close_it) {
			client_free(c);
			s->pfd[i + 1] = s->pfd[s->n];
			s->c[i] = s->c[--s->n];
			continue;
		}
		i++;
	}
	if (s->pfd[0].revents & POLLIN)
		server_accept(s);
	if (watched && rc == 0)
		s->watch_fn(s->watch_arg);
	return rc;
}

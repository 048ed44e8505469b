/* SPDX-License-Identifier: BSD-3-Clause */
/* The control socket round trip: connect, write one line, read one line. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "client.h"

#define CLIENT_CHUNK 65536

/* Milliseconds on the monotonic clock. */
static long long client_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is ready for `events` or the deadline passes. Returns 0, -ETIMEDOUT or -errno. */
static int client_wait(int fd, short events, long long deadline)
{
	for (;;) {
		long long left = deadline - client_now_ms();
		struct pollfd pfd = {.fd = fd, .events = events};
		int n;

		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

/* Open a stream socket connected to path; connect() itself is bounded by timeout_ms. */
static int client_connect(const char *path, int timeout_ms)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A unix stream connect() waits for room in the listen backlog up to SO_SNDTIMEO. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	do {
		rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	} while (rc < 0 && errno == EINTR);
	if (rc < 0) {
		rc = errno == EAGAIN || errno == EINPROGRESS ? -ETIMEDOUT : -errno;
		close(fd);
		return rc;
	}
	return fd;
}

/* Write all of buf, bounded by the deadline. Returns 0 or -errno. */
static int client_send_all(int fd, const char *buf, size_t len, long long deadline)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		n = client_wait(fd, POLLOUT, deadline);
		if (n < 0)
			return (int)n;
	}
	return 0;
}

/*
 * Read up to the first newline, bounded by the deadline and MV_CONTROL_LINE_MAX.
 * A last line closed by EOF instead of a newline is accepted.
 */
static int client_recv_line(int fd, long long deadline, char **line, size_t *line_len)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int rc;

	for (;;) {
		ssize_t n;
		char *nl;

		if (cap - len < CLIENT_CHUNK + 1) {
			size_t ncap = cap ? cap * 2 : CLIENT_CHUNK * 2;
			char *nbuf = realloc(buf, ncap);

			if (nbuf == NULL) {
				rc = -ENOMEM;
				goto fail;
			}
			buf = nbuf;
			cap = ncap;
		}
		rc = client_wait(fd, POLLIN, deadline);
		if (rc < 0)
			goto fail;
		n = recv(fd, buf + len, CLIENT_CHUNK, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			rc = -errno;
			goto fail;
		}
		if (n == 0) {
			if (len == 0) {
				rc = -ECONNRESET;
				goto fail;
			}
			break;
		}
		nl = memchr(buf + len, '\n', (size_t)n);
		len += (size_t)n;
		if (nl != NULL) {
			len = (size_t)(nl - buf);
			break;
		}
		if (len > MV_CONTROL_LINE_MAX) {
			rc = -EMSGSIZE;
			goto fail;
		}
	}
	if (len > MV_CONTROL_LINE_MAX) {
		rc = -EMSGSIZE;
		goto fail;
	}
	buf[len] = '\0';
	*line = buf;
	*line_len = len;
	return 0;
fail:
	free(buf);
	return rc;
}

int cli_client_call(const char *path, const char *req, size_t req_len, int timeout_ms, char **resp,
		    size_t *resp_len, enum cli_client_stage *stage)
{
	long long deadline = client_now_ms() + timeout_ms;
	int fd, rc;

	*stage = CLI_CLIENT_CONNECT;
	fd = client_connect(path, timeout_ms);
	if (fd < 0)
		return fd;
	*stage = CLI_CLIENT_SEND;
	rc = client_send_all(fd, req, req_len, deadline);
	if (rc == 0)
		rc = client_send_all(fd, "\n", 1, deadline);
	/* A daemon that refuses a request may answer and close before reading all of it. */
	if (rc == 0 || rc == -EPIPE || rc == -ECONNRESET) {
		int rrc = client_recv_line(fd, deadline, resp, resp_len);

		if (rc == 0 || rrc == 0) {
			*stage = CLI_CLIENT_RECEIVE;
			rc = rrc;
		}
	}
	close(fd);
	return rc;
}

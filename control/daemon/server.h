/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The unix stream socket of mvdns-control: newline-delimited requests from
 * any number of clients, handled one at a time by a single-threaded poll()
 * loop, which is what serialises writers. A line longer than
 * MV_CONTROL_LINE_MAX is answered with InvalidInput and the connection closed.
 * Responses are buffered per client and written as the client reads them.
 */
#ifndef CONTROL_SERVER_H
#define CONTROL_SERVER_H

#include <stddef.h>

/*
 * Handle one request line (len octets, no newline, not terminated).
 * Returns the response (malloc'd, without newline; the server frees it), or
 * NULL to make server_poll() return -ESHUTDOWN.
 */
typedef char *(*server_handler_fn)(void *arg, const char *line, size_t len);

struct server; /* opaque */

/*
 * Listen on path: create its directory (mkdir -p, mode 0755), remove a stale
 * socket (refusing with EADDRINUSE when a live server answers on it), bind,
 * set mode 0660. Returns the server, or NULL with errno set.
 */
struct server *server_open(const char *path, server_handler_fn fn, void *arg);

/*
 * One turn of the loop: wait up to timeout_ms for activity, accept, read,
 * handle at most one request per client, write.
 * Returns 0; -EINTR when a signal interrupted the wait; -ESHUTDOWN when the
 * handler returned NULL; another -errno on a failure of the listening socket.
 */
int server_poll(struct server *s, int timeout_ms);

/*
 * Also wait for `fd` to become readable (POLLIN) in server_poll, and then
 * call fn(arg) once per turn, after the requests of that turn. One fd at a
 * time (-1 stops watching); the server does not own it. For the health-check
 * engine's event fd: its changes are handled by the same thread as requests.
 */
void server_watch(struct server *s, int fd, void (*fn)(void *arg), void *arg);

/* Close every connection and the socket, and unlink it. Accepts NULL. */
void server_close(struct server *s);

#endif /* CONTROL_SERVER_H */

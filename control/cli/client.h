/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mvdnsctl's side of the control socket (control/api.h): one request line
 * out, one response line back, on a fresh unix stream connection.
 * Single-threaded; keeps no state between calls.
 */
#ifndef CLI_CLIENT_H
#define CLI_CLIENT_H

#include <stddef.h>

/* Which step of a round trip failed, for the operator's message. */
enum cli_client_stage {
	CLI_CLIENT_CONNECT, /* socket() or connect(): the daemon is not reachable */
	CLI_CLIENT_SEND,    /* writing the request */
	CLI_CLIENT_RECEIVE, /* reading the response */
};

/*
 * Connect to the unix socket at `path`, send `req` (req_len bytes, no newline:
 * one is appended) and read one response line of at most MV_CONTROL_LINE_MAX
 * bytes. The whole round trip is bounded by timeout_ms.
 * Out: *resp (malloc'd, NUL-terminated, without the newline; free() it) and
 * *resp_len on success; *stage on failure.
 * Returns 0; -ENAMETOOLONG (path longer than sun_path); -errno from socket(),
 * connect(), send() or recv(); -ETIMEDOUT; -EMSGSIZE (response line too long);
 * -ECONNRESET (the daemon closed the connection without answering); -ENOMEM.
 */
int cli_client_call(const char *path, const char *req, size_t req_len, int timeout_ms, char **resp,
		    size_t *resp_len, enum cli_client_stage *stage);

#endif /* CLI_CLIENT_H */

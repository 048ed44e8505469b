/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Whether the process at the other end of a channel still runs: both sides
 * (the control process for dp_pid, a starting dataplane for a stale
 * segment's owner) ask the same question.
 */
#ifndef MVDNS_PID_H
#define MVDNS_PID_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Whether pid exists and is not a zombie waiting to be reaped (0: no process). */
static inline bool mv_pid_runs(uint64_t pid)
{
	char path[48], stat[128];
	const char *state;
	ssize_t n;
	int fd;

	if (pid == 0 || pid > INT32_MAX || (kill((pid_t)pid, 0) != 0 && errno != EPERM))
		return false;
	snprintf(path, sizeof(path), "/proc/%lu/stat", (unsigned long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true; /* no /proc: trust kill() */
	n = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	stat[n > 0 ? n : 0] = '\0';
	state = strrchr(stat, ')'); /* "pid (comm) S ..." */
	return state == NULL || state[1] == '\0' || (state[2] != 'Z' && state[2] != 'X');
}

#endif /* MVDNS_PID_H */

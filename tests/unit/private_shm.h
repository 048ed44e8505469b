/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A real dataplane channel seen by mvdns-control's peers through a private
 * directory of /dev/shm (a hard link to the segment), so that no other
 * dataplane on the machine is seen. Tests name private_shm_remove as their
 * .fini: criterion runs it also when an assertion fails half way, and then
 * neither the 16 MiB segment nor the directory outlives the test.
 */
#ifndef TEST_PRIVATE_SHM_H
#define TEST_PRIVATE_SHM_H

#include <stdio.h>
#include <unistd.h>

#include "channel.h"

static char private_shm_dir[96], private_shm_seg[192], private_shm_link[256];

/* Paths for the channel `name`, its private directory /dev/shm/<prefix>-<pid>. */
static void private_shm_paths(const char *prefix, const char *name)
{
	snprintf(private_shm_dir, sizeof(private_shm_dir), "/dev/shm/%s-%d", prefix, getpid());
	snprintf(private_shm_seg, sizeof(private_shm_seg), "/dev/shm/%s%s", MV_CHAN_SHM_PREFIX,
		 name);
	snprintf(private_shm_link, sizeof(private_shm_link), "%s/%s%s", private_shm_dir,
		 MV_CHAN_SHM_PREFIX, name);
}

/* Remove whatever of the three exists (the channel may have unlinked its segment). */
static void private_shm_remove(void)
{
	unlink(private_shm_link);
	unlink(private_shm_seg);
	rmdir(private_shm_dir);
}

#endif /* TEST_PRIVATE_SHM_H */

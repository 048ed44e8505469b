/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A real dataplane channel seen by mvdns-control's peers through a private
 * directory of /dev/shm (a hard link to the segment), so that no other
 * dataplane on the machine is seen. Tests name private_shm_remove as their
 * .fini: criterion runs it also when an assertion fails half way, and then
 * neither the 16 MiB segment nor the directory outlives the test.
 *
 * Both names end in the suite's private TMPDIR's own name (private_tmp.sh
 * makes it, /tmp/mvdns-unit.XXXXXX): when the suite crashes and no .fini
 * runs, private_tmp.sh removes them by that name.
 */
#ifndef TEST_PRIVATE_SHM_H
#define TEST_PRIVATE_SHM_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"

static char private_shm_name[128], private_shm_dir[192], private_shm_seg[192],
	private_shm_link[320];

/*
 * The channel `tag` of this suite: its name (private_shm_name, to give to
 * mv_channel_create), its segment, and the private directory that links it.
 */
static void private_shm_paths(const char *tag)
{
	const char *tmp = getenv("TMPDIR"), *run = tmp != NULL ? strrchr(tmp, '/') : NULL;

	/* By hand, without private_tmp.sh: the process id tells runs apart. */
	if (run == NULL || strncmp(run + 1, "mvdns-unit.", 11) != 0)
		snprintf(private_shm_name, sizeof(private_shm_name), "%s-%d", tag, getpid());
	else
		snprintf(private_shm_name, sizeof(private_shm_name), "%s-%s", tag, run + 1);
	snprintf(private_shm_dir, sizeof(private_shm_dir), "/dev/shm/dir-%s", private_shm_name);
	snprintf(private_shm_seg, sizeof(private_shm_seg), "/dev/shm/%s%s", MV_CHAN_SHM_PREFIX,
		 private_shm_name);
	snprintf(private_shm_link, sizeof(private_shm_link), "%s/%s%s", private_shm_dir,
		 MV_CHAN_SHM_PREFIX, private_shm_name);
}

/* Remove whatever of the three exists (the channel may have unlinked its segment). */
static void private_shm_remove(void)
{
	unlink(private_shm_link);
	unlink(private_shm_seg);
	rmdir(private_shm_dir);
}

#endif /* TEST_PRIVATE_SHM_H */

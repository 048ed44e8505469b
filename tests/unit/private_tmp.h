/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A test's own directory under $TMPDIR (default /tmp). meson runs every unit
 * suite through tests/unit/private_tmp.sh, which gives it a TMPDIR of its own
 * and removes it afterwards: a suite's .fini cleans up after a failed
 * assertion, but not after a crash (an ASan abort, a segfault in a mutation
 * run), which used to leave its directory in /tmp.
 */
#ifndef TEST_PRIVATE_TMP_H
#define TEST_PRIVATE_TMP_H

#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

/* dir (size octets): a new directory $TMPDIR/mvdns-test-<name>-XXXXXX. */
static inline void private_tmp_dir(char *dir, size_t size, const char *name)
{
	const char *tmp = getenv("TMPDIR");
	int n = snprintf(dir, size, "%s/mvdns-test-%s-XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp",
			 name);

	cr_assert(n > 0 && (size_t)n < size, "TMPDIR is too long for the test's paths");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp %s", dir);
}

static inline int private_tmp_unlink(const char *path, const struct stat *st, int flag,
				     struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove dir and everything below it (the suite's .fini). */
static inline void private_tmp_remove(const char *dir)
{
	cr_assert_eq(nftw(dir, private_tmp_unlink, 16, FTW_DEPTH | FTW_PHYS), 0, "removing %s",
		     dir);
}

#endif /* TEST_PRIVATE_TMP_H */

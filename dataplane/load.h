/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --load: change batch files applied to an empty desired state, then
 * compiled into the record table. A bad file is rejected before anything
 * reaches the table, with a message naming the file and the offending
 * change; the dataplane then refuses to start rather than serve part of it.
 */
#ifndef MV_LOAD_H
#define MV_LOAD_H

#include <stddef.h>

#include "table.h"

/*
 * Apply the change batches in files[0..n) in order and publish the result
 * into t (writer thread).
 * Out: err (a message for the operator, on failure).
 * Returns the number of record sets loaded, or -errno.
 */
long mv_load_files(struct mv_table *t, char *const *files, size_t n, char *err, size_t errlen);

/* The same for change batch documents already in memory (docs[i] NUL-terminated). */
long mv_load_docs(struct mv_table *t, const char *const *docs, size_t n, char *err, size_t errlen);

#endif /* MV_LOAD_H */

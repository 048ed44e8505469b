#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Run one unit-test suite with a TMPDIR of its own (tests/unit/private_tmp.h),
# removed afterwards: also when the suite crashed and its .fini never ran.
# So are the /dev/shm segments and directories whose names end in that
# directory's name (tests/unit/private_shm.h names them so).
dir=$(mktemp -d /tmp/mvdns-unit.XXXXXX) || exit 1
run=${dir##*/}
trap 'rm -rf "$dir" /dev/shm/*-"$run" /dev/shm/dir-*-"$run"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
TMPDIR=$dir "$@"

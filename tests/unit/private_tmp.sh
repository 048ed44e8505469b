#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Run one unit-test suite with a TMPDIR of its own (tests/unit/private_tmp.h),
# removed afterwards: also when the suite crashed and its .fini never ran.
dir=$(mktemp -d /tmp/mvdns-unit.XXXXXX) || exit 1
trap 'rm -rf "$dir"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
TMPDIR=$dir "$@"

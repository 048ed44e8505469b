#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Run one sanitized unit test and fail it when LeakSanitizer reports a leak.
# Criterion records a test as passed before its worker process exits, and
# LeakSanitizer only reports at that exit, so its exit status is lost: without
# this wrapper a leak is printed and the suite still passes.
log=$(mktemp) || exit 1
trap 'rm -f "$log"' EXIT
"$@" 2> >(tee "$log" >&2)
status=$?
wait # for tee
if grep -q 'ERROR: LeakSanitizer' "$log"; then
	echo "fail_on_leak: LeakSanitizer reported a leak (above)" >&2
	exit 1
fi
exit "$status"

# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# tests/lab/lib.sh - helpers for the lab integration tests (sourced).
#
# A test script runs against one driver, given as $1 or $LAB_DRIVER:
#
#   . "$(dirname "$0")/lib.sh"
#   t_begin "$@"                 # lab up, traps installed, $T_TMP made
#   t_start_dataplane            # tests/lab/zones/lab.json (or the files given)
#   (or: t_start_control; t_start_dataplane_fed   # mvdns-control feeds it)
#   t_query "www A" www.example.com A <<'EOF'
#   status NOERROR
#   ...
#   EOF
#   t_end                        # stops the dataplane and the control
#                                # (checks clean exits)
#
# Output, read by run.sh: one line per check, "ok - DESC" or "not ok - DESC",
# diagnostics on lines starting with "# ". t_end exits 1 if any check failed.

set -euo pipefail

T_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T_ROOT=$(cd "$T_DIR/../.." && pwd)
T_ZONE=$T_DIR/zones/lab.json
# Debian's python, with dnspython (a python3 earlier on PATH may lack it).
# shellcheck disable=SC2034 # used by the test scripts
T_PY=/usr/bin/python3
T_FAILED=0
T_PASSED=0
T_DRIVER=
# A scratch directory of the test's own (t_begin), removed when it exits.
T_TMP=

# shellcheck source=SCRIPTDIR/../../lab/lab.sh
. "$T_ROOT/lab/lab.sh"

t_diag() {
	local line
	while IFS= read -r line; do
		printf '# %s\n' "$line"
	done <<<"$*"
}

t__indent() {
	local line
	while IFS= read -r line; do
		printf '    %s\n' "$line"
	done <<<"$1"
}

t_ok() {
	T_PASSED=$((T_PASSED + 1))
	printf 'ok - %s\n' "$1"
}

t_not_ok() {
	T_FAILED=$((T_FAILED + 1))
	printf 'not ok - %s\n' "$1"
}

# t_check DESC CMD... - one check: CMD succeeds. Its output becomes the
# diagnostic when it does not.
t_check() {
	local desc=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if ((rc == 0)); then
		t_ok "$desc"
	else
		t_not_ok "$desc"
		[[ -n $out ]] && t_diag "$out"
		t_diag "(exit status $rc)"
	fi
	return 0
}

# t_expect_eq DESC EXPECTED GOT
t_expect_eq() {
	if [[ $2 == "$3" ]]; then
		t_ok "$1"
	else
		t_not_ok "$1"
		t_diag "expected: $2"
		t_diag "got:      $3"
	fi
}

# t_expect_ge DESC MIN GOT
t_expect_ge() {
	if [[ $3 =~ ^-?[0-9]+$ ]] && (($3 >= $2)); then
		t_ok "$1"
	else
		t_not_ok "$1"
		t_diag "expected: at least $2"
		t_diag "got:      $3"
	fi
}

# t_expect_lt DESC BOUND GOT - GOT below BOUND
t_expect_lt() {
	if [[ $3 =~ ^-?[0-9]+$ ]] && (($3 < $2)); then
		t_ok "$1"
	else
		t_not_ok "$1"
		t_diag "expected: less than $2"
		t_diag "got:      $3"
	fi
}

t_begin() {
	T_DRIVER=${1:-${LAB_DRIVER:-af_packet}}
	lab__vdev_args "$T_DRIVER" >/dev/null
	lab_install_traps
	T_TMP=$(mktemp -d /tmp/mvdns-lab-test.XXXXXX)
	LAB_TMP_DIRS+=("$T_TMP")
	lab_up "$T_DRIVER"
}

# t_start_dataplane [ZONE.json...] - start it (default zone: lab.json); a
# failure to start is fatal to the test script.
t_start_dataplane() {
	if (($# == 0)); then
		set -- "$T_ZONE"
	fi
	if ! lab_start_dataplane "$T_DRIVER" "$@"; then
		t_not_ok "dataplane starts on $T_DRIVER"
		exit 1
	fi
}

# t_start_dataplane_fed - start it empty on the lab's channel; with the
# control running, return once it serves the control's state (fatal if not).
t_start_dataplane_fed() {
	if ! lab_start_dataplane "$T_DRIVER"; then
		t_not_ok "dataplane starts on $T_DRIVER and applies the control's state"
		exit 1
	fi
}

# t_start_control [OPTION...] - start mvdns-control (see lab_start_control);
# a failure to start is fatal to the test script.
t_start_control() {
	if ! lab_start_control "$@"; then
		t_not_ok "mvdns-control starts"
		exit 1
	fi
}

# t_stop_control - SIGTERM; checks that it exits 0.
t_stop_control() {
	lab_stop_control TERM || true
	t_expect_eq "mvdns-control exits 0 on SIGTERM" 0 "${LAB_CTL_STATUS:-unknown}"
}

# t_stop_dataplane [SIGNAL] - SIGTERM (or SIGNAL); checks that it exits 0
# and prints its counters.
t_stop_dataplane() {
	local sig=${1:-TERM} log=$LAB_DP_LOG offset
	offset=$(($(stat -c %s "$log") + 1))
	lab_stop_dataplane "$sig" || true
	t_expect_eq "dataplane exits 0 on SIG$sig" 0 "${LAB_DP_STATUS:-unknown}"
	if lab__dump_complete "$log" "$offset"; then
		t_ok "dataplane prints its counters when it stops on SIG$sig"
	else
		t_not_ok "dataplane prints its counters when it stops on SIG$sig"
		t_diag "missing after the signal: $(lab__dump_missing "$log" "$offset")"
	fi
}

t_end() {
	if [[ -n $LAB_CTL_PID ]]; then
		t_stop_control
	fi
	if [[ -n $LAB_DP_PID ]]; then
		t_stop_dataplane TERM
	fi
	t_diag "$T_DRIVER: $T_PASSED passed, $T_FAILED failed"
	((T_FAILED == 0)) || exit 1
	exit 0
}

# --- DNS queries -----------------------------------------------------------

# Options every query carries: no recursion wanted (as a resolver asks an
# authoritative server), no cookie, UDP only (the dataplane has no TCP: no
# retry over TCP when truncated, and dig would ask ANY over TCP), a short
# timeout.
T_DIG_OPTS=(+norec +nocookie +ignore +notcp +time=1 +tries=2)

# t_dig [@SERVER] DIG_ARGS... - query from the client and print the response
# in the canonical form (see t__canon), or "noreply ..." when there is none.
# The server defaults to @10.53.0.1; later options override T_DIG_OPTS.
t_dig() {
	local server=@$LAB_ADDR4_S out
	if [[ ${1:-} == @* ]]; then
		server=$1
		shift
	fi
	out=$(lab_exec_c dig "$server" "${T_DIG_OPTS[@]}" +noall +comments \
		+question +answer +authority +additional "$@" 2>&1) || true
	t__dig_canon <<<"$out"
}

# awk: a record's text with its names lower-cased (DNS names compare
# without case; a server may write them with the question's case through
# compression): the whole record, except TXT data, whose case counts.
T_AWK_RRCASE='
	function rrcase(rr,   f, n, i, r, txt) {
		n = split(rr, f, " ")
		txt = n >= 4 && toupper(f[4]) == "TXT"
		r = tolower(f[1])
		for (i = 2; i <= n; i++)
			r = r " " (i <= 4 ? toupper(f[i]) : txt ? f[i] : tolower(f[i]))
		return r
	}'

# dig's output -> one line per item, sorted within each kind:
#   status RCODE | flags F... (sorted) | edns none | edns version=V udp=N
#   ednsopt NAME | question QNAME CLASS TYPE (case kept)
#   answer|authority|additional OWNER TTL CLASS TYPE RDATA (names lower-cased)
t__dig_canon() {
	awk '
	function squeeze(s) { gsub(/[ \t]+/, " ", s); sub(/^ /, "", s); sub(/ $/, "", s); return s }
	/^;; ->>HEADER<<-/ {
		got = 1; s = $0; sub(/.*status: /, "", s); sub(/,.*/, "", s)
		print "status " s; next
	}
	/^;; flags:/ {
		s = $0; sub(/^;; flags:/, "", s); sub(/;.*/, "", s)
		n = split(squeeze(s), f, " "); print "flags " sortwords(f, n); next
	}
	/^;; OPT PSEUDOSECTION:/ { sec = "opt"; opt = 1; next }
	/^;; QUESTION SECTION:/ { sec = "question"; next }
	/^;; ANSWER SECTION:/ { sec = "answer"; next }
	/^;; AUTHORITY SECTION:/ { sec = "authority"; next }
	/^;; ADDITIONAL SECTION:/ { sec = "additional"; next }
	/^; EDNS:/ {
		v = $0; sub(/.*version: /, "", v); sub(/,.*/, "", v)
		u = $0; sub(/.*udp: /, "", u); sub(/[^0-9].*/, "", u)
		print "edns version=" v " udp=" u; next
	}
	sec == "opt" && /^; [A-Z0-9-]+:/ { s = $2; sub(/:$/, "", s); print "ednsopt " s; next }
	sec == "question" && /^;[^;]/ { print "question " squeeze(substr($0, 2)); next }
	/^;/ || /^[ \t]*$/ { next }
	sec == "answer" || sec == "authority" || sec == "additional" {
		print sec " " rrcase(squeeze($0)); next
	}
	{ other = other $0 " " }
	END {
		if (!got) print "noreply " squeeze(other)
		else if (!opt) print "edns none"
	}
	'"$T_AWK_RRCASE"'
	function sortwords(a, n,   i, j, t, r) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		r = ""
		for (i = 1; i <= n; i++) r = r (i > 1 ? " " : "") a[i]
		return r
	}' | LC_ALL=C sort
}

# The expected text in the same canonical form: whitespace squeezed, flags
# sorted, record owners lower-cased.
t__expect_canon() {
	awk '
	{ gsub(/[ \t]+/, " "); sub(/^ /, ""); sub(/ $/, "") }
	/^$/ { next }
	$1 == "flags" { n = split($0, f, " "); for (i = 3; i <= n; i++)
		for (j = i; j > 2 && f[j - 1] > f[j]; j--) { t = f[j]; f[j] = f[j - 1]; f[j - 1] = t }
		s = "flags"; for (i = 2; i <= n; i++) s = s " " f[i]; print s; next }
	$1 == "answer" || $1 == "authority" || $1 == "additional" {
		s = $0; sub(/^[a-z]+ /, "", s); print $1 " " rrcase(s); next }
	{ print }
	'"$T_AWK_RRCASE"'' | LC_ALL=C sort
}

# t_query DESC [@SERVER] DIG_ARGS... <<EXPECTED
# Query and compare with EXPECTED (canonical form, see t__dig_canon); no
# reply at all is asked again up to twice (unless EXPECTED is "noreply"). Only
# the kinds of line EXPECTED mentions are compared, each exactly: listing
# "answer" lines means the answer section is exactly those records (in any
# order); "answer -" means it is empty; not mentioning "authority" leaves
# the authority section unchecked.
t_query() {
	local desc=$1 expected got kinds want have try
	shift
	expected=$(t__expect_canon)
	got=$(t_dig "$@")
	# dig already tries twice; on a loaded machine (two vCPUs shared with a
	# polling dataplane) both can go unanswered. Ask again, and say so.
	for try in 2 3; do
		[[ $got == noreply* && $expected != *noreply* ]] || break
		t_diag "$desc: no reply; asking again (attempt $try)"
		got=$(t_dig "$@")
	done
	kinds=$(awk '{ print $1 }' <<<"$expected" | sort -u)
	want=$(grep -v -E '^[a-z]+ -$' <<<"$expected" || true)
	have=$(awk 'NR == FNR { k[$1] = 1; next } k[$1] || $1 == "noreply"' \
		<(echo "$kinds") <(echo "$got"))
	if [[ $have == "$want" ]]; then
		t_ok "$desc"
		return 0
	fi
	t_not_ok "$desc"
	t_diag "query: dig ${*} (from $LAB_NS_C, with ${T_DIG_OPTS[*]})"
	t_diag "expected:"
	t_diag "$(t__indent "$want")"
	t_diag "got:"
	t_diag "$(t__indent "$have")"
	return 0
}

# t_big_answer - the answer lines of big.example.com TXT in zones/lab.json
# (8 records, about 950 octets: more than 512, less than 1232).
t_big_answer() {
	local i x
	x=$(printf 'x%.0s' {1..94})
	for i in {0..7}; do
		echo "answer big.example.com. 300 IN TXT \"big-$i-$x\""
	done
}

# --- counters and tools that speak the check protocol ------------------------

# t_snapshot ARRAY - fill the associative array ARRAY (declared by the caller
# with `declare -A`) with the dataplane's counters, name -> value; a failed
# check (and an empty ARRAY) if they cannot be had.
t_snapshot() {
	local -n t__snap=$1
	local dump name value
	t__snap=()
	if ! dump=$(lab_counters 2>&1); then
		t_not_ok "dataplane prints its counters on SIGUSR1"
		t_diag "$dump"
		return 0
	fi
	while read -r name value; do
		# shellcheck disable=SC2034,SC2004 # a nameref to an associative array
		t__snap[$name]=$value
	done <<<"$dump"
}

# t_delta BEFORE AFTER NAME - how much counter NAME (lab_counter_name) grew.
t_delta() {
	local -n t__before=$1 t__after=$2
	local name
	name=$(lab_counter_name "$3")
	echo $((${t__after[$name]:-0} - ${t__before[$name]:-0}))
}

# t_delta_answers BEFORE AFTER - how much all verdict.answer-* grew together.
t_delta_answers() {
	local -n t__b=$1 t__a=$2
	local name sum=0
	for name in "${!t__a[@]}"; do
		[[ $name == verdict.answer-* ]] || continue
		sum=$((sum + ${t__a[$name]} - ${t__b[$name]:-0}))
	done
	echo "$sum"
}

# t_run_checks CMD... - run a tool that prints "ok - " / "not ok - " / "# "
# lines (malformed.py) and count its checks as this script's. Its
# "# expect-counters a=1 b=2" lines are added up in T_EXPECT[name].
declare -A T_EXPECT=()
t_run_checks() {
	local out line rc=0 failed_before=$T_FAILED kv
	out=$("$@" 2>&1) || rc=$?
	while IFS= read -r line; do
		case $line in
		"ok - "*) t_ok "${line#ok - }" ;;
		"not ok - "*) t_not_ok "${line#not ok - }" ;;
		"# expect-counters "*)
			echo "$line"
			for kv in ${line#\# expect-counters }; do
				T_EXPECT[${kv%%=*}]=$((${T_EXPECT[${kv%%=*}]:-0} + ${kv#*=}))
			done
			;;
		"#"*) echo "$line" ;;
		"") ;;
		*) t_diag "$line" ;;
		esac
	done <<<"$out"
	if ((rc != 0 && T_FAILED == failed_before)); then
		t_not_ok "exit status $rc from: $*"
	fi
}

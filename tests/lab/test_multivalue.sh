#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Route 53 multivalue answers from pools larger than an answer carries: each
# answer holds up to 8 distinct values of the pool, and the choice changes
# from query to query so that every value gets served.
# Usage: test_multivalue.sh [af_packet|af_xdp|tap]   (zone: zones/multivalue.json)

# shellcheck source=SCRIPTDIR/lib.sh
. "$(dirname "$0")/lib.sh"

QUERIES=30

# check_pool DESC WANT TRANSPORT NAME TYPE VALUE... - ask QUERIES times;
# every answer must be NOERROR with AA and exactly WANT distinct VALUEs with
# TTL 60; over all of them, every VALUE must have been served and (when
# WANT is less than the pool) the answers must not all be the same.
check_pool() {
	local desc=$1 want=$2 server=$3 name=$4 type=$5 i v resp values problem=
	local -A seen=() sets=() pool=()
	shift 5
	for v in "$@"; do
		pool[$v]=1
	done
	for ((i = 0; i < QUERIES; i++)); do
		resp=$(t_dig "$server" "$name" "$type")
		values=$(awk -v t="$type" '$1 == "answer" && $5 == t { print $6 }' <<<"$resp" | sort)
		problem=$(pool_problem "$resp" "$values" "$want" "$type") || true
		if [[ -n $problem ]]; then
			problem="query $((i + 1)): $problem"
			break
		fi
		for v in $values; do
			seen[$v]=1
		done
		sets[${values//$'\n'/ }]=1
	done
	if [[ -z $problem ]]; then
		t_ok "$desc: $QUERIES answers, each $want distinct values of the pool, TTL 60"
	else
		t_not_ok "$desc: $QUERIES answers, each $want distinct values of the pool, TTL 60"
		t_diag "query: dig $server $name $type"
		t_diag "$problem"
		t_diag "$(t__indent "$resp")"
		return 0
	fi
	t_expect_eq "$desc: all $# values of the pool served over $QUERIES queries" \
		"$#" "${#seen[@]}"
	if ((want < $#)); then
		t_expect_ge "$desc: the choice changes from query to query (distinct answers)" \
			2 "${#sets[@]}"
	fi
}

# pool_problem RESPONSE VALUES WANT TYPE - what is wrong with one answer
# (uses check_pool's pool array), or nothing.
pool_problem() {
	local resp=$1 values=$2 want=$3 type=$4 v n
	grep -qx 'status NOERROR' <<<"$resp" || { echo "not NOERROR"; return; }
	grep -qx 'flags aa qr' <<<"$resp" || { echo "flags are not exactly qr aa"; return; }
	n=$(grep -c . <<<"$values" || true)
	((n == want)) || { echo "$n values, not $want"; return; }
	[[ $(uniq <<<"$values" | grep -c .) == "$n" ]] || { echo "a value twice"; return; }
	for v in $values; do
		[[ -n ${pool[$v]:-} ]] || { echo "$v is not in the pool"; return; }
	done
	if awk -v t="$type" '$1 == "answer" && ($5 != t || $3 != 60)' <<<"$resp" | grep -q .; then
		echo "a record of another type or with a TTL other than 60"
	fi
}

t_begin "$@"
t_start_dataplane "$T_DIR/zones/multivalue.json"

mapfile -t pool_a < <(seq -f '192.0.2.%g' 101 112)
mapfile -t bigpool_a < <(seq -f '198.51.100.%g' 1 12)
mapfile -t bigpool_aaaa < <(for i in {1..10}; do printf '2001:db8::%x\n' "$i"; done)
mapfile -t eight_a < <(seq -f '203.0.113.%g' 1 8)

check_pool "12 record sets of one value (SetIdentifier web-1..12)" 8 \
	"@$LAB_ADDR4_S" pool.example.com A "${pool_a[@]}"
check_pool "one record set of 12 values" 8 \
	"@$LAB_ADDR4_S" bigpool.example.com A "${bigpool_a[@]}"
check_pool "one AAAA record set of 10 values, over IPv6" 8 \
	"@$LAB_ADDR6_S" bigpool.example.com AAAA "${bigpool_aaaa[@]}"
check_pool "a record set of exactly 8 values: all of them, always" 8 \
	"@$LAB_ADDR4_S" eight.example.com A "${eight_a[@]}"

t_end

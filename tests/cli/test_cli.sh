#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# mvdnsctl against a fake mvdns-control (fake_control.py): command-line errors
# and exit codes, parameter files and inline JSON, the exact request line of
# every verb, the daemon's errors, json/table/text output against the AWS
# CLI's own formatters (golden/, see gen_golden.py), --wait, and transport
# failures. Usage: tests/cli/test_cli.sh [path/to/mvdnsctl]
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CLI=${1:-${MVDNSCTL:-$ROOT/build/control/cli/mvdnsctl}}
GOLD=$HERE/golden
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
T=$(mktemp -d /tmp/mvdnsctl-test.XXXXXX)
SOCK=$T/control.sock
FAKE=
passed=0
failed=0
n=0

cleanup() {
	if [ -n "$FAKE" ]; then
		kill "$FAKE" 2>/dev/null
		wait "$FAKE" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT

if [ ! -x "$CLI" ]; then
	echo "not ok 1 - mvdnsctl built ($CLI missing)"
	echo "0 passed, 1 failed"
	exit 1
fi
"$PY" "$HERE/fake_control.py" "$SOCK" "$T/script.json" "$T/log" &
FAKE=$!
for _ in $(seq 100); do
	[ -S "$SOCK" ] && break
	sleep 0.05
done
if [ ! -S "$SOCK" ]; then
	echo "not ok 1 - the fake mvdns-control listens on $SOCK"
	echo "0 passed, 1 failed"
	exit 1
fi

ok() {
	n=$((n + 1))
	passed=$((passed + 1))
	echo "ok $n - $1"
}

# nok NAME DETAIL...: a failure, with details as TAP comments.
nok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/#   /'
	done
}

# cli ARGS...: run mvdnsctl on the fake's socket; RC, $T/out and $T/err hold the outcome.
cli() {
	: >"$T/log"
	"$CLI" --socket "$SOCK" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

# answer JSON: the fake's canned responses ({"Operation": [response, ...]}).
answer() {
	printf '%s' "$1" >"$T/script.json"
}

# expect NAME RC [TEXT]: exit code RC and, if given, TEXT somewhere in stderr.
expect() {
	if [ "$RC" != "$2" ]; then
		nok "$1" "exit code $RC, want $2" "stderr: $(cat "$T/err")"
	elif [ $# -ge 3 ] && ! grep -qF -- "$3" "$T/err"; then
		nok "$1" "stderr lacks: $3" "stderr: $(cat "$T/err")"
	else
		ok "$1"
	fi
}

# expect_request NAME LINE: mvdnsctl succeeded and sent exactly LINE.
expect_request() {
	local got
	got=$(head -n 1 "$T/log")
	if [ "$RC" != 0 ]; then
		nok "$1" "exit code $RC" "stderr: $(cat "$T/err")"
	elif [ "$got" != "$2" ]; then
		nok "$1" "sent: $got" "want: $2"
	else
		ok "$1"
	fi
}

# expect_same NAME WANT-FILE GOT-FILE
expect_same() {
	if cmp -s "$2" "$3"; then
		ok "$1"
	else
		nok "$1" "$(diff -u "$2" "$3" | head -40)"
	fi
}

# expect_no_request NAME: nothing reached the daemon.
expect_no_request() {
	if [ -s "$T/log" ]; then
		nok "$1" "sent: $(cat "$T/log")"
	else
		ok "$1"
	fi
}

# --- command-line errors: usage messages, exit 252, nothing sent ----------------
answer '{"*": [{"Result": {}}]}'
cli
expect "no command: usage error" 252 "mvdnsctl: error: the following arguments are required: command"
cli change-resource-record-sets
expect "missing options listed like the AWS CLI" 252 \
	"mvdnsctl: error: the following arguments are required: --hosted-zone-id, --change-batch"
grep -q '^usage: mvdnsctl \[options\] <command> \[parameters\]$' "$T/err" && ok "usage banner" ||
	nok "usage banner" "$(cat "$T/err")"
cli change-resource-record-sets --hosted-zone-id Z1 --change-batch '{bad'
expect "invalid inline JSON" 252 "Error parsing parameter '--change-batch': Invalid JSON: "
grep -qxF 'JSON received: {bad' "$T/err" && ok "invalid JSON echoes what it received" ||
	nok "invalid JSON echoes what it received" "$(cat "$T/err")"
expect_no_request "invalid JSON: nothing sent"
printf '{"Changes": [}\n' >"$T/bad.json"
cli change-resource-record-sets --hosted-zone-id Z1 --change-batch "file://$T/bad.json"
expect "invalid JSON in file://" 252 "Error parsing parameter '--change-batch': Invalid JSON: "
cli change-resource-record-sets --hosted-zone-id Z1 --change-batch "file://$T/none.json"
expect "missing file://" 252 "Error parsing parameter '--change-batch': Unable to load paramfile file://$T/none.json: [Errno 2] No such file or directory: '$T/none.json'"
cli get-change --id C1 --bogus 1
expect "unknown options" 252 "mvdnsctl: error: Unknown options: --bogus, 1"
cli frobnicate-zone
expect "unknown command lists the commands" 252 "argument command: Invalid choice, valid choices are:"
grep -qF "list-resource-record-sets" "$T/err" && ok "unknown command: choices listed" ||
	nok "unknown command: choices listed" "$(cat "$T/err")"
cli --output yaml get-change --id C1
expect "bad --output" 252 "argument --output: Invalid choice"
cli list-hosted-zones --max-items ten
expect "non-integer --max-items" 252 "Error parsing parameter '--max-items': invalid literal for int() with base 10: 'ten'"
cli set-health-check-status --health-check-id hc-1 --status Maybe
expect "bad --status" 252 "argument --status: invalid choice: 'Maybe' (choose from 'Healthy', 'Unhealthy')"
cli create-hosted-zone --name example.com --caller-reference r --hosted-zone-config Comment
expect "bad shorthand" 252 "Error parsing parameter '--hosted-zone-config': Expected: '=', received: 'EOF' for input:"
cli create-hosted-zone --name example.com --caller-reference r --hosted-zone-config PrivateZone=maybe
expect "shorthand boolean checked" 252 "Invalid type for parameter HostedZoneConfig.PrivateZone, value: maybe"
cli get-change --id
expect "option without its value" 252 "argument --id: expected one argument"
cli change-resource-record-sets --hosted-zone-id Z1 --change-batch '{"Changes": []}' --wait-timeout 5
expect "--wait-timeout needs --wait" 252 "argument --wait-timeout: only valid with --wait"
expect_no_request "usage errors: nothing sent"

# --- help and version -----------------------------------------------------------
cli help
expect "help: exit 0" 0
grep -q "^  change-resource-record-sets$" "$T/out" && grep -q "^  set-health-check-status$" "$T/out" &&
	ok "help lists the commands" || nok "help lists the commands" "$(cat "$T/out")"
cli change-resource-record-sets help
expect "command help: exit 0" 0
grep -qF -- "--wait-timeout" "$T/out" && grep -qF "ChangeResourceRecordSets" "$T/out" &&
	ok "command help shows options and action" || nok "command help shows options and action" "$(cat "$T/out")"
cli --help list-resource-record-sets
grep -qF -- "--start-record-identifier" "$T/out" && ok "--help before the command" ||
	nok "--help before the command" "$(cat "$T/out")"
cli --version
[ "$RC" = 0 ] && grep -q '^mvdnsctl/' "$T/out" && ok "--version" || nok "--version" "$(cat "$T/out")"

# --- the request line of every verb ------------------------------------------------
BATCH='{"Comment":"web","Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"www.example.com","Type":"A","TTL":60,"ResourceRecords":[{"Value":"192.0.2.1"}]}}]}'
printf '{\n    "Comment": "web",\n    "Changes": [{"Action": "UPSERT", "ResourceRecordSet": {"Name": "www.example.com", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.1"}]}}]\n}\n' >"$T/batch.json"
printf '{"HostedZoneId": "/hostedzone/Z9", "ChangeBatch": %s}\n' "$BATCH" >"$T/input.json"

cli create-hosted-zone --name example.com --caller-reference r1
expect_request "create-hosted-zone" '{"Operation":"CreateHostedZone","Params":{"Name":"example.com","CallerReference":"r1"}}'
cli create-hosted-zone --name example.com --caller-reference r1 --hosted-zone-config Comment=hi,PrivateZone=false
expect_request "create-hosted-zone: shorthand config" '{"Operation":"CreateHostedZone","Params":{"Name":"example.com","CallerReference":"r1","HostedZoneConfig":{"Comment":"hi","PrivateZone":false}}}'
cli create-hosted-zone --name example.com --caller-reference r1 --hosted-zone-config '{"Comment": "a, b", "PrivateZone": false}'
expect_request "create-hosted-zone: JSON config" '{"Operation":"CreateHostedZone","Params":{"Name":"example.com","CallerReference":"r1","HostedZoneConfig":{"Comment":"a, b","PrivateZone":false}}}'
cli delete-hosted-zone --id /hostedzone/Z1
expect_request "delete-hosted-zone: /hostedzone/ dropped" '{"Operation":"DeleteHostedZone","Params":{"Id":"Z1"}}'
cli get-hosted-zone --id Z1
expect_request "get-hosted-zone" '{"Operation":"GetHostedZone","Params":{"Id":"Z1"}}'
cli list-hosted-zones
expect_request "list-hosted-zones" '{"Operation":"ListHostedZones","Params":{}}'
cli list-hosted-zones --max-items 5
expect_request "list-hosted-zones --max-items" '{"Operation":"ListHostedZones","Params":{"MaxItems":5}}'
cli change-resource-record-sets --hosted-zone-id Z1 --change-batch "file://$T/batch.json"
expect_request "change-resource-record-sets file://" "{\"Operation\":\"ChangeResourceRecordSets\",\"Params\":{\"HostedZoneId\":\"Z1\",\"ChangeBatch\":$BATCH}}"
cli change-resource-record-sets --hosted-zone-id Z1 --change-batch "$BATCH"
expect_request "change-resource-record-sets inline JSON" "{\"Operation\":\"ChangeResourceRecordSets\",\"Params\":{\"HostedZoneId\":\"Z1\",\"ChangeBatch\":$BATCH}}"
cli change-resource-record-sets --hosted-zone-id Z1 --change-batch "fileb://$T/batch.json"
expect_request "change-resource-record-sets fileb://" "{\"Operation\":\"ChangeResourceRecordSets\",\"Params\":{\"HostedZoneId\":\"Z1\",\"ChangeBatch\":$BATCH}}"
cli change-resource-record-sets --cli-input-json "file://$T/input.json"
expect_request "change-resource-record-sets --cli-input-json" "{\"Operation\":\"ChangeResourceRecordSets\",\"Params\":{\"HostedZoneId\":\"Z9\",\"ChangeBatch\":$BATCH}}"
cli change-resource-record-sets --cli-input-json "file://$T/input.json" --hosted-zone-id Z1
expect_request "--cli-input-json: options take precedence" "{\"Operation\":\"ChangeResourceRecordSets\",\"Params\":{\"HostedZoneId\":\"Z1\",\"ChangeBatch\":$BATCH}}"
cli get-change --id /change/C1
expect_request "get-change: /change/ dropped" '{"Operation":"GetChange","Params":{"Id":"C1"}}'
cli get-change --id=C5
expect_request "--option=value" '{"Operation":"GetChange","Params":{"Id":"C5"}}'
cli list-resource-record-sets --hosted-zone-id Z1 --start-record-name www.example.com --start-record-type A --start-record-identifier one --max-items 10
expect_request "list-resource-record-sets paging options" '{"Operation":"ListResourceRecordSets","Params":{"HostedZoneId":"Z1","StartRecordName":"www.example.com","StartRecordType":"A","StartRecordIdentifier":"one","MaxItems":10}}'
cli create-health-check --caller-reference r2 --health-check-config '{"Type": "HTTP", "IPAddress": "192.0.2.1", "Port": 80}'
expect_request "create-health-check JSON" '{"Operation":"CreateHealthCheck","Params":{"CallerReference":"r2","HealthCheckConfig":{"Type":"HTTP","IPAddress":"192.0.2.1","Port":80}}}'
cli create-health-check --caller-reference r2 --health-check-config 'Type=HTTP,IPAddress=192.0.2.1,Port=80,ResourcePath="/a,b",Regions=[us-east-1,eu-west-1]'
expect_request "create-health-check shorthand" '{"Operation":"CreateHealthCheck","Params":{"CallerReference":"r2","HealthCheckConfig":{"Type":"HTTP","IPAddress":"192.0.2.1","Port":80,"ResourcePath":"/a,b","Regions":["us-east-1","eu-west-1"]}}}'
cli get-health-check --health-check-id hc-1
expect_request "get-health-check" '{"Operation":"GetHealthCheck","Params":{"HealthCheckId":"hc-1"}}'
cli list-health-checks
expect_request "list-health-checks" '{"Operation":"ListHealthChecks","Params":{}}'
cli update-health-check --health-check-id hc-1 --health-check-version 2 --port 8080 --inverted --no-disabled --regions us-east-1 eu-west-1 --reset-elements ResourcePath
expect_request "update-health-check" '{"Operation":"UpdateHealthCheck","Params":{"HealthCheckId":"hc-1","HealthCheckVersion":2,"Port":8080,"Inverted":true,"Disabled":false,"Regions":["us-east-1","eu-west-1"],"ResetElements":["ResourcePath"]}}'
cli delete-health-check --health-check-id hc-1
expect_request "delete-health-check" '{"Operation":"DeleteHealthCheck","Params":{"HealthCheckId":"hc-1"}}'
[ ! -s "$T/out" ] && ok "an empty Result prints nothing" || nok "an empty Result prints nothing" "$(cat "$T/out")"
cli get-health-check-status --health-check-id hc-1
expect_request "get-health-check-status" '{"Operation":"GetHealthCheckStatus","Params":{"HealthCheckId":"hc-1"}}'
cli set-health-check-status --health-check-id hc-1 --status Unhealthy
expect_request "set-health-check-status" '{"Operation":"SetHealthCheckStatus","Params":{"HealthCheckId":"hc-1","Status":"Unhealthy"}}'
cli --output text get-change --id C1 --debug
expect_request "global options after the command" '{"Operation":"GetChange","Params":{"Id":"C1"}}'

# --- errors from the daemon ---------------------------------------------------------
answer '{"ChangeResourceRecordSets": [{"Error": {"Code": "InvalidChangeBatch", "Message": "[Tried to create resource record set [name='"'"'www.example.com.'"'"', type='"'"'A'"'"'] but it already exists]"}}]}'
cli change-resource-record-sets --hosted-zone-id Z1 --change-batch "$BATCH"
expect "daemon error: exit 254" 254
printf '\nAn error occurred (InvalidChangeBatch) when calling the ChangeResourceRecordSets operation: [Tried to create resource record set [name='"'"'www.example.com.'"'"', type='"'"'A'"'"'] but it already exists]\n' >"$T/want"
expect_same "daemon error printed as the AWS CLI does" "$T/want" "$T/err"
[ ! -s "$T/out" ] && ok "daemon error: nothing on stdout" || nok "daemon error: nothing on stdout" "$(cat "$T/out")"

# --- output formats against the AWS CLI's formatters -----------------------------------
golden() { # golden STEM OPERATION ARGS...
	local stem=$1 op=$2 fmt
	shift 2
	answer "{\"$op\": [{\"Result\": $(cat "$GOLD/$stem.json")}]}"
	for fmt in json table text; do
		[ -f "$GOLD/$stem.$fmt.out" ] || continue
		cli --output "$fmt" "$@"
		expect_same "$stem --output $fmt" "$GOLD/$stem.$fmt.out" "$T/out"
	done
}
golden list-resource-record-sets ListResourceRecordSets list-resource-record-sets --hosted-zone-id Z1
golden get-change GetChange get-change --id C1
golden list-hosted-zones ListHostedZones list-hosted-zones
golden get-hosted-zone GetHostedZone get-hosted-zone --id Z1
golden get-health-check GetHealthCheck get-health-check --health-check-id hc-1

# --- --query: JMESPath over the result, then the output format --------------------------
answer "{\"ListResourceRecordSets\": [{\"Result\": $(cat "$GOLD/list-resource-record-sets.json")}]}"
query() { # query NAME WANT ARGS...: stdout is exactly WANT
	local name=$1 want=$2
	shift 2
	cli list-resource-record-sets --hosted-zone-id Z1 "$@"
	if [ "$RC" != 0 ]; then
		nok "$name" "exit code $RC" "stderr: $(cat "$T/err")"
	elif [ "$(cat "$T/out")" != "$want" ]; then
		nok "$name" "got: $(cat "$T/out")" "want: $want"
	else
		ok "$name"
	fi
}
query "--query a filter projection, text: one line, tab-separated" \
	"$(printf 'www.example.com.\twww.example.com.')" \
	--output text --query "ResourceRecordSets[?Type=='A'].Name"
query "--query an index and a field, text" "example.com." \
	--output text --query 'ResourceRecordSets[0].Name'
query "--query a negative index, a JSON literal, json output" '"two"' \
	--query 'ResourceRecordSets[?Type==`"A"`] | [-1].SetIdentifier'
query "--query length() of a projection, json" "3" \
	--query 'length(ResourceRecordSets[?!starts_with(Name, `"www"`)])'
query "--query a multiselect hash, json as the AWS CLI indents it" \
	"$(printf '{\n    "N": "txt.example.com.",\n    "T": "TXT"\n}')" \
	--query 'ResourceRecordSets[*].{N: Name, T: Type} | [2]'
query "--query a multiselect list over a projection, text: a line per row" \
	"$(printf 'example.com.\tNS\nexample.com.\tSOA')" \
	--output text --query 'ResourceRecordSets[?Name==`"example.com."`].[Name, Type]'
query "--query slices as Python's: [1:3], [-2:] and [::-2], text" \
	"$(printf 'example.com.\ttxt.example.com.\nwww.example.com.\twww.example.com.\nwww.example.com.\ttxt.example.com.\texample.com.')" \
	--output text --query '[ResourceRecordSets[1:3].Name, ResourceRecordSets[-2:].Name, ResourceRecordSets[::-2].Name]'
query "--query a flatten inside a filter projection, text" \
	"$(printf '192.0.2.1\t192.0.2.2')" \
	--output text --query "ResourceRecordSets[?Type=='A'].ResourceRecords[].Value"
query "--query an object's values (.*), text" "192.0.2.1" \
	--output text --query 'ResourceRecordSets[3].ResourceRecords[0].*'
query "--query the values of an object are all its members, json" "4" \
	--query 'length(ResourceRecordSets[0].*)'
query "--query nothing selected: null" "null" --query 'ResourceRecordSets[0].Nope'
cli list-resource-record-sets --hosted-zone-id Z1 --query 'ResourceRecordSets[?Type=='
expect "--query a bad expression: exit 252, the AWS CLI's message" 252 \
	"Bad value for --query ResourceRecordSets[?Type==: Bad jmespath expression"
expect_no_request "--query a bad expression: nothing sent"
cli list-resource-record-sets --hosted-zone-id Z1 --query 'ResourceRecordSets[::0]'
expect "--query a slice step of 0: exit 252" 252 "step cannot be 0"

# The built-in functions, on the fixture's fields. Expected values are jmespath.py's (the
# AWS CLI's evaluator) or the specification's examples.
query "--query sort_by() by a number, stable: equal TTLs keep their order, text" \
	"$(printf 'A\tone\nA\ttwo\nTXT\tNone\nSOA\tNone\nNS\tNone')" \
	--output text --query 'sort_by(ResourceRecordSets, &TTL)[].[Type, SetIdentifier]'
query "--query sort_by() is stable the other way round too" '["two","one"]' \
	--output text --query 'to_string(sort_by(reverse(ResourceRecordSets), &TTL)[].SetIdentifier)'
query "--query sort_by() by a string, stable" '["SOA","NS","TXT","A","A"]' \
	--output text --query 'to_string(sort_by(reverse(ResourceRecordSets), &Name)[].Type)'
query "--query sort_by() of nothing: [] (the specification's example)" '[]' \
	--output text --query 'to_string(sort_by(`[]`, &age))'
query "--query sort_by() after a filter, through a pipe" '["TXT","SOA","NS"]' \
	--output text --query "to_string(ResourceRecordSets[?TTL > \`100\`] | sort_by(@, &TTL)[].Type)"
query "--query join() of names" '"example.com., example.com., txt.example.com., www.example.com., www.example.com."' \
	--query "join(', ', ResourceRecordSets[].Name)"
query "--query max_by() and min_by(): the first of equal keys" "$(printf 'NS\tone\texample.com.\twww.example.com.')" \
	--output text --query '[max_by(ResourceRecordSets, &TTL).Type, min_by(ResourceRecordSets, &TTL).SetIdentifier, min_by(ResourceRecordSets, &Name).Name, max_by(ResourceRecordSets, &Name).Name]'
query "--query keys() and values(), in the object's order" \
	'[["Name","Type","TTL","ResourceRecords"],["192.0.2.2"]]' \
	--output text --query 'to_string([keys(ResourceRecordSets[0]), values(ResourceRecordSets[4].ResourceRecords[0])])'
query "--query to_string(): JSON text, compact, a string in json output" '"[{\"Value\":\"192.0.2.1\"}]"' \
	--query 'to_string(ResourceRecordSets[3].ResourceRecords)'
query "--query to_string() and to_number() of a TTL, and the specification's to_number()s" \
	"$(printf '172800\t172800\t1.1\t4\tNone')" \
	--output text --query '[to_string(ResourceRecordSets[0].TTL), to_number(to_string(ResourceRecordSets[0].TTL)), to_number(`"1.1"`), to_number(`"4"`), to_number(`"notanumber"`)]'
query "--query sum(), avg(), max(), min() of TTLs" "$(printf '174120\t34824.0\t172800\t60')" \
	--output text --query '[sum(ResourceRecordSets[].TTL), avg(ResourceRecordSets[].TTL), max(ResourceRecordSets[].TTL), min(ResourceRecordSets[].TTL)]'
query "--query abs(), ceil(), floor() (the specification's examples)" "$(printf '24\t2\t1\t-2\t34824')" \
	--output text --query '[abs(`-24`), ceil(`1.2`), floor(`1.2`), floor(`-1.5`), ceil(avg(ResourceRecordSets[].TTL))]'
query "--query max() and min() of strings, empty: null" "$(printf 'TXT\tA\tNone')" \
	--output text --query '[max(ResourceRecordSets[].Type), min(ResourceRecordSets[].Type), max(`[]`)]'
query "--query sort() of numbers and of strings" '[[60,60,300,900,172800],["A","A","NS","SOA","TXT"]]' \
	--output text --query 'to_string([sort(ResourceRecordSets[].TTL), sort(ResourceRecordSets[].Type)])'
query "--query map() keeps nulls, unlike a projection" '[null,null,null,"one","two"]' \
	--output text --query 'to_string(map(&SetIdentifier, ResourceRecordSets))'
query "--query map() of an expression (the specification's example)" '[[1,2,3,4],[5,6,7,8,9]]' \
	--output text --query 'to_string(map(&[], `[[1, 2, 3, [4]], [5, 6, 7, [8, 9]]]`))'
query "--query merge(): later keys win, in the first's order" \
	'{"Name":"www.example.com.","Type":"AAAA","SetIdentifier":"two","MultiValueAnswer":true,"TTL":300,"ResourceRecords":[{"Value":"192.0.2.2"}]}' \
	--output text --query "to_string(merge(ResourceRecordSets[4], {TTL: \`300\`, Type: 'AAAA'}))"
query "--query not_null(): the first that is not null" "one" \
	--output text --query 'not_null(ResourceRecordSets[0].SetIdentifier, ResourceRecordSets[3].SetIdentifier, ResourceRecordSets[4].SetIdentifier)'
query "--query reverse() of an array and of a string" '[["A","A","TXT","SOA","NS"],".moc.elpmaxe"]' \
	--output text --query 'to_string([reverse(ResourceRecordSets[].Type), reverse(ResourceRecordSets[0].Name)])'
query "--query contains(), starts_with(), ends_with(), length()" "$(printf 'True\tFalse\tTrue\tTrue\tTrue\t16\t5')" \
	--output text --query "[contains(ResourceRecordSets[].Type, 'SOA'), contains(ResourceRecordSets[0].Name, 'www'), contains(ResourceRecordSets[3].Name, 'www'), starts_with(ResourceRecordSets[2].Name, 'txt'), ends_with(ResourceRecordSets[2].Name, 'com.'), length(ResourceRecordSets[2].Name), length(ResourceRecordSets)]"
query "--query length() and reverse() of a string count code points, not bytes" "$(printf '5\tolléh')" \
	--output text --query "[length('héllo'), reverse('héllo')]"
query "--query to_array(): an array as it is, anything else in one" '[[60],[172800,900,300,60,60]]' \
	--output text --query 'to_string([to_array(ResourceRecordSets[3].TTL), to_array(ResourceRecordSets[].TTL)])'
query "--query type() of each JSON type" "$(printf 'object\tarray\tstring\tnumber\tboolean\tnull')" \
	--output text --query '[type(@), type(ResourceRecordSets), type(ResourceRecordSets[0].Name), type(ResourceRecordSets[0].TTL), type(ResourceRecordSets[3].MultiValueAnswer), type(ResourceRecordSets[0].Nope)]'
query "--query a function in a filter: to_string(TTL)" '["one","two"]' \
	--output text --query "to_string(ResourceRecordSets[?to_string(TTL) == '60'].SetIdentifier)"

# query_fails NAME MESSAGE ARGS...: exit 255, stderr exactly the AWS CLI's "\nMESSAGE\n"
# (jmespath.py raises these while it searches), nothing on stdout.
query_fails() {
	local name=$1 msg=$2
	shift 2
	cli list-resource-record-sets --hosted-zone-id Z1 "$@"
	if [ "$RC" != 255 ]; then
		nok "$name" "exit code $RC, want 255" "stderr: $(cat "$T/err")"
	elif [ "$(cat "$T/err")" != "$(printf '\n%s' "$msg")" ]; then
		nok "$name" "stderr: $(cat "$T/err")" "want: $msg"
	elif [ -s "$T/out" ]; then
		nok "$name" "stdout: $(cat "$T/out")"
	else
		ok "$name"
	fi
}
query_fails "--query an unknown function: an error as it is evaluated, as jmespath.py's" \
	"Unknown function: nope()" --query 'nope(@)'
query_fails "--query too many arguments: jmespath.py's ArityError" \
	"Expected 1 argument for function length(), received 2" --query 'length(@, @)'
query_fails "--query too few arguments: plural" \
	"Expected 2 arguments for function sort_by(), received 1" --query 'sort_by(ResourceRecordSets)'
query_fails "--query no argument to a variadic function: VariadictArityError" \
	"Expected at least 1 argument for function not_null(), received 0" --query 'not_null()'
query_fails "--query an argument of a wrong type: JMESPathTypeError" \
	"In function length(), invalid type for value: 172800, expected one of: ['string', 'array', 'object'], received: \"number\"" \
	--query 'length(ResourceRecordSets[0].TTL)'
query_fails "--query a type error inside a filter stops the whole query" \
	"In function length(), invalid type for value: 172800, expected one of: ['string', 'array', 'object'], received: \"number\"" \
	--query 'ResourceRecordSets[?length(TTL) > `0`].Name'
query_fails "--query the value in a type error is Python's repr" \
	"In function keys(), invalid type for value: [{'Value': '\"v=spf1 -all\"'}, {'Value': '\"say \\\\\"hi\\\\\"\" \"two\"'}], expected one of: ['object'], received: \"array\"" \
	--query 'keys(ResourceRecordSets[2].ResourceRecords)'
query_fails "--query an element of a wrong type: its Python type name" \
	"In function join(), invalid type for value: 172800, expected one of: ['array-string'], received: \"int\"" \
	--query "join(', ', ResourceRecordSets[].TTL)"
query_fails "--query sort() of strings and numbers" \
	"In function sort(), invalid type for value: 172800, expected one of: ['array-string', 'array-number'], received: \"int\"" \
	--query 'sort(ResourceRecordSets[0].*)'
query_fails "--query sort_by() without &: the expression is required" \
	"In function sort_by(), invalid type for value: None, expected one of: ['expref'], received: \"null\"" \
	--query 'sort_by(ResourceRecordSets, Name)'
query_fails "--query sort_by() whose first key is neither a number nor a string" \
	"In function sort_by(), invalid type for value: {'Value': 'ns1.example.com.'}, expected one of: ['string', 'number'], received: \"null\"" \
	--query 'sort_by(ResourceRecordSets[].ResourceRecords[0], &TTL)'
query_fails "--query sort_by() whose keys differ in type from the first" \
	"In function sort_by(), invalid type for value: None, expected one of: ['string'], received: \"null\"" \
	--query 'sort_by(reverse(ResourceRecordSets), &SetIdentifier)'
query_fails "--query max_by() with a key of a wrong type" \
	"In function max_by(), invalid type for value: None, expected one of: ['number', 'string'], received: \"null\"" \
	--query 'max_by(ResourceRecordSets, &SetIdentifier)'

query "AWS CLI options with no meaning here are accepted: --region, --profile" "example.com." \
	--region us-east-1 --profile=prod --no-verify-ssl --output text --query 'ResourceRecordSets[0].Name'
cli list-hosted-zones --region
expect "--region without a value: usage error" 252 "argument --region: expected one argument"

# --- list verbs page like the AWS CLI ------------------------------------------------
RRSET='{"Name": "a.example.com.", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "192.0.2.1"}]}'
PAGE1="{\"Result\": {\"ResourceRecordSets\": [$RRSET], \"IsTruncated\": true, \"MaxItems\": \"1\", \"NextRecordName\": \"b.example.com.\", \"NextRecordType\": \"A\"}}"
PAGE2="{\"Result\": {\"ResourceRecordSets\": [$RRSET], \"IsTruncated\": false, \"MaxItems\": \"1\"}}"
# botocore's NextToken for that page: base64 of its JSON of the next input tokens.
TOKEN=$(printf '%s' '{"StartRecordName": "b.example.com.", "StartRecordType": "A", "StartRecordIdentifier": null}' | base64 -w0)
answer "{\"ListResourceRecordSets\": [$PAGE1, $PAGE2]}"
cli list-resource-record-sets --hosted-zone-id Z1
printf '%s\n' '{"Operation":"ListResourceRecordSets","Params":{"HostedZoneId":"Z1"}}' \
	'{"Operation":"ListResourceRecordSets","Params":{"HostedZoneId":"Z1","StartRecordName":"b.example.com.","StartRecordType":"A"}}' >"$T/want"
expect_same "pages followed with the Next* tokens" "$T/want" "$T/log"
[ "$(grep -c '"Name": "a.example.com."' "$T/out")" = 2 ] && ! grep -q 'IsTruncated\|NextToken' "$T/out" &&
	ok "pages joined into one list, paging members dropped" || nok "pages joined into one list, paging members dropped" "$(cat "$T/out")"
answer "{\"ListResourceRecordSets\": [$PAGE1, $PAGE2]}"
cli list-resource-record-sets --hosted-zone-id Z1 --max-items 1
expect_request "--max-items sets the page size" '{"Operation":"ListResourceRecordSets","Params":{"HostedZoneId":"Z1","MaxItems":1}}'
grep -qF "\"NextToken\": \"$TOKEN\"" "$T/out" && [ "$(wc -l <"$T/log")" = 1 ] &&
	ok "--max-items cut: botocore's NextToken" || nok "--max-items cut: botocore's NextToken" "$(cat "$T/out")"
answer "{\"ListResourceRecordSets\": [$PAGE1, $PAGE2]}"
cli --output text list-resource-record-sets --hosted-zone-id Z1 --max-items 1
[ "$(tail -n 1 "$T/out")" = "$(printf 'NEXTTOKEN\t%s' "$TOKEN")" ] && ok "text: NEXTTOKEN line last" ||
	nok "text: NEXTTOKEN line last" "$(cat "$T/out")"
cli list-resource-record-sets --hosted-zone-id Z1 --starting-token "$TOKEN" --page-size 50
expect_request "--starting-token resumes, --page-size is MaxItems" '{"Operation":"ListResourceRecordSets","Params":{"HostedZoneId":"Z1","MaxItems":50,"StartRecordName":"b.example.com.","StartRecordType":"A"}}'
cli list-resource-record-sets --hosted-zone-id Z1 --starting-token 'not a token'
expect "bad --starting-token" 252 "Error parsing parameter '--starting-token': Invalid token: not a token"
answer "{\"ListResourceRecordSets\": [$PAGE1]}"
cli list-resource-record-sets --hosted-zone-id Z1
expect "a daemon repeating one page is caught" 255 "keeps answering ListResourceRecordSets with the same page"
answer '{"ListHostedZones": [{"Result": {"HostedZones": [{"Id": "/hostedzone/Z1"}], "IsTruncated": true, "NextMarker": "Z2", "MaxItems": "1"}}, {"Result": {"HostedZones": [{"Id": "/hostedzone/Z2"}], "IsTruncated": false, "Marker": "Z2", "MaxItems": "1"}}]}'
cli list-hosted-zones
printf '%s\n' '{"Operation":"ListHostedZones","Params":{}}' '{"Operation":"ListHostedZones","Params":{"Marker":"Z2"}}' >"$T/want"
expect_same "list-hosted-zones follows NextMarker" "$T/want" "$T/log"

# --- --wait ---------------------------------------------------------------------------
PENDING='{"Result": {"ChangeInfo": {"Id": "/change/C1", "Status": "PENDING", "SubmittedAt": "2026-11-25T16:00:00.000Z"}}}'
INSYNC='{"Result": {"ChangeInfo": {"Id": "/change/C1", "Status": "INSYNC", "SubmittedAt": "2026-11-25T16:00:00.000Z"}}}'
answer "{\"ChangeResourceRecordSets\": [$PENDING], \"GetChange\": [$PENDING, $PENDING, $INSYNC]}"
cli change-resource-record-sets --hosted-zone-id Z1 --change-batch "$BATCH" --wait
expect "--wait: exit 0 once INSYNC" 0
grep -q '"Status": "INSYNC"' "$T/out" && ok "--wait prints the INSYNC ChangeInfo" || nok "--wait prints the INSYNC ChangeInfo" "$(cat "$T/out")"
printf '%s\n' '{"Operation":"GetChange","Params":{"Id":"C1"}}' '{"Operation":"GetChange","Params":{"Id":"C1"}}' '{"Operation":"GetChange","Params":{"Id":"C1"}}' >"$T/want"
tail -n +2 "$T/log" >"$T/got"
expect_same "--wait polls GetChange until INSYNC (PENDING, PENDING, INSYNC)" "$T/want" "$T/got"
answer "{\"ChangeResourceRecordSets\": [$PENDING], \"GetChange\": [$PENDING]}"
start=$(date +%s%N)
cli change-resource-record-sets --hosted-zone-id Z1 --change-batch "$BATCH" --wait --wait-timeout 0.3
elapsed=$((($(date +%s%N) - start) / 1000000))
expect "--wait timeout: exit 255 with a clear message" 255 "change C1 is still PENDING after 0.3 seconds (--wait-timeout)"
polls=$(($(wc -l <"$T/log") - 1))
[ "$polls" -ge 5 ] && [ "$elapsed" -ge 300 ] && [ "$elapsed" -lt 3000 ] &&
	ok "--wait polls every ~10 ms until the timeout ($polls polls in $elapsed ms)" ||
	nok "--wait polls every ~10 ms until the timeout" "$polls polls in $elapsed ms"
grep -q '"Status": "PENDING"' "$T/out" && ok "--wait timeout still prints the ChangeInfo" ||
	nok "--wait timeout still prints the ChangeInfo" "$(cat "$T/out")"
answer "{\"ChangeResourceRecordSets\": [$INSYNC]}"
cli change-resource-record-sets --hosted-zone-id Z1 --change-batch "$BATCH" --wait
[ "$RC" = 0 ] && [ "$(wc -l <"$T/log")" = 1 ] && ok "--wait: already INSYNC, no poll" ||
	nok "--wait: already INSYNC, no poll" "rc $RC, $(cat "$T/log")"

# --- transport failures -----------------------------------------------------------------
: >"$T/log"
"$CLI" --socket "$T/absent.sock" get-change --id C1 >"$T/out" 2>"$T/err"
RC=$?
expect "daemon not reachable: exit 255, path and errno" 255 "Could not connect to mvdns-control on \"$T/absent.sock\": No such file or directory"
answer '{"GetChange": [{"Result": {"ChangeInfo": {"Id": "C1", "Status": "INSYNC"}}}]}'
MVDNS_CONTROL_SOCKET=$SOCK "$CLI" get-change --id C1 >"$T/out" 2>"$T/err"
RC=$?
expect "MVDNS_CONTROL_SOCKET selects the socket" 0
answer '{"GetChange": [{"__close__": true}]}'
cli get-change --id C1
expect "daemon closes without answering: exit 255" 255 "closed the connection"
answer '{"GetChange": [{"__raw__": "not json\n"}]}'
cli get-change --id C1
expect "unparsable response: exit 255" 255 "Invalid response from mvdns-control"
answer '{"GetChange": [{"__sleep__": 1}]}'
cli --cli-read-timeout 0.3 get-change --id C1
expect "no response in time: exit 255" 255 "Read timeout on mvdns-control's socket"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

#!/usr/bin/env python3
# Regenerate the golden outputs from the AWS CLI's own formatters (awscli 1.x
# importable, no network needed): the expected mvdnsctl output for each canned
# Result <operation-verb>.json is what `aws route53 <verb> --output <format>`
# prints for it. Text output of a paginated list keeps its result key only, as
# the AWS CLI's paginator does. Run from this directory.
import argparse
import json
import sys

from awscli.formatter import get_formatter

# file stem: (operation, paginator result key, formats). get-hosted-zone holds
# non-ASCII text, whose table widths mvdnsctl only approximates (Python counts
# East Asian ambiguous characters such as 'é' as two columns).
CASES = {
    'list-resource-record-sets': ('ListResourceRecordSets', 'ResourceRecordSets',
                                  ('json', 'table', 'text')),
    'get-change': ('GetChange', None, ('json', 'table', 'text')),
    'list-hosted-zones': ('ListHostedZones', 'HostedZones', ('json', 'table', 'text')),
    'get-hosted-zone': ('GetHostedZone', None, ('json', 'text')),
}
args = argparse.Namespace(query=None, color='off')
for stem, (operation, result_key, formats) in CASES.items():
    data = json.load(open(stem + '.json'))
    for fmt in formats:
        shown = data
        if fmt == 'text' and result_key:
            shown = {result_key: data[result_key]}
        with open('%s.%s.out' % (stem, fmt), 'w') as out:
            get_formatter(fmt, args)(operation, shown, out)
print('ok', file=sys.stderr)

#!/usr/bin/env python3
# Regenerate the golden outputs with the AWS CLI's own formatters (awscli 1.x
# importable; no network needed). <stem>.json is the Result mvdns-control
# answers; <stem>.<format>.out is what `aws route53 <stem> --output <format>`
# prints for it. For the paginated lists, <stem>.json is one page of the API's
# answer, and the AWS CLI prints its paginator's full result: the result key
# only (mvdnsctl's tests/cli/test_cli.sh checks the paging itself).
# Run from this directory.
import argparse
import json

from awscli.formatter import get_formatter

# stem: (operation, paginator result key, formats). get-hosted-zone holds
# non-ASCII text, whose table widths mvdnsctl only approximates (Python counts
# East Asian ambiguous characters such as 'é' as two columns).
CASES = {
    'list-resource-record-sets': ('ListResourceRecordSets', 'ResourceRecordSets',
                                  ('json', 'table', 'text')),
    'list-hosted-zones': ('ListHostedZones', 'HostedZones', ('json', 'table', 'text')),
    'get-change': ('GetChange', None, ('json', 'table', 'text')),
    'get-health-check': ('GetHealthCheck', None, ('json', 'table', 'text')),
    'get-hosted-zone': ('GetHostedZone', None, ('json', 'text')),
}
args = argparse.Namespace(query=None, color='off')
for stem, (operation, result_key, formats) in CASES.items():
    data = json.load(open(stem + '.json'))
    if result_key:
        data = {result_key: data[result_key]}
    for fmt in formats:
        with open('%s.%s.out' % (stem, fmt), 'w') as out:
            get_formatter(fmt, args)(operation, data, out)

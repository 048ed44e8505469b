#!/usr/bin/python3
# A stand-in for mvdns-control, for tests/cli/test_cli.sh only: it listens on
# a unix socket, appends every request line to LOG, and answers from SCRIPT, a
# JSON object {"<Operation>": [response, response, ...]}: the n-th request for
# an operation gets the n-th response (the last one repeats); "*" answers the
# operations not listed. Counters restart whenever SCRIPT is written again.
# A response is sent as one JSON line, except {"__close__": true} (close
# without answering), {"__raw__": "text"} (send text as is) and
# {"__sleep__": seconds} (wait, then close).
# Usage: fake_control.py SOCKET SCRIPT LOG
import json
import os
import socket
import sys
import time

sock_path, script_path, log_path = sys.argv[1:4]
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(sock_path)
server.listen(16)
seen_script, counters = None, {}
while True:
    conn, _ = server.accept()
    with conn:
        line = conn.makefile('rb').readline()
        with open(log_path, 'ab') as log:
            log.write(line)
        try:
            with open(script_path, 'rb') as f:
                script_text = f.read()
            version = (os.stat(script_path).st_mtime_ns, script_text)
        except OSError:
            script_text, version = b'{}', None
        if version != seen_script:
            seen_script, counters = version, {}
        try:
            op = json.loads(line)['Operation']
        except (ValueError, KeyError, TypeError):
            op = None
        script = json.loads(script_text)
        answers = script.get(op) or script.get('*') or [
            {'Error': {'Code': 'InvalidAction', 'Message': 'no canned answer for %s' % op}}]
        n = counters.get(op, 0)
        counters[op] = n + 1
        answer = answers[min(n, len(answers) - 1)]
        if '__close__' in answer:
            continue
        if '__sleep__' in answer:
            time.sleep(answer['__sleep__'])
            continue
        if '__raw__' in answer:
            conn.sendall(answer['__raw__'].encode())
            continue
        conn.sendall(json.dumps(answer).encode() + b'\n')

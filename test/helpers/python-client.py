"""`python3 <args>` through the test run's Python server (test/helpers/python-zygote.py), which has torch
imported already: sends this process's standard streams, folder, environment and arguments, and exits with
the program's exit code. Without a server it runs Python itself."""
import json
import os
import socket
import sys

PYTHON = '/usr/bin/python3'
path, args = sys.argv[1], sys.argv[2:]
conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
try:
    conn.connect(path)
except OSError:
    os.execv(PYTHON, [PYTHON, *args])
request = json.dumps({'argv': args, 'cwd': os.getcwd(), 'env': dict(os.environ)}).encode()
socket.send_fds(conn, [request], [0, 1, 2])
reply = conn.recv(16)
if not reply:
    print('python server: the program ended without an exit code (killed?)', file=sys.stderr)
sys.exit(int(reply) if reply else 1)

"""Starts Python programs for the tests with torch already imported (test/setup/python-zygote.ts).

Importing torch takes about 1.5 s of CPU; the tests run Python some thirty times. This server imports it once,
then forks a child per request: the child takes the client's standard streams, working folder, environment and
arguments, runs the program as `python3 <args>` would (a script, -c code or -m module) and sends back its exit
code. Nothing here runs a torch operation, so the fork copies a single-threaded process (no thread pool to lose).
"""
import json
import os
import runpy
import signal
import socket
import sys
import traceback

import numpy  # noqa: F401  the imports worth sharing
import torch  # noqa: F401

# What a fresh process would use: torch drops a forked child to one thread (in case the parent's thread pool
# was running), and this parent never starts its pool, so the child can have them all back.
THREADS = torch.get_num_threads()

try:
    import PIL.Image  # noqa: F401
    import onnx  # noqa: F401
except ImportError:
    pass


def run(argv):
    """What `python3 <argv>` does with its arguments; returns the exit code."""
    try:
        if argv[0] == '-c':
            sys.argv = ['-c', *argv[2:]]
            sys.path.insert(0, '')
            exec(compile(argv[1], '<string>', 'exec'), {'__name__': '__main__', '__builtins__': __builtins__})
        elif argv[0] == '-m':
            sys.argv = [argv[1], *argv[2:]]
            sys.path.insert(0, os.getcwd())
            runpy.run_module(argv[1], run_name='__main__', alter_sys=True)
        elif not os.path.isfile(argv[0]):
            print(f"python3: can't open file {os.path.abspath(argv[0])!r}", file=sys.stderr)
            return 2
        else:
            sys.argv = list(argv)
            sys.path.insert(0, os.path.dirname(os.path.abspath(argv[0])))
            runpy.run_path(argv[0], run_name='__main__')
        return 0
    except SystemExit as stop:
        if stop.code is None:
            return 0
        if isinstance(stop.code, int):
            return stop.code
        print(stop.code, file=sys.stderr)
        return 1
    except BaseException:
        traceback.print_exc()
        return 1


def serve(conn):
    message, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
    request = json.loads(message)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request['cwd'])
    os.environ.clear()
    os.environ.update(request['env'])
    torch.set_num_threads(THREADS)
    code = run(request['argv'])
    sys.stdout.flush()
    sys.stderr.flush()
    conn.send(str(code).encode())
    os._exit(code)


def main():
    server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    server.bind(sys.argv[1])
    server.listen(16)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    parent = os.getppid()
    server.settimeout(2)
    while os.getppid() == parent:  # ends with the test run that started it, however that ends
        try:
            conn, _ = server.accept()
        except TimeoutError:
            continue
        conn.settimeout(None)
        if os.fork() == 0:
            server.close()
            try:
                serve(conn)
            finally:
                os._exit(1)
        conn.close()


main()

#!/usr/bin/env python3
"""Load generator for bench/listen.sh; prints one number: operations per second.

  listen_client.py tcp PORT SECONDS CONCURRENCY   connect to 127.0.0.1:PORT, read the whole reply, expect b"hi\\n"
  listen_client.py cmd SECONDS CONCURRENCY -- CMD...  run CMD (stdio on /dev/null) back to back

CONCURRENCY workers (threads) run in parallel for SECONDS; failures are reported on stderr and
make the exit status 1.
"""
import os
import socket
import sys
import threading
import time


def tcp_once(port):
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return data == b"hi\n"


def cmd_once(argv, devnull):
    # posix_spawn + waitpid: the cheapest way to run a command from Python (no shell, no fork of the interpreter).
    pid = os.posix_spawn(argv[0], argv, os.environ,
                         file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1),
                                       (os.POSIX_SPAWN_DUP2, devnull, 2)])
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def main():
    mode = sys.argv[1]
    if mode == "tcp":
        port, secs, conc = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
        op = lambda: tcp_once(port)
    elif mode == "cmd":
        secs, conc = float(sys.argv[2]), int(sys.argv[3])
        argv = sys.argv[sys.argv.index("--") + 1:]
        devnull = os.open("/dev/null", os.O_RDWR)
        op = lambda: cmd_once(argv, devnull)
    else:
        sys.exit("usage: see the docstring")
    ok = [0] * conc
    bad = [0] * conc
    deadline = time.monotonic() + secs

    def worker(i):
        while time.monotonic() < deadline:
            try:
                if op():
                    ok[i] += 1
                else:
                    bad[i] += 1
            except OSError as e:
                bad[i] += 1
                print("error: %s" % e, file=sys.stderr)

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(conc)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    if sum(bad):
        print("%d failed operations" % sum(bad), file=sys.stderr)
    print("%.1f" % (sum(ok) / elapsed))
    sys.exit(1 if sum(bad) else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Load generator for bench/listen.sh; prints one number: operations per second.

  listen_client.py tcp PORT SECONDS CONCURRENCY   connect to 127.0.0.1:PORT, read the whole reply, expect b"hi\\n"
  listen_client.py cmd SECONDS CONCURRENCY -- CMD...  run CMD (stdio on /dev/null) back to back
  listen_client.py bulk PORT MIB     one connection to a jailed /bin/cat: send MIB MiB while reading
                                     the echo back (concurrently) until as many bytes came back;
                                     prints MiB/s (MiB each way / seconds from connect to the last byte)

CONCURRENCY workers (threads) run in parallel for SECONDS; failures are reported on stderr and
make the exit status 1.

--rss-pid PID (before the mode): samples PID's VmRSS every 50 ms while the workers run and prints
"rss_max_kib=N" on stderr (bench/vs-nsjail.sh: the supervisor's resident set under load).
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


def bulk(port, mib):
    """Sends mib MiB and reads the echo concurrently; returns MiB/s, or raises on a short echo."""
    total = mib << 20
    block = bytes(range(256)) * 4096  # 1 MiB
    view = memoryview(block)
    got = [0]

    def reader(s):
        # Until every byte is back, not until EOF: nsjail SIGKILLs a LISTEN jail as soon as the client
        # half-closes (its splice() reads 0), which would cut off cat's last writes.
        while got[0] < total:
            b = s.recv(1 << 20)
            if not b:
                return
            got[0] += len(b)

    t0 = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as s:
        th = threading.Thread(target=reader, args=(s,))
        th.start()
        left = total
        while left > 0:
            n = min(left, len(block))
            s.sendall(view[:n])
            left -= n
        th.join()
    elapsed = time.monotonic() - t0
    if got[0] != total:
        raise OSError("bulk: sent %d bytes, %d came back before EOF" % (total, got[0]))
    return mib / elapsed


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    rss_pid = None
    if len(sys.argv) > 2 and sys.argv[1] == "--rss-pid":
        rss_pid = int(sys.argv[2])
        del sys.argv[1:3]
    mode = sys.argv[1]
    if mode == "bulk":
        try:
            print("%.1f" % bulk(int(sys.argv[2]), int(sys.argv[3])))
        except OSError as e:
            sys.exit("error: %s" % e)
        return
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

    rss_max = [0]
    sampling = threading.Event()

    def sampler():
        while not sampling.wait(0.05):
            rss_max[0] = max(rss_max[0], rss_kib(rss_pid))

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(conc)]
    if rss_pid is not None:
        threads.append(threading.Thread(target=sampler))
    for t in threads:
        t.start()
    for t in threads[:conc]:
        t.join()
    elapsed = time.monotonic() - t0
    sampling.set()
    for t in threads[conc:]:
        t.join()
    if rss_pid is not None:
        print("rss_max_kib=%d" % max(rss_max[0], rss_kib(rss_pid)), file=sys.stderr)
    if sum(bad):
        print("%d failed operations" % sum(bad), file=sys.stderr)
    print("%.1f" % (sum(ok) / elapsed))
    sys.exit(1 if sum(bad) else 0)


if __name__ == "__main__":
    main()

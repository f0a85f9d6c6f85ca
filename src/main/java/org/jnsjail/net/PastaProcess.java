package org.jnsjail.net;

import org.jnsjail.model.SetupStep;

import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.jnsjail.model.JailFailure;
import org.jnsjail.model.UserNet;
import org.jnsjail.log.Log;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Signals;
import org.jnsjail.sys.Syscall;
import org.jnsjail.sys.PollEvent;
import org.jnsjail.sys.Structs;

/**
 * The pasta(1) backend of user_net: pasta joins the jail's user and network namespaces through its
 * pid, creates and configures the interface there, and carries the traffic. Lifetimes are tied
 * as in nsjail: the jail ending kills pasta, pasta dying kills the jail, and the supervisor dying
 * kills pasta (PR_SET_PDEATHSIG, set by the exec stub before it execs pasta).
 */
final class PastaProcess implements AutoCloseable {
    private static final int READY_TIMEOUT_MS = 10_000;

    private final int pid, pidfd, jailPidfd, wakeR, wakeW;
    private final Thread watcher;
    private volatile boolean closing;

    private PastaProcess(int pid, int pidfd, int jailPidfd, int[] wake, String label) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.jailPidfd = jailPidfd;
        this.wakeR = wake[0];
        this.wakeW = wake[1];
        this.watcher = Thread.ofPlatform().daemon().name("jnsjail-pasta-" + pid).unstarted(() -> watch(label));
    }

    /** $NSJAIL_PASTA_PATH, else the first executable "pasta" on $PATH (nsjail's order, without an embedded copy). */
    static String binary() throws JailFailure {
        String env = System.getenv("NSJAIL_PASTA_PATH");
        if (env != null && !env.isEmpty()) {
            if (!new File(env).canExecute()) throw new JailFailure(SetupStep.NETWORK, "user_net: NSJAIL_PASTA_PATH='" + env
                    + "' is not an executable file");
            return env;
        }
        String path = System.getenv("PATH");
        for (String dir : (path == null ? "/usr/local/bin:/usr/bin:/bin" : path).split(":")) {
            File f = new File(dir.isEmpty() ? "." : dir, "pasta");
            if (f.isFile() && f.canExecute()) return f.getPath();
        }
        throw new JailFailure(SetupStep.NETWORK, "user_net: backend PASTA needs pasta(1) (Debian/Ubuntu package 'passt') on $PATH or in"
                + " $NSJAIL_PASTA_PATH");
    }

    /** nsjail's pasta command line for the jail {@code jailPid}; a bad option is an IllegalArgumentException. */
    static List<String> argv(String binary, UserNet un, int jailPid, boolean runAsRoot) {
        UserNet.Pasta p = un.pasta();
        if (!p.ip4Enabled() && !p.ip6Enabled()) {
            throw new IllegalArgumentException("user_net.pasta: ip4_enabled and ip6_enabled are both false");
        }
        List<String> a = new ArrayList<>(List.of(binary, "-f", "-q"));
        // pasta started as root switches to "nobody" before it joins the namespaces, and nobody may
        // not open a root-owned jail's /proc/PID/ns/user: stay the supervisor's (root) ids then.
        if (runAsRoot) a.addAll(List.of("--runas", "0:0"));
        if (!p.enableIp4Dhcp()) a.add("--no-dhcp");
        if (!p.enableIp6Dhcp()) a.add("--no-dhcpv6");
        if (!p.enableIp6Ra()) a.add("--no-ra");
        if (!p.enableIp4Dhcp()) a.add("--config-net");
        if (p.enableDns()) a.add("--dhcp-dns");
        if (!p.dnsForward().isEmpty()) a.addAll(List.of("--dns-forward", p.dnsForward()));
        if (!p.enableTcp()) a.add("--no-tcp");
        if (!p.enableUdp()) a.add("--no-udp");
        if (!p.enableIcmp()) a.add("--no-icmp");
        if (!p.mapGw()) a.add("--no-map-gw");
        if (p.ip4Enabled()) {
            Inet.ipv4(un.ip4(), "user_net.ip4");
            Inet.prefixOfNetmask(p.mask4(), "user_net.pasta.mask4");
            Inet.ipv4(un.gw4(), "user_net.gw4");
            a.addAll(List.of("-a", un.ip4(), "-n", p.mask4(), "-g", un.gw4()));
        }
        if (p.ip6Enabled()) {
            Inet.ipv6(un.ip6(), "user_net.ip6");
            Inet.ipv6(un.gw6(), "user_net.gw6");
            a.addAll(List.of("-a", un.ip6(), "-g", un.gw6()));
        }
        if (!p.ip4Enabled()) a.add("-6");
        if (!p.ip6Enabled()) a.add("-4");
        a.addAll(List.of("-I", un.nsIface(), "-t", p.tcpMapIn(), "-u", p.udpMapIn(), "-T", p.tcpMapOut(),
                "-U", p.udpMapOut()));
        if (!p.nat()) a.add("--splice-only");
        a.add(Integer.toString(jailPid));
        return a;
    }

    /** Starts pasta on the jail and returns once it has configured the interface (seen over {@code nl}). */
    static PastaProcess start(UserNet un, String binary, int jailPid, RtnlSocket nl, String label)
            throws JailFailure {
        List<String> argv = argv(binary, un, jailPid, Libc.geteuid() == 0);
        Log.debug("Starting pasta: " + String.join(" ", argv));
        int devNull = -1, errFile = -1, pid = -1, pidfd = -1, jailPidfd = -1;
        int[] wake = null;
        boolean ok = false;
        try {
            devNull = Libc.open("/dev/null", Fcntl.O_RDWR | Fcntl.O_CLOEXEC, 0);
            // stderr into a memfd: it never blocks pasta, and says why pasta failed if it does.
            errFile = Libc.memfdCreate("jnsjail-pasta-stderr", 1 /* MFD_CLOEXEC */);
            // Through the exec stub, for a parent-death signal: a crashed supervisor takes pasta along.
            // pasta reads no environment we must hide, but a clean one keeps the host's secrets out of its /proc.
            pid = org.jnsjail.stub.HelperProcess.start(argv.getFirst(), argv, List.of("PATH=/usr/bin:/bin"),
                    devNull, devNull, errFile);
            pidfd = pidfdOpen(pid);
            jailPidfd = pidfdOpen(jailPid);
            waitReady(un, nl, pid, pidfd, errFile);
            wake = Libc.pipe2(Fcntl.O_CLOEXEC);
            PastaProcess p = new PastaProcess(pid, pidfd, jailPidfd, wake, label);
            p.watcher.start();
            ok = true;
            return p;
        } catch (ErrnoException e) {
            throw new JailFailure(SetupStep.NETWORK, "user_net: Couldn't start pasta: " + e.getMessage(), e);
        } finally {
            if (devNull >= 0) Libc.close(devNull);
            if (errFile >= 0) Libc.close(errFile);
            if (!ok) {
                if (pid > 0) {
                    Libc.kill(pid, Signals.SIGKILL);
                    reap(pid);
                }
                if (pidfd >= 0) Libc.close(pidfd);
                if (jailPidfd >= 0) Libc.close(jailPidfd);
                if (wake != null) {
                    Libc.close(wake[0]);
                    Libc.close(wake[1]);
                }
            }
        }
    }

    /**
     * pasta --config-net adds the default route last, so that route (of the first enabled family)
     * means the interface is ready; with DHCP the jail configures itself, so its existence is enough.
     */
    private static void waitReady(UserNet un, RtnlSocket nl, int pid, int pidfd, int errFile) throws JailFailure {
        long deadline = System.nanoTime() + READY_TIMEOUT_MS * 1_000_000L;
        int family = un.pasta().ip4Enabled() ? FamilyHeader.AF_INET : FamilyHeader.AF_INET6;
        boolean dhcp = un.pasta().enableIp4Dhcp();
        for (int sleepMs = 1;; sleepMs = Math.min(sleepMs * 2, 20)) {
            try {
                if (dhcp) {
                    if (hasLink(nl, un.nsIface())) return;
                } else if (hasDefaultRoute(nl, family)) {
                    return;
                }
            } catch (NetlinkException e) {
                throw new JailFailure(SetupStep.NETWORK, "user_net: watching pasta configure the jail: " + e.getMessage(), e);
            }
            if (exited(pidfd)) {
                int status = reap(pid);
                String why = lastLine(errFile);
                throw new JailFailure(SetupStep.NETWORK, "user_net: pasta exited (" + describe(status) + ") before it configured '"
                        + un.nsIface() + "' in the jail" + (why.isEmpty() ? "" : ": " + why));
            }
            if (System.nanoTime() > deadline) {
                throw new JailFailure(SetupStep.NETWORK, "user_net: pasta did not configure '" + un.nsIface() + "' within "
                        + READY_TIMEOUT_MS / 1000 + " s");
            }
            try {
                Thread.sleep(sleepMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JailFailure(SetupStep.NETWORK, "user_net: interrupted while waiting for pasta");
            }
        }
    }

    /** pasta's last line on stderr, without its complaints about a missing syslog. */
    private static String lastLine(int errFile) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(8192);
            long n = Libc.sys(Syscall.SYS_pread64, errFile, buf.address(), buf.byteSize(), 0, 0, 0);
            if (n <= 0) return "";
            String text = new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE),
                    java.nio.charset.StandardCharsets.UTF_8);
            String last = "";
            for (String line : text.split("\n")) {
                if (!line.isBlank() && !line.startsWith("Failed to send ")) last = line.strip();
            }
            return last;
        }
    }

    private static boolean hasLink(RtnlSocket nl, String name) throws NetlinkException {
        try {
            nl.linkIndex(name, "the jail's network namespace");
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == 19 /* ENODEV */) return false;
            throw e;
        }
    }

    private static boolean hasDefaultRoute(RtnlSocket nl, int family) throws NetlinkException {
        for (NlMessage m : nl.dump("dumping the jail's routes", RtnlRequests.dumpRoutes(family))) {
            byte[] b = m.body();
            // struct rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type
            if (b.length >= 12 && (b[1] & 0xff) == 0 && (b[4] & 0xff) == FamilyHeader.RtMsg.RT_TABLE_MAIN) return true;
        }
        return false;
    }

    /** Kills the jail if pasta dies first (nsjail: "if pasta dies, the jail is killed"). */
    private void watch(String label) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(2 * Structs.Pollfd.SIZE, 4);
            fds.set(ValueLayout.JAVA_INT, Structs.Pollfd.FD, pidfd);
            fds.set(ValueLayout.JAVA_SHORT, Structs.Pollfd.EVENTS, (short) PollEvent.POLLIN.bit);
            fds.set(ValueLayout.JAVA_INT, Structs.Pollfd.SIZE + Structs.Pollfd.FD, wakeR);
            fds.set(ValueLayout.JAVA_SHORT, Structs.Pollfd.SIZE + Structs.Pollfd.EVENTS, (short) PollEvent.POLLIN.bit);
            while (Libc.poll(fds, 2, -1) < 0) {
                if (closing) return;
            }
            if (closing) return;
            Log.warn("pasta (pid " + pid + ") of " + label + " exited: killing the jail");
            Libc.sys(Syscall.SYS_pidfd_send_signal, jailPidfd, Signals.SIGKILL, 0, 0, 0, 0);
        }
    }

    @Override
    public void close() {
        closing = true;
        Libc.sys(Syscall.SYS_pidfd_send_signal, pidfd, Signals.SIGKILL, 0, 0, 0, 0);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(1);
            Libc.writeFully(wakeW, one);
        } catch (ErrnoException e) {
            // the watcher also ends when pasta's pidfd turns readable
        }
        try {
            watcher.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reap(pid);
        Libc.close(pidfd);
        Libc.close(jailPidfd);
        Libc.close(wakeR);
        Libc.close(wakeW);
    }

    private static int pidfdOpen(int pid) throws ErrnoException {
        long fd = Libc.sys(Syscall.SYS_pidfd_open, pid, 0, 0, 0, 0, 0);
        if (fd < 0) throw new ErrnoException("pidfd_open(" + pid + ")", Libc.errno());
        return (int) fd;
    }

    private static boolean exited(int pidfd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment fds = a.allocate(Structs.Pollfd.SIZE, 4);
            fds.set(ValueLayout.JAVA_INT, Structs.Pollfd.FD, pidfd);
            fds.set(ValueLayout.JAVA_SHORT, Structs.Pollfd.EVENTS, (short) PollEvent.POLLIN.bit);
            return Libc.poll(fds, 1, 0) > 0;
        }
    }

    private static int reap(int pid) {
        try {
            return Libc.waitpid(pid, 0);
        } catch (ErrnoException e) {
            return -1;
        }
    }

    private static String describe(int status) {
        if (status < 0) return "status unknown";
        if ((status & 0x7f) == 0) return "exit " + ((status >> 8) & 0xff);
        return "signal " + Signals.name(status & 0x7f);
    }
}

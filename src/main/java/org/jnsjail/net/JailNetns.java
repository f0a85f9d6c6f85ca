package org.jnsjail.net;

import java.util.concurrent.atomic.AtomicReference;

import org.jnsjail.sys.CloneFlag;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.NetlinkSys;

/**
 * Opens an rtnetlink socket inside a jail's network namespace without moving the JVM there.
 *
 * <p>A socket belongs for life to the network namespace it was created in (network_namespaces(7)),
 * and setns(2) with CLONE_NEWNET changes only the calling thread. So a short-lived platform thread
 * of its own enters /proc/PID/ns/net, creates the socket, goes back to its original namespace and
 * ends; it runs no other code, so no JVM or application work can happen in the jail's namespace.
 */
public final class JailNetns {
    private JailNetns() {}

    public static RtnlSocket openRtnl(int pid) throws NetlinkException {
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("jnsjail-netns-" + pid).start(() -> result.set(openOnThisThread(pid)));
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // The thread still finishes; a socket it opens is then leaked until exit. Rare and harmless.
            throw new NetlinkException("interrupted while entering the jail's network namespace", Errno.EINTR);
        }
        if (result.get() instanceof Integer fd) return RtnlSocket.adopt(fd);
        if (result.get() instanceof NetlinkException e) throw e;
        throw new NetlinkException("entering the jail's network namespace failed: " + result.get(), Errno.EIO);
    }

    private static Object openOnThisThread(int pid) {
        int home = -1, target = -1;
        try {
            home = Libc.open("/proc/thread-self/ns/net", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
            target = Libc.open("/proc/" + pid + "/ns/net", Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
            NetlinkSys.setns(target, CloneFlag.CLONE_NEWNET.value, "the jail's network namespace");
            try {
                return NetlinkSys.openRoute();
            } finally {
                try {
                    NetlinkSys.setns(home, CloneFlag.CLONE_NEWNET.value, "back");
                } catch (ErrnoException e) {
                    // Harmless: this thread ends right away and nothing else ever runs on it.
                }
            }
        } catch (ErrnoException e) {
            return new NetlinkException("Couldn't open an rtnetlink socket in the jail's network namespace: "
                    + e.getMessage(), e.errno());
        } catch (RuntimeException e) {
            return e;
        } finally {
            if (target >= 0) Libc.close(target);
            if (home >= 0) Libc.close(home);
        }
    }
}

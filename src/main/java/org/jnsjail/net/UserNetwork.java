package org.jnsjail.net;

import org.jnsjail.model.SetupStep;

import java.util.List;

import org.jnsjail.model.JailFailure;
import org.jnsjail.model.UserNet;
import org.jnsjail.log.Log;
import org.jnsjail.net.nstun.Nstun;
import org.jnsjail.model.JailResource;
import org.jnsjail.sys.Libc;

/**
 * user_net for one jail (nsjail's net::initParent for NSTUN and PASTA, §3.13).
 *
 * <p>The jail opens /dev/net/tun and an rtnetlink socket inside its own network namespace and
 * hands both over (see PlanBuilder); {@link #takeFds} then creates the TUN interface (TUNSETIFF on
 * the jail's fd: the device is born in the namespace the fd was opened in, tun.c), configures it
 * over the jail's netlink socket (the kernel checks CAP_NET_ADMIN against the jail's user
 * namespace, which this supervisor owns), and starts the {@link Nstun} stack on it. For pasta, it
 * starts pasta(1) on the jail's pid and waits, over the same netlink socket, until pasta has
 * configured the interface, so the jailed program never starts without its network.
 */
public final class UserNetwork implements JailResource {
    /** TUNSETIFF = _IOW('T', 202, int) (linux/if_tun.h); IFF_TUN, IFF_NO_PI: bare IP packets. */
    private static final long TUNSETIFF = 0x400454caL;
    private static final int IFF_TUN = 0x0001, IFF_NO_PI = 0x1000;
    private static final int IFNAMSIZ = 16;
    private static final String JAIL = "the jail's network namespace";

    private final UserNet un;
    private String label = "jail";
    private int pid = -1;
    private Nstun stack;
    private PastaProcess pasta;
    /** pasta(1) as found in prepare(), before the clone. */
    private String pastaBinary;

    public UserNetwork(UserNet un) {
        this.un = un;
    }

    /** Every address, name and rule checked without touching the kernel; one-line IllegalArgumentException. */
    public static void check(UserNet un) {
        String n = un.nsIface();
        if (n == null || n.isEmpty() || n.length() >= IFNAMSIZ || n.equals(".") || n.equals("..")
                || n.chars().anyMatch(c -> c == '/' || c == ':' || c <= ' ' || c >= 0x7f)) {
            throw new IllegalArgumentException("user_net.ns_iface: '" + n + "' is not a valid interface name");
        }
        if (un.backend() == UserNet.Backend.NSTUN) {
            Nstun.check(un);
            return;
        }
        if (!un.rule4().isEmpty() || !un.rule6().isEmpty()) {
            // A firewall the user believes in must not silently vanish.
            throw new IllegalArgumentException("user_net.rule4/rule6 apply only to the NSTUN backend, not to PASTA");
        }
        if (un.pasta() != null) PastaProcess.argv("pasta", un, 1, false);
    }

    /** Settings that are valid but have no effect, for the CLI to say once (nothing is silently ignored). */
    public static List<String> unusedSettings(UserNet un) {
        if (un.backend() == UserNet.Backend.NSTUN && un.pasta() != null) {
            return List.of("user_net: the 'pasta' options are unused with the NSTUN backend");
        }
        if (un.backend() == UserNet.Backend.PASTA && un.pasta() == null) {
            return List.of("user_net: backend PASTA without a 'pasta {}' message starts no pasta (as in nsjail):"
                    + " the jail has only lo");
        }
        return List.of();
    }

    @Override
    public int prepare() throws JailFailure {
        try {
            check(un);
        } catch (IllegalArgumentException e) {
            throw new JailFailure(SetupStep.NETWORK, e.getMessage());
        }
        if (un.backend() == UserNet.Backend.PASTA && un.pasta() != null) pastaBinary = PastaProcess.binary();
        return -1;
    }

    @Override
    public void attach(int pid) {
        this.pid = pid;
        this.label = "pid " + pid;
    }

    @Override
    public boolean takeFds(int kind, int[] fds) throws JailFailure {
        if (kind != org.jnsjail.stub.HandOver.USER_NET.value) return false;
        RtnlSocket nl = RtnlSocket.adopt(fds[0]);
        try {
            if (un.backend() == UserNet.Backend.NSTUN) {
                if (fds.length != 2) throw new JailFailure(SetupStep.NETWORK, "user_net: the jail handed over " + fds.length + " fds");
                int tun = fds[1];
                int index;
                try {
                    tunSetIff(tun, un.nsIface());
                    index = nl.linkIndex(un.nsIface(), JAIL);
                    configure(nl, index);
                } catch (NetlinkException e) {
                    Libc.close(tun);
                    throw new JailFailure(SetupStep.NETWORK, "user_net: " + e.getMessage(), e);
                } catch (JailFailure e) {
                    Libc.close(tun);
                    throw e;
                }
                stack = Nstun.start(un, tun, label);
            } else {
                pasta = PastaProcess.start(un, pastaBinary, pid, nl, label);
            }
            return true;
        } finally {
            nl.close();
        }
    }

    private static void tunSetIff(int fd, String name) throws JailFailure {
        try (var a = java.lang.foreign.Arena.ofConfined()) {
            var ifr = a.allocate(40); // struct ifreq
            byte[] b = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            ifr.asSlice(0, b.length).copyFrom(java.lang.foreign.MemorySegment.ofArray(b));
            ifr.set(java.lang.foreign.ValueLayout.JAVA_SHORT, IFNAMSIZ, (short) (IFF_TUN | IFF_NO_PI));
            long rc = Libc.sys(org.jnsjail.sys.Syscall.SYS_ioctl, fd, TUNSETIFF, ifr.address(), 0, 0, 0);
            if (rc < 0) {
                throw new JailFailure(SetupStep.NETWORK, "user_net: Couldn't create TUN interface '" + name + "' (TUNSETIFF): "
                        + org.jnsjail.sys.Errno.describe(Libc.errno()));
            }
        }
    }

    /** nsjail's addresses and routes: ip4 with peer gw4/32, ip6/128, default routes out of the device. */
    private void configure(RtnlSocket nl, int index) throws NetlinkException {
        byte[] ip4 = Inet.ipv4(un.ip4(), "user_net.ip4"), gw4 = Inet.ipv4(un.gw4(), "user_net.gw4");
        String dev = "'" + un.nsIface() + "'";
        nl.ack("Couldn't bring " + dev + " up with MTU " + Nstun.MTU, RtnlRequests.setMtuUp(index, Nstun.MTU));
        nl.ack("Couldn't set " + un.ip4() + " peer " + un.gw4() + " on " + dev, RtnlRequests.newAddrPeer4(index, ip4, gw4));
        nl.ack("Couldn't add the default IPv4 route on " + dev,
                RtnlRequests.defaultDevRoute(FamilyHeader.AF_INET, index));
        try {
            nl.ack("Couldn't set " + un.ip6() + "/128 on " + dev,
                    RtnlRequests.newAddr6(index, Inet.ipv6(un.ip6(), "user_net.ip6")));
            nl.ack("Couldn't add the default IPv6 route on " + dev,
                    RtnlRequests.defaultDevRoute(FamilyHeader.AF_INET6, index));
        } catch (NetlinkException e) {
            // A host booted without IPv6 (or with it disabled) still gets IPv4.
            Log.warn("user_net: no IPv6 in the jail: " + e.getMessage());
        }
    }

    @Override
    public void release() {
        if (stack != null) {
            stack.close();
            stack = null;
        }
        if (pasta != null) {
            pasta.close();
            pasta = null;
        }
    }
}

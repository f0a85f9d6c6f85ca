package org.jnsjail.net;

import java.util.List;

import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.NetlinkSys;

/**
 * A synchronous rtnetlink client (rtnetlink(7)): each request carries NLM_F_ACK and its own
 * sequence number, and the call returns once the kernel's NLMSG_ERROR for it arrives. An error
 * becomes one line: the operation, strerror(errno), and the kernel's extended-ack text if any.
 * The socket acts in the network namespace it was opened in (see {@link JailNetns}).
 */
public final class RtnlSocket implements AutoCloseable {
    private static final int RECV_MAX = 32768;

    private final int fd;
    private int seq;

    private RtnlSocket(int fd) {
        this.fd = fd;
    }

    /** A socket in the calling thread's network namespace. */
    public static RtnlSocket open() throws NetlinkException {
        try {
            return new RtnlSocket(NetlinkSys.openRoute());
        } catch (ErrnoException e) {
            throw new NetlinkException("Couldn't open an rtnetlink socket: " + e.getMessage(), e.errno());
        }
    }

    /** Takes ownership of an already opened NETLINK_ROUTE socket (e.g. one the jail opened in its namespace). */
    public static RtnlSocket adopt(int fd) {
        return new RtnlSocket(fd);
    }

    /** Sends the request and waits for its acknowledgement. */
    public void ack(String what, NlMessageBuilder request) throws NetlinkException {
        exchange(what, request);
    }

    /** Sends a request that has one reply (e.g. RTM_GETLINK by name) and returns that reply. */
    public NlMessage query(String what, NlMessageBuilder request) throws NetlinkException {
        NlMessage reply = exchange(what, request);
        if (reply == null) throw new NetlinkException(what + ": the kernel sent no reply", Errno.EIO);
        return reply;
    }

    /** The ifindex of {@code name} in this socket's namespace (RTM_GETLINK, IFLA_IFNAME). */
    public int linkIndex(String name, String where) throws NetlinkException {
        NlMessage m = query("Couldn't find interface '" + name + "' in " + where, RtnlRequests.getLink(name));
        return m.intAt(4); // ifinfomsg.ifi_index
    }

    /** Sends a dump request and returns every reply message, up to NLMSG_DONE. */
    public List<NlMessage> dump(String what, NlMessageBuilder request) throws NetlinkException {
        int mySeq = ++seq;
        List<NlMessage> out = new java.util.ArrayList<>();
        try {
            NetlinkSys.sendToKernel(fd, request.build(mySeq));
            for (;;) {
                for (NlMessage m : NlMessage.parseAll(NetlinkSys.recv(fd, RECV_MAX))) {
                    if (m.seq() != mySeq) continue;
                    if (m.type() == NlMsgType.NLMSG_DONE.value) return out;
                    if (m.type() == NlMsgType.NLMSG_ERROR.value) {
                        NlMessage.Error e = m.error();
                        if (e.errno() == 0) return out;
                        throw new NetlinkException(describe(what, e), e.errno());
                    }
                    out.add(m);
                }
            }
        } catch (ErrnoException e) {
            throw new NetlinkException(what + ": " + e.getMessage(), e.errno());
        } catch (IllegalArgumentException e) {
            throw new NetlinkException(what + ": " + e.getMessage(), Errno.EIO);
        }
    }

    private NlMessage exchange(String what, NlMessageBuilder request) throws NetlinkException {
        int mySeq = ++seq;
        NlMessage reply = null;
        try {
            NetlinkSys.sendToKernel(fd, request.build(mySeq));
            for (;;) {
                List<NlMessage> msgs = NlMessage.parseAll(NetlinkSys.recv(fd, RECV_MAX));
                for (NlMessage m : msgs) {
                    if (m.seq() != mySeq) continue; // a late answer to an earlier request
                    if (m.type() == NlMsgType.NLMSG_ERROR.value) {
                        NlMessage.Error e = m.error();
                        if (e.errno() == 0) return reply;
                        throw new NetlinkException(describe(what, e), e.errno());
                    }
                    if (reply == null) reply = m;
                }
            }
        } catch (ErrnoException e) {
            throw new NetlinkException(what + ": " + e.getMessage(), e.errno());
        } catch (IllegalArgumentException e) {
            throw new NetlinkException(what + ": " + e.getMessage(), Errno.EIO);
        }
    }

    /** "what: strerror (kernel's text)". */
    static String describe(String what, NlMessage.Error e) {
        String s = what + ": " + Errno.describe(e.errno());
        return e.kernelMessage() == null || e.kernelMessage().isEmpty() ? s : s + " (" + e.kernelMessage() + ")";
    }

    @Override
    public void close() {
        Libc.close(fd);
    }
}

package org.jnsjail.net.nstun;

import java.net.InetAddress;

/**
 * A flow as the guest sees it: its own address and port, and the far end's (the original
 * destination for GUEST_TO_HOST flows; the gateway and a stack-chosen port for HOST_TO_GUEST ones).
 */
record FlowKey(InetAddress guest, int guestPort, InetAddress peer, int peerPort) {

    static FlowKey of(byte[] guest, int guestPort, byte[] peer, int peerPort) {
        return new FlowKey(Rules.inet(guest), guestPort, Rules.inet(peer), peerPort);
    }

    String text() {
        return text(guest, guestPort) + " <-> " + text(peer, peerPort);
    }

    static String text(InetAddress a, int port) {
        byte[] b = a.getAddress();
        return (b.length == 16 ? "[" + text6(b) + "]" : a.getHostAddress()) + ":" + port;
    }

    /** RFC 5952 text: lower-case hex, the longest run (of two or more) of zero groups as "::". */
    static String text6(byte[] b) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        int best = -1, bestLen = 1;
        for (int i = 0; i < 8;) {
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) {
                best = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == best) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') s.append(':');
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }
}

package org.jnsjail.net.nstun;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A proxy's opening exchange on a fresh host connection, as a small state machine fed with the
 * bytes the proxy sends: {@link #out} holds what is still to be written, {@link #step} consumes
 * {@link #in} (in write mode) and says whether the tunnel is open. Bytes the proxy sent after its
 * answer stay in {@code in} for the relay. A refusal is an IOException with the proxy's reason.
 */
sealed abstract class ProxyHandshake permits ProxyHandshake.Socks5, ProxyHandshake.HttpConnect {
    ByteBuffer out;
    final ByteBuffer in;

    ProxyHandshake(byte[] first, int inCapacity) {
        out = ByteBuffer.wrap(first);
        in = ByteBuffer.allocate(inCapacity);
    }

    /** Consumes what has arrived; true once the tunnel is open. */
    abstract boolean step() throws IOException;

    /** The bytes received beyond the handshake (moved out of {@code in}). */
    byte[] leftover() {
        in.flip();
        byte[] b = new byte[in.remaining()];
        in.get(b);
        in.clear();
        return b;
    }

    static String hostText(byte[] addr) {
        return addr.length == 16 ? "[" + FlowKey.text6(addr) + "]" : Rules.inet(addr).getHostAddress();
    }

    /**
     * SOCKS5 (RFC 1928) without authentication: greeting, then CONNECT (TCP) or UDP ASSOCIATE
     * (UDP, {@link #bound} is the relay address then).
     */
    static final class Socks5 extends ProxyHandshake {
        static final int CONNECT = 1, UDP_ASSOCIATE = 3;
        private static final String[] REPLIES = {"succeeded", "general SOCKS server failure", "connection not allowed by ruleset",
            "network unreachable", "host unreachable", "connection refused", "TTL expired", "command not supported",
            "address type not supported"};
        private final byte[] request;
        private boolean greeted;
        InetSocketAddress bound;

        /** For UDP ASSOCIATE addr/port say where datagrams will come from; all zero = not known (RFC 1928 §7). */
        Socks5(int cmd, byte[] addr, int port) {
            super(new byte[] {5, 1, 0}, 512); // version 5, one method: 0 = no authentication
            request = new byte[6 + addr.length];
            request[0] = 5;
            request[1] = (byte) cmd;
            request[3] = (byte) (addr.length == 4 ? 1 : 4); // ATYP IPv4 / IPv6
            System.arraycopy(addr, 0, request, 4, addr.length);
            IpPacket.put16(request, 4 + addr.length, port);
        }

        @Override
        boolean step() throws IOException {
            byte[] b = in.array();
            int n = in.position();
            if (!greeted) {
                if (n < 2) return false;
                if (b[0] != 5) throw new IOException("SOCKS5 proxy answered version " + b[0]);
                if (b[1] != 0) throw new IOException("SOCKS5 proxy wants authentication (method " + (b[1] & 0xff) + ")");
                consume(2);
                greeted = true;
                out = ByteBuffer.wrap(request);
                return false;
            }
            if (n < 5) return false;
            if (b[0] != 5) throw new IOException("SOCKS5 proxy answered version " + b[0]);
            int rep = b[1] & 0xff;
            if (rep != 0) throw new IOException("SOCKS5 proxy: " + (rep < REPLIES.length ? REPLIES[rep] : "reply " + rep));
            int alen = switch (b[3]) {
                case 1 -> 4;
                case 4 -> 16;
                case 3 -> 1 + (b[4] & 0xff);
                default -> throw new IOException("SOCKS5 proxy answered address type " + b[3]);
            };
            if (n < 4 + alen + 2) return false;
            int port = IpPacket.u16(b, 4 + alen);
            if (b[3] != 3) bound = new InetSocketAddress(Rules.inet(IpPacket.slice(b, 4, alen)), port);
            else bound = InetSocketAddress.createUnresolved(new String(b, 5, alen - 1, StandardCharsets.US_ASCII), port);
            consume(4 + alen + 2);
            return true;
        }

        private void consume(int k) {
            in.flip();
            in.position(k);
            in.compact();
        }
    }

    /** An HTTP/1.1 CONNECT (RFC 9110 §9.3.6): any 2xx opens the tunnel once the header ends. */
    static final class HttpConnect extends ProxyHandshake {
        private static final byte[] END = {'\r', '\n', '\r', '\n'};

        HttpConnect(byte[] addr, int port) {
            super(request(addr, port), 8192);
        }

        private static byte[] request(byte[] addr, int port) {
            String target = hostText(addr) + ":" + port;
            return ("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        boolean step() throws IOException {
            byte[] b = in.array();
            int n = in.position();
            int end = -1;
            outer:
            for (int i = 0; i + 4 <= n; i++) {
                for (int k = 0; k < 4; k++) if (b[i + k] != END[k]) continue outer;
                end = i + 4;
                break;
            }
            if (end < 0) {
                if (n == b.length) throw new IOException("HTTP proxy answered a header over " + b.length + " bytes");
                return false;
            }
            String head = new String(b, 0, end, StandardCharsets.ISO_8859_1);
            String status = head.substring(0, head.indexOf('\r'));
            String[] parts = status.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || parts[1].length() != 3 || parts[1].charAt(0) != '2') {
                throw new IOException("HTTP proxy refused CONNECT: '" + status + "'");
            }
            in.flip();
            in.position(end);
            in.compact();
            return true;
        }
    }
}

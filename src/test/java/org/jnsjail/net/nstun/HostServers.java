package org.jnsjail.net.nstun;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Host-side peers for the tests: a TCP acceptor, a UDP echo server, SOCKS5 and HTTP CONNECT proxies. */
final class HostServers {
    private HostServers() {}

    /** Accepts connections on a daemon thread; the test takes them from {@link #next}. */
    static final class Acceptor implements AutoCloseable {
        final ServerSocket ss;
        final BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();

        Acceptor(InetAddress bind) throws IOException {
            this(bind, 0);
        }

        /** rcvbuf > 0: SO_RCVBUF of accepted sockets, set on the listener so the window is sized from the start. */
        Acceptor(InetAddress bind, int rcvbuf) throws IOException {
            ss = new ServerSocket();
            if (rcvbuf > 0) ss.setReceiveBufferSize(rcvbuf);
            ss.bind(new InetSocketAddress(bind, 0), 50);
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (;;) accepted.add(ss.accept());
                } catch (IOException e) {
                    // closed
                }
            });
        }

        int port() {
            return ss.getLocalPort();
        }

        Socket next(long ms) throws InterruptedException {
            return accepted.poll(ms, TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() throws IOException {
            ss.close();
            for (Socket s : accepted) s.close();
        }
    }

    /** Echoes every datagram to its sender. */
    static final class UdpEcho implements AutoCloseable {
        final DatagramSocket ds;

        UdpEcho(InetAddress bind) throws IOException {
            ds = new DatagramSocket(new InetSocketAddress(bind, 0));
            Thread.ofPlatform().daemon().start(() -> {
                byte[] b = new byte[65536];
                try {
                    for (;;) {
                        DatagramPacket p = new DatagramPacket(b, b.length);
                        ds.receive(p);
                        ds.send(new DatagramPacket(b, p.getLength(), p.getSocketAddress()));
                    }
                } catch (IOException e) {
                    // closed
                }
            });
        }

        int port() {
            return ds.getLocalPort();
        }

        @Override
        public void close() {
            ds.close();
        }
    }

    /**
     * A minimal proxy: SOCKS5 (no auth, CONNECT and UDP ASSOCIATE) or HTTP CONNECT. It records the
     * destination asked for and connects every tunnel to {@code realTarget} instead.
     */
    static final class Proxy implements AutoCloseable {
        final ServerSocket ss;
        final boolean http;
        final InetSocketAddress realTarget;
        final BlockingQueue<String> requests = new LinkedBlockingQueue<>();
        volatile String httpAnswer = "HTTP/1.1 200 Connection established\r\nProxy-Agent: test\r\n\r\n";
        final List<AutoCloseable> open = Collections.synchronizedList(new ArrayList<>());

        Proxy(boolean http, InetSocketAddress realTarget) throws IOException {
            this.http = http;
            this.realTarget = realTarget;
            ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (;;) {
                        Socket c = ss.accept();
                        open.add(c);
                        Thread.ofPlatform().daemon().start(() -> serve(c));
                    }
                } catch (IOException e) {
                    // closed
                }
            });
        }

        int port() {
            return ss.getLocalPort();
        }

        private void serve(Socket c) {
            try {
                InputStream in = c.getInputStream();
                OutputStream out = c.getOutputStream();
                if (http) {
                    StringBuilder head = new StringBuilder();
                    while (!head.toString().endsWith("\r\n\r\n")) {
                        int b = in.read();
                        if (b < 0) return;
                        head.append((char) b);
                    }
                    requests.add(head.substring(0, head.indexOf("\r\n")));
                    out.write(httpAnswer.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    if (!httpAnswer.startsWith("HTTP/1.1 2")) {
                        c.close();
                        return;
                    }
                    relay(c, in, out);
                    return;
                }
                byte[] greet = in.readNBytes(2);
                in.readNBytes(greet[1]);
                out.write(new byte[] {5, 0});
                byte[] req = in.readNBytes(4);
                int alen = req[3] == 1 ? 4 : 16;
                byte[] addr = in.readNBytes(alen);
                byte[] port = in.readNBytes(2);
                String dst = (req[3] == 1 ? "4 " : "6 ") + InetAddress.getByAddress(addr).getHostAddress() + " "
                        + (((port[0] & 0xff) << 8) | (port[1] & 0xff));
                requests.add((req[1] == 1 ? "CONNECT " : "UDP ") + dst);
                if (req[1] == 1) {
                    out.write(new byte[] {5, 0, 0, 1, 127, 0, 0, 1, 0, 0});
                    relay(c, in, out);
                } else {
                    udpAssociate(c, in, out);
                }
            } catch (IOException e) {
                // the connection ended
            }
        }

        private void relay(Socket c, InputStream in, OutputStream out) throws IOException {
            Socket t = new Socket(realTarget.getAddress(), realTarget.getPort());
            open.add(t);
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    in.transferTo(t.getOutputStream());
                    t.shutdownOutput();
                } catch (IOException e) {
                    // done
                }
            });
            t.getInputStream().transferTo(out);
            c.shutdownOutput();
        }

        /** UDP ASSOCIATE: a relay socket; datagrams from the client are unwrapped and sent to realTarget, replies wrapped. */
        private void udpAssociate(Socket c, InputStream in, OutputStream out) throws IOException {
            DatagramSocket relay = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            open.add(relay);
            int p = relay.getLocalPort();
            // BND.ADDR 0.0.0.0: "use the proxy's address" (the stack must cope with it).
            out.write(new byte[] {5, 0, 0, 1, 0, 0, 0, 0, (byte) (p >> 8), (byte) p});
            out.flush();
            Thread.ofPlatform().daemon().start(() -> {
                byte[] b = new byte[65536];
                InetSocketAddress client = null;
                byte[] header = null;
                try {
                    for (;;) {
                        DatagramPacket d = new DatagramPacket(b, b.length);
                        relay.receive(d);
                        if (d.getSocketAddress().equals(realTarget)) {
                            if (client == null) continue;
                            byte[] w = new byte[header.length + d.getLength()];
                            System.arraycopy(header, 0, w, 0, header.length);
                            System.arraycopy(b, 0, w, header.length, d.getLength());
                            relay.send(new DatagramPacket(w, w.length, client));
                        } else {
                            client = (InetSocketAddress) d.getSocketAddress();
                            int alen = b[3] == 1 ? 4 : 16;
                            header = java.util.Arrays.copyOf(b, 4 + alen + 2);
                            int hl = header.length;
                            requests.add("DATAGRAM " + InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 4, 4 + alen)).getHostAddress()
                                    + " " + (((b[4 + alen] & 0xff) << 8) | (b[5 + alen] & 0xff)));
                            relay.send(new DatagramPacket(b, hl, d.getLength() - hl, realTarget));
                        }
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            in.transferTo(OutputStream.nullOutputStream());
            relay.close();
        }

        @Override
        public void close() throws IOException {
            ss.close();
            synchronized (open) {
                for (AutoCloseable a : open) {
                    try {
                        a.close();
                    } catch (Exception e) {
                        // best effort
                    }
                }
            }
        }
    }

    /** A non-loopback IPv4 address of this host, or null. */
    static InetAddress hostIpv4() throws SocketException {
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!ni.isUp() || ni.isLoopback()) continue;
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) return a;
            }
        }
        return null;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

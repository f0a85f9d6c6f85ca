package org.jnsjail.server;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The client protocol (src/main/c/client.c describes it too): frames of u32 type, u32 payload
 * length and the payload, in host byte order, over an AF_UNIX stream socket; fds travel with a
 * frame's first byte (SCM_RIGHTS). Pure: encoding, decoding and the limits a frame must keep.
 */
final class Wire {
    private Wire() {}

    static final int VERSION = 2;
    static final int HEADER = 8;

    // client -> server
    static final int REQUEST = 'R', FDS = 'F', SIGNAL = 'S';
    /** Control requests of `--server status|stop` (no payload). */
    static final int STATUS = 'Q', STOP = 'T';
    // server -> client
    static final int NEED = 'N', COLD = 'C', GO = 'G', EXIT = 'X', ERROR = 'E', INFO = 'I';

    /** execve(2) takes at most 6 MiB of arguments and environment (fs/exec.c: 3/4 of _STK_LIM): a real request fits. */
    static final int MAX_REQUEST = 8 << 20;
    /** Fds one request may ask for: below SCM_MAX_FD (253), as the client's limit. */
    static final int MAX_FDS = 250;
    static final int MAX_SMALL = 4 + 4 * MAX_FDS;

    /** A frame that breaks the protocol; its message is shown to the client in one line. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String msg) {
            super(msg);
        }
    }

    /**
     * A decoded 'R' frame. @param stdio bit n set: the client's fd n is open (and came along)
     * @param securebits the client's prctl(PR_GET_SECUREBITS) and @param personality its
     *     personality(2), as it reports them: no privilege to lie about, and /proc/PID/personality
     *     needs ptrace access, which Yama's ptrace_scope may refuse a non-ancestor
     */
    record Request(int version, int stdio, int securebits, int personality, String identity, List<String> argv,
            Map<String, String> env) {}

    static byte[] frame(int type, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + payload.length).order(ByteOrder.nativeOrder());
        b.putInt(type).putInt(payload.length).put(payload);
        return b.array();
    }

    static byte[] ints(int... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.nativeOrder());
        for (int i : v) b.putInt(i);
        return b.array();
    }

    /** 'N': the fds to send, as numbered in the client. */
    static byte[] need(List<Integer> fds) {
        int[] v = new int[fds.size() + 1];
        v[0] = fds.size();
        for (int i = 0; i < fds.size(); i++) v[i + 1] = fds.get(i);
        return frame(NEED, ints(v));
    }

    static byte[] text(int type, String text) {
        byte[] t = text.getBytes(StandardCharsets.UTF_8);
        if (t.length > 4000) t = java.util.Arrays.copyOf(t, 4000);
        return frame(type, t);
    }

    /** The request's fixed part: version, stdio mask, securebits, personality, argc, envc. */
    private static final int HEAD = 24;

    /** An 'R' payload; a client of another protocol version gets a request with only its version (it runs cold). */
    static Request decodeRequest(byte[] p) throws Malformed {
        if (p.length < 4) throw new Malformed("request of " + p.length + " bytes is too short");
        ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.nativeOrder());
        int version = b.getInt();
        if (version != VERSION) return new Request(version, 0, 0, 0, "", List.of(), Map.of()); // runs cold
        if (p.length < HEAD) throw new Malformed("request of " + p.length + " bytes is too short");
        int stdio = b.getInt(), securebits = b.getInt(), personality = b.getInt();
        long argc = Integer.toUnsignedLong(b.getInt()), envc = Integer.toUnsignedLong(b.getInt());
        // Each string takes at least its NUL: a count beyond the bytes left is a lie, caught before allocating.
        if (1 + argc + envc > p.length - HEAD) throw new Malformed("request claims " + argc + " arguments and " + envc
                + " environment entries in " + p.length + " bytes");
        int pos = HEAD;
        List<String> strs = new ArrayList<>((int) (1 + argc + envc));
        for (long i = 0; i < 1 + argc + envc; i++) {
            int end = pos;
            while (end < p.length && p[end] != 0) end++;
            if (end == p.length) throw new Malformed("request string " + i + " has no NUL terminator");
            strs.add(new String(p, pos, end - pos, StandardCharsets.UTF_8));
            pos = end + 1;
        }
        if (pos != p.length) throw new Malformed("request has " + (p.length - pos) + " bytes after its strings");
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : strs.subList((int) (1 + argc), strs.size())) {
            int eq = e.indexOf('=');
            // execve(2) passes entries without '=' too; a cold JVM's System.getenv() drops them, and so do we.
            if (eq > 0) env.put(e.substring(0, eq), e.substring(eq + 1)); // the last wins, as in System.getenv()
        }
        return new Request(version, stdio, securebits, personality, strs.getFirst(),
                List.copyOf(strs.subList(1, (int) (1 + argc))), env);
    }

    /** An 'F' frame: the client's answer to 'N', one entry per fd asked for (-1: not open there). */
    static int[] decodeFds(byte[] p, int asked) throws Malformed {
        if (p.length != 4 * (asked + 1)) throw new Malformed("fd reply of " + p.length + " bytes for " + asked + " fds");
        ByteBuffer b = ByteBuffer.wrap(p).order(ByteOrder.nativeOrder());
        if (b.getInt() != asked) throw new Malformed("fd reply for another number of fds");
        int[] out = new int[asked];
        for (int i = 0; i < asked; i++) out[i] = b.getInt();
        return out;
    }

    /** An 'S' frame: the signal number. */
    static int decodeSignal(byte[] p) throws Malformed {
        if (p.length != 4) throw new Malformed("signal frame of " + p.length + " bytes");
        return ByteBuffer.wrap(p).order(ByteOrder.nativeOrder()).getInt();
    }
}

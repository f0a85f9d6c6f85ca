package org.jnsjail.server;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client protocol's decoding: what src/main/c/client.c sends, and every way a frame can lie. */
class WireTest {
    private static byte[] request(int argc, int envc, String strings) {
        byte[] s = strings.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(24 + s.length).order(ByteOrder.nativeOrder()).putInt(Wire.VERSION).putInt(7)
                .putInt(0x2f).putInt(0x40000).putInt(argc).putInt(envc).put(s).array();
    }

    @Test
    void decodesWhatTheClientSends() throws Exception {
        Wire.Request r = Wire.decodeRequest(request(3, 3, "/j.jar\0-Mo\0--\0/bin/true\0A=1\0NOEQ\0B=x=y\0"));
        assertEquals(Wire.VERSION, r.version());
        assertEquals(7, r.stdio());
        assertEquals(0x2f, r.securebits());
        assertEquals(0x40000, r.personality());
        assertEquals("/j.jar", r.identity());
        assertEquals(List.of("-Mo", "--", "/bin/true"), r.argv());
        // As System.getenv() in a cold JVM: entries without '=' are dropped, the value keeps later '='.
        assertEquals(Map.of("A", "1", "B", "x=y"), r.env());
    }

    @Test
    void theLastOfTwoEqualNamesWinsAsInAColdJvm() throws Exception {
        assertEquals(Map.of("A", "2"), Wire.decodeRequest(request(0, 2, "id\0A=1\0A=2\0")).env());
    }

    @Test
    void everyLieIsOneMessage() {
        byte[] cut = java.util.Arrays.copyOf(request(0, 0, ""), 23);
        for (byte[] bad : List.of(new byte[3], cut, request(5, 0, "id\0a\0"), request(0, 0, "id"), request(0, 0, "id\0x"),
                request(Integer.MAX_VALUE, Integer.MAX_VALUE, "x\0"), request(-1, -1, "x\0"))) {
            Wire.Malformed e = assertThrows(Wire.Malformed.class, () -> Wire.decodeRequest(bad));
            assertTrue(!e.getMessage().isEmpty() && !e.getMessage().contains("\n"), e.getMessage());
        }
    }

    /** Another build's client: only its version is read, and the request runs cold. */
    @Test
    void anotherProtocolVersionIsNoError() throws Exception {
        byte[] old = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder()).putInt(Wire.VERSION + 7).array();
        assertEquals(Wire.VERSION + 7, Wire.decodeRequest(old).version());
    }

    @Test
    void fdRepliesMustAnswerWhatWasAsked() throws Exception {
        byte[] ok = Wire.ints(2, 5, -1);
        assertEquals(List.of(5, -1), java.util.Arrays.stream(Wire.decodeFds(ok, 2)).boxed().toList());
        assertThrows(Wire.Malformed.class, () -> Wire.decodeFds(ok, 3));
        assertThrows(Wire.Malformed.class, () -> Wire.decodeFds(Wire.ints(3, 5, -1), 2));
        assertThrows(Wire.Malformed.class, () -> Wire.decodeSignal(new byte[3]));
        assertEquals(15, Wire.decodeSignal(Wire.ints(15)));
    }

    @Test
    void framesAreTypeLengthPayload() {
        ByteBuffer b = ByteBuffer.wrap(Wire.need(List.of(5, 9))).order(ByteOrder.nativeOrder());
        assertEquals('N', b.getInt());
        assertEquals(12, b.getInt());
        assertEquals(2, b.getInt());
        assertEquals(5, b.getInt());
        assertEquals(9, b.getInt());
        assertEquals(8 + 4000, Wire.text(Wire.ERROR, "x".repeat(5000)).length, "text is cut, the frame stays small");
    }
}

package org.jnsjail.net;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.jnsjail.net.RtnlRequestsTest.strip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Parsing of what the kernel sends back: acks, errors with extended-ack text, replies and their rtattrs. */
class NlMessageTest {
    private static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(strip(hex));
    }

    @Test
    void errorWithExtendedAckMessage() {
        // NLMSG_ERROR, flags NLM_F_CAPPED|NLM_F_ACK_TLVS, errno -ENODEV, the request's header, NLMSGERR_ATTR_MSG "abc"
        List<NlMessage> msgs = NlMessage.parseAll(bytes("""
                2c000000 0200 0003 07000000 00000000 |
                edffffff | 28000000 1200 0500 07000000 00000000 |
                0800 0100 61626300"""));
        assertEquals(1, msgs.size());
        NlMessage.Error e = msgs.getFirst().error();
        assertEquals(new NlMessage.Error(19, 7, "abc"), e);
        assertEquals("Couldn't do it: No such device (abc)", RtnlSocket.describe("Couldn't do it", e));
    }

    @Test
    void errorWithUncappedRequestSkipsTheWholeRequest() {
        List<NlMessage> msgs = NlMessage.parseAll(bytes("""
                34000000 0200 0002 03000000 00000000 |
                f3ffffff | 18000000 1000 0506 03000000 00000000 11223344 55667788 |
                0800 0100 78790000"""));
        assertEquals(new NlMessage.Error(13, 3, "xy"), msgs.getFirst().error());
    }

    @Test
    void ackAndReplyInOneDatagram() {
        List<NlMessage> msgs = NlMessage.parseAll(bytes("""
                28000000 1000 0000 01000000 00000000 |
                00 00 0100 05000000 43100100 00000000 |
                0700 0300 767300 00 |
                24000000 0200 0001 01000000 00000000 |
                00000000 | 28000000 1200 0500 01000000 00000000"""));
        assertEquals(2, msgs.size());
        NlMessage link = msgs.get(0);
        assertEquals(NlMsgType.RTM_NEWLINK.value, link.type());
        assertEquals(5, link.intAt(4));
        Map<Integer, byte[]> attrs = link.attrs(16);
        assertArrayEquals(new byte[] {'v', 's', 0}, attrs.get(RtAttrType.Ifla.IFLA_IFNAME.type()));
        NlMessage.Error ack = msgs.get(1).error();
        assertEquals(0, ack.errno());
        assertNull(ack.kernelMessage());
    }

    @Test
    void nestedFlagIsMaskedAndTruncatedAttributesStop() {
        byte[] buf = bytes("0800 1280 01000000 | 0900 0100 0000");
        Map<Integer, byte[]> a = NlMessage.attrs(buf, 0, buf.length);
        assertEquals(1, a.size());
        assertArrayEquals(new byte[] {1, 0, 0, 0}, a.get(18));
    }

    @Test
    void malformedLengthIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> NlMessage.parseAll(bytes("ff000000 0200 0000 00000000 00000000")));
        assertThrows(IllegalArgumentException.class, () -> NlMessage.parseAll(bytes("08000000 0200 0000 00000000 00000000")));
    }
}

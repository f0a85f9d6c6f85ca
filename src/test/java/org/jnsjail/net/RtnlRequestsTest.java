package org.jnsjail.net;

import java.util.HexFormat;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Byte-exact rtnetlink requests (x86_64, little-endian host order). The expected bytes are written
 * out field by field from the uapi structs (nlmsghdr, ifinfomsg, ifaddrmsg, rtmsg, rtattr), not
 * produced by the code under test.
 */
class RtnlRequestsTest {
    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static String strip(String s) {
        return s.replaceAll("[\\s|]", "");
    }

    @Test
    void getLinkByName() {
        assertEquals(strip("""
                28000000 1200 0500 01000000 00000000 |
                00 00 0000 00000000 00000000 00000000 |
                0700 0300 6c6f00 00"""), hex(RtnlRequests.getLink("lo").build(1)));
    }

    @Test
    void newMacvlanWithMacAndNestedLinkinfo() {
        byte[] mac = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
        assertEquals(strip("""
                60000000 1000 0506 02000000 00000000 |
                00 00 0000 00000000 00000000 00000000 |
                0700 0300 767300 00 |
                0800 0500 07000000 |
                0a00 0100 021122334455 0000 |
                0800 1300 d2040000 |
                1c00 1200
                  0c00 0100 6d6163766c616e00
                  0c00 0200
                    0800 0100 04000000"""),
                hex(RtnlRequests.newMacvlan("vs", 7, MacvlanMode.MACVLAN_MODE_BRIDGE, mac, 1234).build(2)));
    }

    @Test
    void newMacvlanWithoutMacHasNoIflaAddress() {
        String h = hex(RtnlRequests.newMacvlan("vs", 7, MacvlanMode.MACVLAN_MODE_PRIVATE, null, 1).build(2));
        assertEquals("54000000", h.substring(0, 8)); // 96 - 12
        assertEquals(strip("0800 0100 01000000"), h.substring(h.length() - 16));
    }

    @Test
    void moveLinkIntoPidNamespace() {
        assertEquals(strip("""
                30000000 1300 0500 01000000 00000000 |
                00 00 0000 00000000 00000000 00000000 |
                0700 0300 613100 00 |
                0800 1300 63000000"""), hex(RtnlRequests.moveLink("a1", 99).build(1)));
    }

    @Test
    void setUpChangesOnlyIffUp() {
        assertEquals(strip("""
                20000000 1300 0500 05000000 00000000 |
                00 00 0000 03000000 01000000 01000000"""), hex(RtnlRequests.setUp(3).build(5)));
    }

    @Test
    void delLinkByIndex() {
        assertEquals(strip("""
                20000000 1100 0500 01000000 00000000 |
                00 00 0000 03000000 00000000 00000000"""), hex(RtnlRequests.delLink(3).build(1)));
    }

    @Test
    void newAddr4WithDerivedBroadcast() {
        byte[] ip = {(byte) 192, (byte) 168, 77, 2};
        assertEquals(strip("""
                30000000 1400 0506 03000000 00000000 |
                02 18 00 00 03000000 |
                0800 0200 c0a84d02 |
                0800 0100 c0a84d02 |
                0800 0400 c0a84dff"""), hex(RtnlRequests.newAddr4(3, ip, 24).build(3)));
    }

    @Test
    void newAddr4HostPrefixHasNoBroadcast() {
        byte[] ip = {10, 0, 0, 1};
        assertEquals("28000000", hex(RtnlRequests.newAddr4(3, ip, 32).build(3)).substring(0, 8));
        byte[] odd = {10, 1, 2, 3};
        // /20: host bits from bit 20 on
        String h = hex(RtnlRequests.newAddr4(1, odd, 20).build(1));
        assertEquals("0a010fff", h.substring(h.length() - 8));
    }

    @Test
    void defaultRouteViaGatewayOnOif() {
        byte[] gw = {(byte) 192, (byte) 168, 77, 1};
        assertEquals(strip("""
                2c000000 1800 0506 04000000 00000000 |
                02 00 00 00 fe 03 00 01 00000000 |
                0800 0500 c0a84d01 |
                0800 0400 03000000"""), hex(RtnlRequests.defaultRoute4(gw, 3).build(4)));
    }

    @Test
    void nestingGrowsTheBuffer() {
        NlMessageBuilder m = new NlMessageBuilder(NlMsgType.RTM_NEWLINK, 1, FamilyHeader.IfInfoMsg.of(0));
        m.begin(RtAttrType.Ifla.IFLA_LINKINFO);
        for (int i = 0; i < 200; i++) m.u32(RtAttrType.Ifla.IFLA_LINK, i);
        m.end();
        byte[] b = m.build(1);
        assertEquals(16 + 16 + 4 + 200 * 8, b.length);
        assertEquals(4 + 200 * 8, (b[32] & 0xff) | (b[33] & 0xff) << 8);
    }
}

package org.jnsjail.plan;

import java.util.List;
import java.util.Map;

import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailSpec;
import org.jnsjail.model.Namespace;
import org.jnsjail.model.NetConfig;
import org.jnsjail.model.UserNet;
import org.jnsjail.mount.HostFs;
import org.jnsjail.sys.HostInfo;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import org.jnsjail.stub.Op;
import org.jnsjail.stub.OpCode;
import org.jnsjail.stub.Plan;

/** The user_net hand-over in the plan: right after the first "go", before any id switch or mount. */
class PlanUserNetTest {
    private static Plan plan(UserNet un, PlanBuilder.Mode mode) throws JailFailure {
        JailSpec.Builder b = JailSpec.builder().command("/bin/true");
        b.net = NetConfig.NONE.withUserNet(un);
        return PlanBuilder.build(b.build(), new PlanBuilder.Context(mode, HostInfo.get(), Map.of(), HostFs.REAL, -1,
                null, -1, 40));
    }

    private static List<OpCode> codes(Plan p) {
        return p.ops().stream().map(Op::code).toList();
    }

    @Test
    void nstunOpensTunAndNetlinkAndWaitsForASecondGo() throws Exception {
        Plan p = plan(UserNet.DEFAULT, PlanBuilder.Mode.CLONE);
        List<OpCode> c = codes(p);
        int go = c.indexOf(OpCode.WAIT_GO);
        assertEquals(List.of(OpCode.WAIT_GO, OpCode.OPEN_DUP, OpCode.SOCKET, OpCode.SEND_FDS, OpCode.WAIT_GO),
                c.subList(go, go + 5));
        Op tun = p.ops().get(go + 1);
        assertEquals("/dev/net/tun", new String(tun.strs().get(0)));
        assertEquals(41, tun.args()[2]);
        assertArrayEquals(new long[] {16 /* AF_NETLINK */, 3 | 02000000 /* SOCK_RAW|SOCK_CLOEXEC */, 0, 40},
                p.ops().get(go + 2).args());
        assertArrayEquals(new long[] {1, 40, 41}, p.ops().get(go + 3).args());
        assertTrue(c.indexOf(OpCode.SETRESUID) > go + 4, c::toString);
    }

    @Test
    void pastaHandsOverOnlyNetlink() throws Exception {
        UserNet d = UserNet.DEFAULT;
        UserNet pasta = new UserNet(UserNet.Backend.PASTA, d.ip4(), d.gw4(), d.ip6(), d.gw6(), d.nsIface(), List.of(),
                List.of(), UserNet.Pasta.DEFAULT);
        Plan p = plan(pasta, PlanBuilder.Mode.CLONE);
        List<OpCode> c = codes(p);
        int go = c.indexOf(OpCode.WAIT_GO);
        assertEquals(List.of(OpCode.WAIT_GO, OpCode.SOCKET, OpCode.SEND_FDS, OpCode.WAIT_GO), c.subList(go, go + 4));
        assertArrayEquals(new long[] {1, 40}, p.ops().get(go + 2).args());
        // No pasta {}: nsjail starts nothing, so nothing is handed over.
        UserNet none = new UserNet(UserNet.Backend.PASTA, d.ip4(), d.gw4(), d.ip6(), d.gw6(), d.nsIface(), List.of(),
                List.of(), null);
        assertEquals(1, codes(plan(none, PlanBuilder.Mode.CLONE)).stream().filter(o -> o == OpCode.WAIT_GO).count());
    }

    @Test
    void withoutUserNetNothingChanges() throws Exception {
        assertTrue(codes(plan(null, PlanBuilder.Mode.CLONE)).stream().noneMatch(o -> o == OpCode.SEND_FDS
                || o == OpCode.SOCKET));
    }

    @Test
    void needsANetworkNamespaceAndASupervisor() {
        assertTrue(assertThrows(JailFailure.class, () -> plan(UserNet.DEFAULT, PlanBuilder.Mode.IN_PLACE))
                .getMessage().contains("not -Me"));
        JailSpec.Builder b = JailSpec.builder().command("/bin/true");
        b.net = NetConfig.NONE.withUserNet(UserNet.DEFAULT);
        b.namespaces.remove(Namespace.NET);
        assertTrue(assertThrows(JailFailure.class, () -> PlanBuilder.build(b.build(), new PlanBuilder.Context(
                PlanBuilder.Mode.CLONE, HostInfo.get(), Map.of(), HostFs.REAL, -1, null, -1, 40)))
                .getMessage().contains("CLONE_NEWNET"));
    }
}

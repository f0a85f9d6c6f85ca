package org.jnsjail.plan;

import java.util.List;
import java.util.Map;

import org.jnsjail.model.JailSpec;
import org.jnsjail.mount.HostFs;
import org.jnsjail.sys.HostInfo;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import org.jnsjail.stub.Op;
import org.jnsjail.stub.OpCode;
import org.jnsjail.stub.Plan;
import org.jnsjail.stub.HandOver;

/** --seccomp_unotify in the plan: the notifying filter and its hand-over come before the jail's own filter. */
class PlanUnotifyTest {
    @Test
    void listenerIsHandedOverBeforeTheJailsOwnFilter() throws Exception {
        JailSpec.Builder b = JailSpec.builder().command("/bin/true");
        b.seccompUnotify = true;
        b.seccompFilter = new byte[] {6, 0, 0, 0, 0, 0, (byte) 0xff, 0x7f}; // ret ALLOW
        b.disableNoNewPrivs = true;
        Plan p = PlanBuilder.build(b.build(), new PlanBuilder.Context(PlanBuilder.Mode.CLONE, HostInfo.get(), Map.of(),
                HostFs.REAL, -1, null, -1, 40));
        List<OpCode> c = p.ops().stream().map(Op::code).toList();
        int end = c.size();
        assertEquals(List.of(OpCode.FDS_CLOEXEC, OpCode.SECCOMP, OpCode.SEND_FDS, OpCode.WAIT_GO, OpCode.SECCOMP,
                OpCode.EXECVE), c.subList(end - 6, end));
        assertArrayEquals(new long[] {8 /* SECCOMP_FILTER_FLAG_NEW_LISTENER */, 42}, p.ops().get(end - 5).args());
        assertArrayEquals(new long[] {HandOver.UNOTIFY.value, 42}, p.ops().get(end - 4).args());
        // no_new_privs is forced, since an unprivileged filter needs it (seccomp(2)).
        assertTrue(p.ops().stream().anyMatch(o -> o.what().startsWith("prctl(PR_SET_NO_NEW_PRIVS")), c::toString);
    }
}

package org.jnsjail.supervisor;

import java.util.ArrayList;
import java.util.List;

import org.jnsjail.model.JailSpec;
import org.jnsjail.log.Log;
import org.jnsjail.model.JailResource;

/** The host resources a jail spec asks for, in set-up order; released in reverse. */
final class JailResources {
    private JailResources() {}

    static List<JailResource> forSpec(JailSpec spec) {
        List<JailResource> out = new ArrayList<>(2);
        // cgroups first (the jail must be in them before it runs any code), then network interfaces.
        JailResource cgroups = org.jnsjail.cgroup.Cgroups.forJail(spec.cgroups());
        if (cgroups != null) out.add(cgroups);
        if (spec.net().any()) out.add(new org.jnsjail.net.JailNetwork(spec.net(), spec.has(org.jnsjail.model.Namespace.NET)));
        org.jnsjail.model.UserNet un = spec.net().userNet();
        if (un != null && spec.has(org.jnsjail.model.Namespace.NET)
                && !(un.backend() == org.jnsjail.model.UserNet.Backend.PASTA && un.pasta() == null)) {
            out.add(new org.jnsjail.net.UserNetwork(un));
        }
        if (spec.seccompUnotify()) out.add(new UnotifyTracing());
        if (spec.init()) out.add(new InitProgram());
        return out;
    }

    static void releaseAll(List<JailResource> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).release();
            } catch (RuntimeException e) {
                Log.warn("releasing a jail resource failed: " + org.jnsjail.log.Quote.describe(e));
            }
        }
    }
}

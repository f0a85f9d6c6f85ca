package org.jnsjail.supervisor;

import org.jnsjail.stub.HandOver;
import org.jnsjail.unotify.Tracer;
import org.jnsjail.unotify.Unotify;
import org.jnsjail.model.JailResource;

/**
 * --seccomp_unotify for one jail: takes the listener the jail hands over and runs a tracer on it
 * until every process of the jail is gone. Unlike nsjail, each jail of a LISTEN supervisor is
 * traced (nsjail traces one at a time and closes the others' listeners).
 */
final class UnotifyTracing implements JailResource {
    private int pid = -1;
    private Tracer tracer;

    @Override
    public void attach(int pid) {
        this.pid = pid;
    }

    @Override
    public boolean takeFds(int kind, int[] fds) {
        if (kind != HandOver.UNOTIFY.value) return false;
        for (int i = 1; i < fds.length; i++) org.jnsjail.sys.Libc.close(fds[i]);
        tracer = Unotify.trace(fds[0], pid, "pid " + pid);
        return true;
    }

    /**
     * The tracer ends by itself once no process uses the filter any more; that may be later than the
     * jail's PID 1 (without a PID namespace, descendants can outlive it), so wait for it off this thread.
     */
    @Override
    public void release() {
        Tracer t = tracer;
        tracer = null;
        if (t != null) Thread.ofPlatform().daemon().name("jnsjail-unotify-close").start(t::close);
    }
}

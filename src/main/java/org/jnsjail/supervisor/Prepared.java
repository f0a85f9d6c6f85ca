package org.jnsjail.supervisor;

import org.jnsjail.model.SetupStep;

import java.util.ArrayList;
import java.util.List;

import org.jnsjail.log.Log;
import org.jnsjail.model.Caller;
import org.jnsjail.model.JailFailure;
import org.jnsjail.model.JailHandle;
import org.jnsjail.model.JailIo;
import org.jnsjail.model.JailResource;
import org.jnsjail.model.JailSpec;
import org.jnsjail.model.Namespace;
import org.jnsjail.plan.FdLayout;
import org.jnsjail.plan.PlanBuilder;
import org.jnsjail.stub.Control;
import org.jnsjail.stub.ErrorHints;
import org.jnsjail.stub.Plan;
import org.jnsjail.stub.Report;
import org.jnsjail.stub.ResidentStub;
import org.jnsjail.sys.Errno;
import org.jnsjail.sys.ErrnoException;
import org.jnsjail.sys.Fcntl;
import org.jnsjail.sys.HostInfo;
import org.jnsjail.sys.Libc;
import org.jnsjail.sys.Signals;
import org.jnsjail.sys.Syscall;
import org.jnsjail.sys.UnixSocket;
import org.jnsjail.user.IdMapFiles;

/**
 * A jail at its last step, waiting for its stdio and --pass_fd fds (RECV_FDS). {@link #start}
 * gives them and lets it exec its program; {@link #close} kills a jail that is never started.
 */
public final class Prepared implements AutoCloseable {
    private final JailSpec spec;
    private final Plan plan;
    private final ChildJail jail;
    private final Control ctl;
    private final List<JailResource> resources;
    /** How many fds the jail asked for, or -1 if it ended before asking. */
    int wanted;
    /** Lines logged while it was readied ahead of time, written at its start. */
    Log.Sink log;
    /** For a jail readied ahead: the host files it took in, checked again at its start. */
    Pins pins;
    /** When it was readied (System.nanoTime), for {@link #waited}. */
    long readyNanos;
    private boolean done;

    Prepared(JailSpec spec, Plan plan, ChildJail jail, Control ctl, List<JailResource> resources) {
        this.spec = spec;
        this.plan = plan;
        this.jail = jail;
        this.ctl = ctl;
        this.resources = resources;
    }

    /** The jail's pid (it is not running its program yet). */
    public int pid() {
        return jail.pid();
    }

    /** How long it has been waiting for its start since it was readied (nanoseconds). */
    long waited() {
        return System.nanoTime() - readyNanos;
    }

    /** Gives the jail its stdio and --pass_fd fds; returns once its program was executed. */
    public synchronized JailHandle start(JailIo io) throws JailFailure {
        if (done) throw new IllegalStateException("the jail was started or closed already");
        String changed = pins == null ? null : pins.changed();
        if (changed != null) {
            close();
            throw new Stale(changed);
        }
        done = true;
        if (log != null) log.replay();
        jail.startClock();
        boolean ok = false;
        try {
            if (wanted >= 0 && handFds(io) && follow() != null) throw new JailFailure(SetupStep.STDIO, "The jail asked for its fds twice");
            ok = true;
            return jail;
        } catch (ErrnoException e) {
            throw new JailFailure(SetupStep.STDIO, "Couldn't launch the child process: " + e.getMessage(), e);
        } finally {
            ctl.close();
            if (!ok) jail.close();
        }
    }

    /** Its stdio and --pass_fd fds to the jail; false when it has gone meanwhile (its status says how). */
    private boolean handFds(JailIo io) throws ErrnoException, JailFailure {
        try {
            ctl.giveFds(JailLaunch.fdsFor(spec, io), wanted);
            return true;
        } catch (ErrnoException e) {
            if (e.errno() != Errno.EPIPE && e.errno() != Errno.ECONNRESET) throw e;
            return false;
        }
    }

    /** Kills and reaps a jail that was never started. */
    @Override
    public synchronized void close() {
        if (done) return;
        done = true;
        ctl.close();
        jail.close();
    }

    /**
     * Reads the jail's reports, taking warnings and fd hand-overs, up to its RECV_FDS (returned)
     * or EOF (null: execve succeeded, or the jail died on the way); an error report is thrown.
     */
    Report.Ready follow() throws JailFailure, ErrnoException {
        for (Report r; (r = ctl.read()) != null; ) {
            switch (r) {
                // the other of the two pid reports
                case Report.Pid p when p.pid() != jail.pid() -> throw new JailFailure(SetupStep.CLONE, "The exec stub reported two pids for one jail");
                case Report.Child c when c.pid() != jail.pid() -> throw new JailFailure(SetupStep.CLONE, "The exec stub reported two pids for one jail");
                case Report.Pid p -> { }
                case Report.Child c -> { }
                case Report.Fds f -> {
                    JailLaunch.handOver(f.kind(), f.fds(), resources);
                    ctl.go();
                }
                case Report.Warned w -> Log.warn(plan.describe(w.index()) + ": " + Errno.describe(w.errno()));
                case Report.Ready ready -> {
                    return ready;
                }
                case Report.Failed f -> throw JailLaunch.failure(plan, f);
                case Report.Unknown u -> throw JailLaunch.failure(plan, u);
            }
        }
        return null;
    }

    /**
     * The host files a readied jail took in (bind sources, --chroot, the --execute_fd binary), as
     * they were just before its set-up: if one is replaced (another inode at that path) before the
     * jail starts, the jail would run with the old one where a jail set up then would see the new.
     */
    record Pins(List<String> paths, List<long[]> ids) {
        static Pins of(JailSpec spec, Caller caller) throws JailFailure {
            List<String> paths = new ArrayList<>(org.jnsjail.mount.MountPlanner.hostSources(spec.mounts(), caller.env()));
            if (spec.execFd()) paths.add(spec.program());
            List<long[]> ids = new ArrayList<>(paths.size());
            for (String p : paths) ids.add(org.jnsjail.sys.FsState.identity(p));
            return new Pins(paths, ids);
        }

        /** The first path that names another file now, or null. */
        String changed() {
            for (int i = 0; i < paths.size(); i++) {
                if (!java.util.Arrays.equals(ids.get(i), org.jnsjail.sys.FsState.identity(paths.get(i)))) return paths.get(i);
            }
            return null;
        }
    }

    /** A readied jail whose host files changed before its start: it is discarded, and a new one started. */
    public static final class Stale extends JailFailure {
        private static final long serialVersionUID = 1L;

        Stale(String path) {
            super(SetupStep.MOUNT, "'" + path + "' changed after the jail was readied");
        }
    }
}

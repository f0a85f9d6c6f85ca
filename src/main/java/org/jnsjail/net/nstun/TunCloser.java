package org.jnsjail.net.nstun;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.jnsjail.sys.Libc;

/**
 * Closes TUN fds off the caller's thread. Closing the last fd of a TUN device unregisters the
 * device (drivers/net/tun.c, tun_detach), and unregister_netdevice waits for RCU grace periods:
 * about 30 ms here, which a supervisor releasing a jail should not spend waiting. The backlog is
 * bounded: when it is full the caller closes the fd itself, so under a sustained stream of jails
 * no more than a few dead devices (and their network namespaces, which the fd keeps alive) wait.
 */
final class TunCloser {
    private TunCloser() {}

    private static final int BACKLOG = 8;

    private static final class Holder {
        static final ExecutorService CLOSER = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(BACKLOG), r -> Thread.ofPlatform().daemon().name("jnsjail-tun-closer").unstarted(r),
                new ThreadPoolExecutor.CallerRunsPolicy());
    }

    static void close(int fd) {
        try {
            Holder.CLOSER.execute(() -> Libc.close(fd));
        } catch (RuntimeException e) {
            Libc.close(fd); // no thread to be had: close it here
        }
    }
}

/*
 * kernel-floor: the kernel's own rate for the jail of `-Mr --chroot / -- /bin/true`, with no
 * supervisor at all, so bench/vs-nsjail.sh can say how far above nsjail the kernel lets anyone go
 * on this machine (issue 15's "2x nsjail" may be beyond it).
 *
 *   kernel-floor WORKERS SECONDS [MODE]
 *
 * WORKERS processes each run jails back to back for SECONDS: clone3 into new user, mount, pid,
 * net, ipc, uts and cgroup namespaces (nsjail's defaults), then in the child what nsjail's
 * `--chroot /` does in the kernel: make / private, bind it recursively onto an empty directory,
 * remount that read-only, mount proc in it, pivot_root into it, drop the old root, bring lo up,
 * exec /bin/true. The parent of each jail only waits for it. MODE "jail" (default) is all that;
 * "ns" is clone3 + exec alone (what the namespaces cost without the file system and lo).
 *
 * Prints jails per second (all workers' jails / wall time) on stdout. A failed step prints one
 * line naming it and its errno, and the exit status is non-zero. Nothing is left behind: the
 * mount point lives in a private temporary directory (under $TMPDIR, else /tmp) removed at the
 * end, also after SIGINT/SIGTERM/SIGHUP; every mount is in the jail's own namespace.
 *
 * Build: gcc -std=c11 -O2 -o kernel-floor kernel-floor.c   (Linux >= 5.3 for clone3; run as root
 * or wherever unprivileged user namespaces are allowed)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <net/if.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The jail's exit codes that mean "a step failed and the jail said which": the worker adds nothing. */
enum { EXIT_STEP = 125, EXIT_EXEC = 127 };

static char newroot[4080]; /* <private temp dir>/root: the empty directory the jail's root is bound on */
static char procdir[4096]; /* <newroot>/proc */
static int full = 1;       /* MODE jail (1) or ns (0) */

/* Shared by the parent, its workers and the jails (a MAP_SHARED mapping stays shared across fork
 * and clone3). stop: set on a signal or a failure, so every worker ends its loop and reports, and
 * the parent never waits for a report in vain. said: the first failure's line is the only one
 * (workers running the same steps tend to fail together). */
static struct shared { atomic_int stop, said; } *sh;

static int first_failure(void) { return atomic_exchange(&sh->said, 1) == 0; }

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* In the jail: one line on stderr (unbuffered: nothing of the parent's stdio is flushed twice). */
static _Noreturn void fail(const char *step)
{
    int e = errno;
    if (first_failure()) dprintf(2, "kernel-floor: jail: %s: %s (errno %d)\n", step, strerror(e), e);
    _exit(EXIT_STEP);
}

/* The jail's side, from clone3 to exec. The mount steps are those of nsjail's --chroot / jail. */
static _Noreturn void jail(void)
{
    if (full) {
        /* Nothing the jail mounts may propagate back to the host's namespace. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) fail("mount / MS_REC|MS_PRIVATE");
        if (mount("/", newroot, NULL, MS_BIND | MS_REC, NULL)) fail("bind / recursively");
        if (mount(NULL, newroot, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL)) fail("remount the bind read-only");
        if (mount("proc", procdir, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) fail("mount proc");
        if (chdir(newroot)) fail("chdir to the new root");
        /* pivot_root(".", ".") stacks the old root under the new one; detaching "." then drops it. */
        if (syscall(SYS_pivot_root, ".", ".")) fail("pivot_root");
        if (umount2(".", MNT_DETACH)) fail("umount2 the old root");
        if (chdir("/")) fail("chdir /");
        /* A new net namespace has lo down; nsjail brings it up with these two ioctls. */
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s < 0) fail("socket");
        struct ifreq ifr;
        memset(&ifr, 0, sizeof ifr);
        strcpy(ifr.ifr_name, "lo");
        if (ioctl(s, SIOCGIFFLAGS, &ifr)) fail("SIOCGIFFLAGS lo");
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(s, SIOCSIFFLAGS, &ifr)) fail("SIOCSIFFLAGS lo up");
        close(s);
    }
    char *argv[] = { "/bin/true", NULL };
    execv(argv[0], argv);
    int e = errno;
    if (first_failure()) dprintf(2, "kernel-floor: jail: execv /bin/true: %s (errno %d)\n", strerror(e), e);
    _exit(EXIT_EXEC);
}

/* What a worker sends back through the pipe: written in one write() (PIPE_BUF-atomic). */
struct report { long jails; int ok; };

static _Noreturn void worker(int out, double deadline)
{
    struct report r = { 0, 1 };
    const uint64_t flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC
                           | CLONE_NEWUTS | CLONE_NEWCGROUP;
    while (!atomic_load(&sh->stop) && now() < deadline) {
        struct clone_args ca = { .flags = flags, .exit_signal = SIGCHLD };
        long pid = syscall(SYS_clone3, &ca, sizeof ca);
        if (pid == 0) jail();
        if (pid < 0) {
            int e = errno;
            if (first_failure()) fprintf(stderr, "kernel-floor: clone3: %s (errno %d)\n", strerror(e), e);
            r.ok = 0;
            break;
        }
        int st;
        while (waitpid((pid_t)pid, &st, 0) < 0) {
            if (errno != EINTR) {
                int e = errno;
                if (first_failure()) fprintf(stderr, "kernel-floor: waitpid: %s (errno %d)\n", strerror(e), e);
                _exit(1); /* the pipe's EOF tells the parent */
            }
        }
        if (st != 0) {
            /* The jail named its failed step itself; anything else is said here. */
            if (WIFSIGNALED(st)) {
                if (first_failure()) fprintf(stderr, "kernel-floor: the jail was killed by signal %d\n", WTERMSIG(st));
            } else if (WEXITSTATUS(st) != EXIT_STEP && WEXITSTATUS(st) != EXIT_EXEC) {
                if (first_failure()) fprintf(stderr, "kernel-floor: /bin/true exited with status %d\n", WEXITSTATUS(st));
            }
            r.ok = 0;
            break;
        }
        r.jails++;
    }
    if (!r.ok) atomic_store(&sh->stop, 1); /* the other workers end too: one failure is enough to say */
    if (write(out, &r, sizeof r) != (ssize_t)sizeof r) _exit(1);
    _exit(0);
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    got_signal = sig;
    atomic_store(&sh->stop, 1);
}

static int usage(void)
{
    fprintf(stderr, "usage: kernel-floor WORKERS SECONDS [jail|ns]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) return usage();
    char *end;
    long workers = strtol(argv[1], &end, 10);
    if (*end || workers < 1 || workers > 1024) return usage();
    double secs = strtod(argv[2], &end);
    if (*end || !(secs > 0)) return usage();
    if (argc == 4) {
        if (!strcmp(argv[3], "ns")) full = 0;
        else if (strcmp(argv[3], "jail")) return usage();
    }

    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED) { perror("kernel-floor: mmap"); return 1; }
    atomic_init(&sh->stop, 0);
    atomic_init(&sh->said, 0);

    /* The mount point must exist before clone3: in a user namespace without a uid map the jail
     * cannot create files (EOVERFLOW). A private directory, so that nothing else can race on it. */
    const char *tmp = getenv("TMPDIR");
    char base[4064]; /* sizes that leave room for "/root" and "/root/proc" */
    if (snprintf(base, sizeof base, "%s/kernel-floor.XXXXXX", tmp && *tmp ? tmp : "/tmp") >= (int)sizeof base
        || !mkdtemp(base)) {
        perror("kernel-floor: mkdtemp");
        return 1;
    }
    snprintf(newroot, sizeof newroot, "%s/root", base);
    snprintf(procdir, sizeof procdir, "%s/proc", newroot);
    if (mkdir(newroot, 0700)) {
        perror("kernel-floor: mkdir");
        rmdir(base);
        return 1;
    }

    /* Set before the fork, so a Ctrl-C (which reaches the workers too) also ends their loops: each
     * still reports, and the temporary directory is removed as on a normal end. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    int rc = 0;
    int p[2];
    if (pipe(p)) { perror("kernel-floor: pipe"); rc = 1; goto out; }
    double t0 = now(), deadline = t0 + secs;
    long started = 0;
    for (; started < workers; started++) {
        pid_t w = fork();
        if (w == 0) { close(p[0]); worker(p[1], deadline); }
        if (w < 0) { perror("kernel-floor: fork"); atomic_store(&sh->stop, 1); rc = 1; break; }
    }
    close(p[1]); /* from now on EOF means every worker is gone: a dead worker cannot hang the parent */

    long total = 0, reports = 0;
    struct report r;
    for (;;) {
        ssize_t n = read(p[0], &r, sizeof r);
        if (n < 0 && errno == EINTR) continue;
        if (n != (ssize_t)sizeof r) break;
        reports++;
        total += r.jails;
        if (!r.ok) rc = 1;
    }
    double t1 = now();
    close(p[0]);
    while (wait(NULL) > 0 || errno == EINTR) {}
    if (reports != started) {
        if (first_failure()) fprintf(stderr, "kernel-floor: %ld of %ld workers did not report\n", started - reports, started);
        rc = 1;
    }
    if (got_signal) rc = 128 + got_signal;
    else if (rc == 0) printf("%.1f\n", (double)total / (t1 - t0)); /* t1 - t0 includes the last jail's overrun */

out:
    rmdir(newroot);
    rmdir(base);
    return rc;
}

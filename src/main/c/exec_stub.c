/*
 * jnsjail exec stub: the only native code of jnsjail.
 *
 * The JVM is multithreaded, so it can neither unshare(CLONE_NEWUSER) nor run Java in a forked
 * child. This program covers the gap between clone() and execve(). It reads a *plan* (a flat list
 * of operations that Java computed) and executes it in order. It makes no decisions: every path,
 * flag and value comes from the plan. A failure is reported as (operation index, errno) on the
 * control fd; Java turns that into one exact message. In EXECVE mode (-Me) there is no Java left
 * to report to, so the stub prints the operation's description itself.
 *
 * Usage: exec-stub r SOCKFD  resident (supervised modes): one request per jail on SOCKFD, see below
 *        exec-stub e PLANFD  plan in PLANFD (a memfd); errors go to stderr (-Me)
 *
 * Resident mode: the supervisor keeps one stub per JVM and sends it, for each jail, a request on
 * SOCKFD (a SOCK_SEQPACKET socket): u32 magic 'JNSR', u32 fd count N, then N u32 fd targets, with
 * N fds attached (SCM_RIGHTS). fds[0] is the jail's control socket (a SOCK_STREAM socket): the stub
 * reads the plan from it, clones the jail as op 0 says and goes back to waiting for the next request.
 * The jail (the JVM's child through CLONE_PARENT) moves the request's fds to their targets, closes
 * every other fd of the stub's and runs the rest of the plan, reporting on its control socket.
 *
 * Plan wire format (host byte order), validated completely before the first operation runs:
 *   header: u32 magic 'JNSP', u32 version, u32 op count, u32 payload bytes
 *   op:     u32 code, u32 flags, u32 nints, u32 nstrs, nints x u64, nstrs x (u32 len, len bytes)
 *           every string is NUL-terminated (len counts the NUL); string 0 describes the op.
 * Report records (stub -> Java): u32 kind ('P' pid, from the stub; 'C' the jail's first word, its
 * pid in the sender credentials the supervisor's socket asks for (SO_PASSCRED); 'E' error, 'W'
 * warning, 'F' fds attached as SCM_RIGHTS, value = what they are for; 'R' ready for the fds of
 * RECV_FDS, value = how many), u32 op index, i32 value, u32 0.
 * The supervisor answers 'R' with records u32 'D', u32 count, u32 0, u32 0, each carrying count fds.
 *
 * The mount set-up works on a table of fd *slots* (see "fd slots" below): no operation of it takes
 * a path that the kernel would look up again later. Every lookup is one openat2(2) whose RESOLVE_*
 * flags the plan gives; file-system objects are created only by name (one component, never
 * following a symlink) in a directory slot; mounts are made, moved and sealed by fd.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLAN_MAGIC 0x50534e4au /* "JNSP" little-endian */
#define PLAN_VERSION 1u
#define PLAN_MAX_BYTES (64u << 20)
#define PLAN_MAX_OPS 65536u
#define OP_MAX_INTS 4096u
#define OP_MAX_STRS 65536u

/* Operation codes: keep in sync with org.jnsjail.stub.OpCode (StubProtocolTest checks both tables). The RETIRED ones were the path-based
 * mount(2), mkdir(2), open(O_CREAT), symlink(2) and mount_setattr(2) operations: a plan holding
 * one is refused (their codes stay taken so that the others keep theirs). */
enum {
	OP_CLONE = 1, OP_WAIT_GO, OP_WRITE_FILE, OP_OPEN_DUP, OP_PRCTL, OP_SETRESGID, OP_SETRESUID,
	OP_SETGROUPS, OP_RETIRED_MOUNT, OP_UMOUNT2, OP_RETIRED_MKDIR, OP_RETIRED_CREATE_FILE,
	OP_RETIRED_SYMLINK, OP_CHDIR, OP_CHROOT, OP_PIVOT_ROOT, OP_SETHOSTNAME, OP_IF_UP, OP_PRLIMIT,
	OP_PERSONALITY, OP_SETPRIORITY, OP_SETSID, OP_CAPSET, OP_SCHED_SETAFFINITY, OP_FDS_CLOEXEC,
	OP_SECCOMP, OP_EXECVE, OP_RETIRED_MOUNT_SETATTR, OP_UNSHARE, OP_PID_NS_INIT, OP_FS_CHILD,
	OP_SOCKET, OP_SEND_FDS, OP_UMASK, OP_OPEN_AT, OP_MKDIR_AT, OP_WRITE_AT, OP_SYMLINK_AT,
	OP_OPEN_TREE, OP_FS_MOUNT, OP_MOVE_MOUNT, OP_SETATTR_AT, OP_FCHDIR, OP_CLOSE_SLOTS,
	OP_RECV_FDS, OP_INIT, /* new codes go here, at the end */
	OP_CODE_END
};

#define REQ_MAGIC 0x524e534au /* "JNSR" little-endian */
#define REQ_MAX_FDS 8u        /* control socket, exec fd, cgroup fd, and room to spare */
#define RECV_MAX_PER_MSG 250u /* below the kernel's SCM_MAX_FD (253) */

/* Op flags. */
#define F_WARN 1u     /* failure: report a warning and go on */
#define F_IGNORE 2u   /* failure: go on silently */
#define F_EXIST_OK 4u /* EEXIST (or EROFS on an existing path) counts as success */
#define F_CHAINED 8u  /* part of the op before: skipped (silently) unless that one succeeded */
#define F_IF_FILLED 16u /* skipped (silently) when its slot (int 0) is empty: what filled it failed */

/* Argument counts per op: min/max ints, min/max strings (string 0 is the description). */
static const struct { uint32_t imin, imax, smin, smax; } shape[OP_CODE_END] = {
	[OP_CLONE] = {2, 2, 1, 1},        [OP_WAIT_GO] = {0, 0, 1, 1},
	[OP_WRITE_FILE] = {2, 2, 3, 3},   [OP_OPEN_DUP] = {3, 3, 2, 2},
	[OP_PRCTL] = {5, 5, 1, 1},        [OP_SETRESGID] = {3, 3, 1, 1},
	[OP_SETRESUID] = {3, 3, 1, 1},    [OP_SETGROUPS] = {0, OP_MAX_INTS, 1, 1},
	[OP_UMOUNT2] = {1, 1, 2, 2},      [OP_CHDIR] = {0, 0, 2, 2},
	[OP_CHROOT] = {0, 0, 2, 2},       [OP_PIVOT_ROOT] = {0, 0, 3, 3},
	[OP_SETHOSTNAME] = {0, 0, 2, 2},  [OP_IF_UP] = {1, 1, 2, 2},
	[OP_PRLIMIT] = {3, 3, 1, 1},      [OP_PERSONALITY] = {1, 1, 1, 1},
	[OP_SETPRIORITY] = {3, 3, 1, 1},  [OP_SETSID] = {0, 0, 1, 1},
	[OP_CAPSET] = {3, 3, 1, 1},       [OP_SCHED_SETAFFINITY] = {0, 0, 2, 2},
	[OP_FDS_CLOEXEC] = {0, OP_MAX_INTS, 1, 1}, [OP_SECCOMP] = {1, 2, 2, 2},
	[OP_EXECVE] = {3, 3, 2, OP_MAX_STRS},
	[OP_UNSHARE] = {1, 1, 1, 1},      [OP_PID_NS_INIT] = {0, 0, 1, 1},
	[OP_FS_CHILD] = {1, 1, 1, 1},     [OP_SOCKET] = {4, 4, 1, 1},
	[OP_SEND_FDS] = {2, 9, 1, 1},     [OP_UMASK] = {1, 1, 1, 1},
	[OP_OPEN_AT] = {4, 4, 2, 2},      [OP_MKDIR_AT] = {2, 2, 2, 2},
	[OP_WRITE_AT] = {3, 3, 3, 3},     [OP_SYMLINK_AT] = {1, 1, 3, 3},
	[OP_OPEN_TREE] = {3, 3, 1, 1},    [OP_FS_MOUNT] = {2, OP_MAX_INTS, 2, OP_MAX_STRS},
	[OP_MOVE_MOUNT] = {3, 3, 1, 1},   [OP_SETATTR_AT] = {5, 5, 1, 1},
	[OP_FCHDIR] = {1, 1, 1, 1},       [OP_CLOSE_SLOTS] = {0, 0, 1, 1},
	[OP_RECV_FDS] = {0, OP_MAX_INTS, 1, 1},
	[OP_INIT] = {1, 1, 2, 2},
};

struct op {
	uint32_t code, flags, nints, nstrs;
	const uint64_t *ints; /* unaligned in the buffer: copied into ivals */
	uint64_t *ivals;
	char **strs;
	uint32_t *slen;
};

static struct op *ops;
static uint32_t nops;
static int ctl_fd = -1;
static int inplace; /* -Me: no Java to report to */

static void report(uint32_t kind, uint32_t idx, int32_t val)
{
	uint32_t rec[4] = {kind, idx, (uint32_t)val, 0};
	if (ctl_fd >= 0) {
		ssize_t r;
		do {
			r = write(ctl_fd, rec, sizeof(rec));
		} while (r < 0 && errno == EINTR);
	}
}

/* In -Me mode the stub speaks for itself, in nsjail's log format (and with Spawner.failure's hint
 * for a kernel without the file system set-up's system calls: there is no path-based fallback). */
static void say(char level, uint32_t idx, int err)
{
	uint32_t c = ops[idx].code;
	int old_kernel = err == ENOSYS && (c == OP_OPEN_AT || c == OP_OPEN_TREE || c == OP_FS_MOUNT ||
	                                   c == OP_MOVE_MOUNT || c == OP_SETATTR_AT);
	if (inplace)
		dprintf(2, "[%c][%d] %s: %s%s\n", level, (int)getpid(), ops[idx].strs[0], strerror(err),
		        old_kernel ? " (jnsjail needs Linux 5.12 or later: openat2(2), the mount API of fsopen(2), "
		                     "open_tree(2) and move_mount(2), and mount_setattr(2))" : "");
}

static int read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t r = read(fd, (char *)buf + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static void die(const char *msg)
{
	dprintf(2, "[F][%d] jnsjail exec stub: %s\n", (int)getpid(), msg);
	_exit(255);
}

static char *plan_buf;

/* Frees a resident stub's previous plan before the next one is read. */
static void free_plan(void)
{
	for (uint32_t i = 0; ops && i < nops; i++) {
		free(ops[i].ivals);
		free(ops[i].strs);
		free(ops[i].slen);
	}
	free(ops);
	free(plan_buf);
	ops = NULL, plan_buf = NULL, nops = 0;
}

/* Parses and validates the whole plan: every length, count and offset is checked first. */
static void load_plan(int fd)
{
	uint32_t hdr[4];
	if (read_full(fd, hdr, sizeof(hdr)))
		die("short plan header");
	if (hdr[0] != PLAN_MAGIC || hdr[1] != PLAN_VERSION)
		die("bad plan magic or version");
	if (hdr[2] == 0 || hdr[2] > PLAN_MAX_OPS || hdr[3] > PLAN_MAX_BYTES)
		die("plan too large");
	nops = hdr[2];
	char *buf = plan_buf = malloc(hdr[3] ? hdr[3] : 1);
	ops = calloc(nops, sizeof(*ops));
	if (!buf || !ops)
		die("out of memory");
	if (read_full(fd, buf, hdr[3]))
		die("short plan");
	size_t off = 0, end = hdr[3];
	for (uint32_t i = 0; i < nops; i++) {
		struct op *o = &ops[i];
		uint32_t h[4];
		if (end - off < sizeof(h))
			die("truncated op header");
		memcpy(h, buf + off, sizeof(h));
		off += sizeof(h);
		o->code = h[0], o->flags = h[1], o->nints = h[2], o->nstrs = h[3];
		if (o->code == 0 || o->code >= OP_CODE_END || shape[o->code].smin == 0)
			die("unknown op code"); /* every op has a description: smin 0 = retired or unused */
		if (o->nints < shape[o->code].imin || o->nints > shape[o->code].imax ||
		    o->nstrs < shape[o->code].smin || o->nstrs > shape[o->code].smax)
			die("bad op argument count");
		if ((end - off) / 8 < o->nints)
			die("truncated op ints");
		o->ivals = calloc(o->nints + 1, sizeof(uint64_t));
		o->strs = calloc(o->nstrs + 1, sizeof(char *)); /* NULL-terminated for execve */
		o->slen = calloc(o->nstrs + 1, sizeof(uint32_t));
		if (!o->ivals || !o->strs || !o->slen)
			die("out of memory");
		memcpy(o->ivals, buf + off, (size_t)o->nints * 8);
		off += (size_t)o->nints * 8;
		for (uint32_t s = 0; s < o->nstrs; s++) {
			uint32_t len;
			if (end - off < 4)
				die("truncated string length");
			memcpy(&len, buf + off, 4);
			off += 4;
			if (len == 0 || len > end - off || buf[off + len - 1] != '\0')
				die("bad string");
			o->strs[s] = buf + off;
			o->slen[s] = len - 1;
			off += len;
		}
	}
	if (off != end)
		die("trailing bytes in plan");
	for (uint32_t i = 0; i < nops; i++)
		if (ops[i].code == OP_FS_CHILD && ops[i].ivals[0] > nops - i - 1)
			die("FS_CHILD range out of plan");
}

/* Writes all of p to fd and closes it; on failure errno is the write's, not the close's. */
static int write_all_close(int fd, const char *p, size_t left)
{
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno ? errno : EIO;
			close(fd);
			errno = e;
			return -1;
		}
		p += w, left -= (size_t)w;
	}
	return close(fd);
}

static int do_write_file(struct op *o)
{
	int fd = open(o->strs[1], (int)o->ivals[0] | O_CLOEXEC, (mode_t)o->ivals[1]);
	if (fd < 0)
		return -1;
	return write_all_close(fd, o->strs[2], o->slen[2]);
}

static int do_open_dup(struct op *o)
{
	int fd = open(o->strs[1], (int)o->ivals[0], (mode_t)o->ivals[1]);
	if (fd < 0)
		return -1;
	int target = (int)o->ivals[2];
	if (fd != target) {
		if (dup2(fd, target) < 0)
			return -1;
		close(fd);
	}
	return 0;
}

/*
 * fd slots. The mount set-up names every directory, mount and tree it works on by a slot number
 * (an index into this table) instead of a path: a slot is filled once by openat2(2), open_tree(2)
 * or fsmount(2), and later operations act on the fd. Filling a slot closes what it held, first,
 * so a failed fill leaves it empty (EBADF for whoever uses it) rather than holding an older object.
 * Every slot fd is close-on-exec, and the plan closes them all (OP_CLOSE_SLOTS) before the jail's
 * fd hygiene: none can reach the jailed program, whatever --pass_fd says.
 */
#define SLOT_MAX 4096u
static int slot_fd[SLOT_MAX]; /* fd + 1; 0 = empty */

static int slot_get(uint64_t s)
{
	if (s >= SLOT_MAX || slot_fd[s] == 0)
		return errno = EBADF, -1;
	return slot_fd[s] - 1;
}

/* Empties slot s before it is filled again; false (EBADF) when s is out of the table. */
static int slot_clear(uint64_t s)
{
	if (s >= SLOT_MAX)
		return errno = EBADF, 0;
	if (slot_fd[s])
		close(slot_fd[s] - 1);
	slot_fd[s] = 0;
	return 1;
}

static int slot_set(uint64_t s, int fd)
{
	if (fd < 0)
		return -1;
	slot_fd[s] = fd + 1;
	return 0;
}

/* A name to create in a directory slot: one component, neither "." nor "..", so that the
 * directory fd alone decides where it is made (no lookup of a path happens). */
static int one_component(const char *name)
{
	if (!*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return errno = EINVAL, 0;
	return 1;
}

/* ints: dst slot, dir slot (-1: the cwd, for an absolute path), open flags, RESOLVE_* flags.
 * openat2(2): O_CLOEXEC always. EAGAIN means a rename or mount raced a ".." step of a
 * RESOLVE_BENEATH/IN_ROOT lookup and the kernel refused to guess; a bounded retry is safe. */
static int do_open_at(struct op *o)
{
	int dir = (int64_t)o->ivals[1] == -1 ? AT_FDCWD : slot_get(o->ivals[1]);
	if (!slot_clear(o->ivals[0]) || dir == -1)
		return -1;
	struct open_how how;
	memset(&how, 0, sizeof(how));
	how.flags = o->ivals[2] | O_CLOEXEC;
	how.resolve = o->ivals[3];
	long fd;
	int tries = 0;
	do {
		fd = syscall(SYS_openat2, dir, o->strs[1], &how, sizeof(how));
	} while (fd < 0 && (errno == EAGAIN || errno == EINTR) && ++tries < 64);
	return slot_set(o->ivals[0], (int)fd);
}

/* ints: dir slot, mode. mkdirat(2) never follows a symlink at the name (EEXIST). */
static int do_mkdir_at(struct op *o)
{
	int dir = slot_get(o->ivals[0]);
	if (dir < 0 || !one_component(o->strs[1]))
		return -1;
	return mkdirat(dir, o->strs[1], (mode_t)o->ivals[1]);
}

/* ints: dir slot, open flags, mode; strings: name, content. O_NOFOLLOW always: a symlink at the
 * name is an error (ELOOP), never a way elsewhere (openat(2)). */
static int do_write_at(struct op *o)
{
	int dir = slot_get(o->ivals[0]);
	if (dir < 0 || !one_component(o->strs[1]))
		return -1;
	int fd = openat(dir, o->strs[1], (int)o->ivals[1] | O_NOFOLLOW | O_CLOEXEC, (mode_t)o->ivals[2]);
	if (fd < 0)
		return -1;
	return write_all_close(fd, o->strs[2], o->slen[2]);
}

/* ints: dir slot; strings: target, name. symlinkat(2) never follows an existing name. */
static int do_symlink_at(struct op *o)
{
	int dir = slot_get(o->ivals[0]);
	if (dir < 0 || !one_component(o->strs[2]))
		return -1;
	return symlinkat(o->strs[1], dir, o->strs[2]);
}

/* ints: dst slot, src slot, open_tree flags. The path is always "": the source is the slot's fd
 * (AT_EMPTY_PATH in the flags), looked up before by OP_OPEN_AT. */
static int do_open_tree(struct op *o)
{
	int src = slot_get(o->ivals[1]);
	if (!slot_clear(o->ivals[0]) || src < 0)
		return -1;
	return slot_set(o->ivals[0], (int)syscall(SYS_open_tree, src, "", (unsigned)o->ivals[2] | OPEN_TREE_CLOEXEC));
}

/* ints: dst slot, fsmount attr flags, then one fsconfig command per (key, value) string pair after
 * the file-system type: fsopen(2), fsconfig(2) SET_FLAG/SET_STRING, CMD_CREATE, fsmount(2). The
 * mount is detached until OP_MOVE_MOUNT attaches it. */
static int do_fs_mount(struct op *o)
{
	uint32_t n = o->nints - 2;
	if (!slot_clear(o->ivals[0]))
		return -1;
	if (o->nstrs != 2 + 2 * (uint64_t)n)
		return errno = EINVAL, -1;
	int fs = (int)syscall(SYS_fsopen, o->strs[1], FSOPEN_CLOEXEC);
	if (fs < 0)
		return -1;
	int rc = 0;
	for (uint32_t k = 0; k < n && rc == 0; k++) {
		uint64_t cmd = o->ivals[2 + k];
		const char *key = o->strs[2 + 2 * k], *val = o->strs[3 + 2 * k];
		if (cmd == FSCONFIG_SET_FLAG)
			rc = (int)syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, key, NULL, 0);
		else if (cmd == FSCONFIG_SET_STRING)
			rc = (int)syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, key, val, 0);
		else
			rc = (errno = EINVAL, -1);
	}
	if (rc == 0)
		rc = (int)syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
	int m = rc == 0 ? (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, (unsigned)o->ivals[1]) : -1;
	int e = errno;
	close(fs);
	errno = e;
	return slot_set(o->ivals[0], m);
}

/* ints: from slot, to slot, move_mount flags (the paths are "": both are the slots' fds). */
static int do_move_mount(struct op *o)
{
	int from = slot_get(o->ivals[0]), to = slot_get(o->ivals[1]);
	if (from < 0 || to < 0)
		return -1;
	return (int)syscall(SYS_move_mount, from, "", to, "", (unsigned)o->ivals[2]);
}

/* ints: slot, at flags, attr_set, attr_clr, propagation (mount_setattr(2) on the slot's mount). */
static int do_setattr_at(struct op *o)
{
	int fd = slot_get(o->ivals[0]);
	if (fd < 0)
		return -1;
	struct mount_attr ma = {o->ivals[2], o->ivals[3], o->ivals[4], 0};
	return (int)syscall(SYS_mount_setattr, fd, "", (unsigned)o->ivals[1], &ma, sizeof(ma));
}

static int do_close_slots(void)
{
	for (uint32_t s = 0; s < SLOT_MAX; s++)
		slot_clear(s);
	return 0;
}

/* For F_EXIST_OK: is the name of a MKDIR_AT/WRITE_AT/SYMLINK_AT there (not following it)? */
static int exists_at(struct op *o)
{
	struct stat st;
	int dir = slot_get(o->ivals[0]);
	const char *name = o->strs[o->code == OP_SYMLINK_AT ? 2 : 1];
	return dir >= 0 && one_component(name) && fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int do_if_up(struct op *o)
{
	struct ifreq ifr;
	if (o->slen[1] >= IFNAMSIZ) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, o->strs[1], o->slen[1]);
	int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
	if (rc == 0) {
		ifr.ifr_flags |= (short)o->ivals[0];
		rc = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	int e = errno;
	close(s);
	errno = e;
	return rc;
}

static int do_socket(struct op *o)
{
	int fd = socket((int)o->ivals[0], (int)o->ivals[1], (int)o->ivals[2]);
	if (fd < 0)
		return -1;
	int target = (int)o->ivals[3];
	if (fd != target) {
		if (dup3(fd, target, O_CLOEXEC) < 0)
			return -1;
		close(fd);
	}
	return 0;
}

/* Hands fds (ints 1..) to the supervisor (unix(7), SCM_RIGHTS) with an 'F' record whose value is
 * int 0 (what they are for), then closes our copies: the jailed program never holds them. */
static int do_send_fds(struct op *o, uint32_t idx)
{
	uint32_t n = o->nints - 1;
	uint32_t rec[4] = {'F', idx, (uint32_t)o->ivals[0], n};
	int fds[8];
	union {
		char buf[CMSG_SPACE(sizeof(fds))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	for (uint32_t k = 0; k < n; k++)
		fds[k] = (int)o->ivals[k + 1];
	struct iovec iov = {rec, sizeof(rec)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
	                    .msg_controllen = CMSG_SPACE(n * sizeof(int))};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	ssize_t r;
	do {
		r = sendmsg(ctl_fd, &mh, MSG_NOSIGNAL);
	} while (r < 0 && errno == EINTR);
	if (r != (ssize_t)sizeof(rec))
		return r < 0 ? -1 : (errno = EIO, -1);
	for (uint32_t k = 0; k < n; k++)
		close(fds[k]);
	return 0;
}

/*
 * Moves fds[k] to targets[k] for every k, whatever their numbers: each is first lifted above every
 * target (F_DUPFD_CLOEXEC picks a free number, fcntl(2)), so no dup3 clobbers a source still to be
 * moved. Targets are inherited across execve unless cloexec_first says the first one is not.
 */
static int arrange(const int *fds, const int *targets, uint32_t n, int cloexec_first)
{
	int hi = 3, lifted[RECV_MAX_PER_MSG > REQ_MAX_FDS ? OP_MAX_INTS : REQ_MAX_FDS];
	if (n > OP_MAX_INTS)
		return errno = EINVAL, -1;
	for (uint32_t k = 0; k < n; k++)
		if (targets[k] >= hi)
			hi = targets[k] + 1;
	for (uint32_t k = 0; k < n; k++) {
		lifted[k] = fcntl(fds[k], F_DUPFD_CLOEXEC, hi);
		if (lifted[k] < 0)
			return -1;
		close(fds[k]);
	}
	for (uint32_t k = 0; k < n; k++) {
		if (dup3(lifted[k], targets[k], (k == 0 && cloexec_first) ? O_CLOEXEC : 0) < 0)
			return -1;
		close(lifted[k]);
	}
	return 0;
}

/*
 * RECV_FDS: says 'R' (how many fds it wants), then takes the supervisor's 'D' records and their fds
 * (unix(7), SCM_RIGHTS) until it has every one, and moves them to the targets in the op's ints:
 * the jail's stdio and --pass_fd fds come here, at the last step before exec, so a jail can be
 * readied before the peer it will serve is known.
 */
static int do_recv_fds(struct op *o, uint32_t idx)
{
	uint32_t n = o->nints, got = 0;
	static int fds[OP_MAX_INTS], targets[OP_MAX_INTS];
	for (uint32_t k = 0; k < n; k++) {
		if (o->ivals[k] > INT32_MAX)
			return errno = EBADF, -1;
		targets[k] = (int)o->ivals[k];
	}
	report('R', idx, (int32_t)n);
	while (got < n || (n == 0 && got == 0)) {
		uint32_t rec[4];
		union {
			char buf[CMSG_SPACE(RECV_MAX_PER_MSG * sizeof(int))];
			struct cmsghdr align;
		} u;
		struct iovec iov = {rec, sizeof(rec)};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
		ssize_t r;
		do {
			r = recvmsg(ctl_fd, &mh, MSG_CMSG_CLOEXEC | MSG_WAITALL);
		} while (r < 0 && errno == EINTR);
		if (r < 0)
			return -1;
		if (r != (ssize_t)sizeof(rec) || rec[0] != 'D' || (mh.msg_flags & MSG_CTRUNC))
			return errno = EPROTO, -1;
		uint32_t m = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			uint32_t k = (uint32_t)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			if (k > n - got - m)
				return errno = EPROTO, -1;
			memcpy(&fds[got + m], CMSG_DATA(c), k * sizeof(int));
			m += k;
		}
		if (m != rec[1])
			return errno = EPROTO, -1;
		got += m;
		if (n == 0)
			break;
	}
	return arrange(fds, targets, n, 0);
}

static int do_capset(struct op *o)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	for (int i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)(o->ivals[0] >> (32 * i));
		d[i].permitted = (uint32_t)(o->ivals[1] >> (32 * i));
		d[i].inheritable = (uint32_t)(o->ivals[2] >> (32 * i));
	}
	return (int)syscall(SYS_capset, &h, d);
}

static int do_fds_cloexec(struct op *o)
{
	if (syscall(SYS_close_range, 3u, ~0u, CLOSE_RANGE_CLOEXEC) < 0)
		return -1;
	for (uint32_t i = 0; i < o->nints; i++)
		if (fcntl((int)o->ivals[i], F_SETFD, 0) < 0)
			return -1;
	return 0;
}

static int do_seccomp(struct op *o)
{
	if (o->slen[1] == 0 || o->slen[1] % sizeof(struct sock_filter) || o->slen[1] / 8 > 0xffff) {
		errno = EINVAL;
		return -1;
	}
	struct sock_fprog prog = {(unsigned short)(o->slen[1] / 8), (struct sock_filter *)o->strs[1]};
	int rc = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned)o->ivals[0], &prog);
	/* With SECCOMP_FILTER_FLAG_NEW_LISTENER the result is the listener fd: put it where int 1 says. */
	if (rc > 0 && o->nints == 2 && rc != (int)o->ivals[1]) {
		if (dup3(rc, (int)o->ivals[1], O_CLOEXEC) < 0)
			return -1;
		close(rc);
	}
	return rc < 0 ? -1 : 0;
}

static int do_execve(struct op *o)
{
	uint64_t argc = o->ivals[0], envc = o->ivals[1], n = o->nstrs - 2;
	/* each count on its own first: a huge pair could wrap around to the right sum */
	if (argc < 1 || argc > n || envc > n || argc + envc != n) {
		errno = EINVAL;
		return -1;
	}
	char **argv = &o->strs[2];
	char **envp = &o->strs[2 + argc];
	/* Both arrays need a NULL end: argv's end is envp's start, so copy argv. */
	char **av = calloc(argc + 1, sizeof(char *));
	if (!av)
		return -1;
	memcpy(av, argv, argc * sizeof(char *));
	int64_t fd = (int64_t)o->ivals[2];
	if (fd >= 0)
		syscall(SYS_execveat, (int)fd, "", av, envp, AT_EMPTY_PATH);
	else
		execve(o->strs[1], av, envp);
	return -1;
}

/* Dummy init of a new PID namespace for -Me: PID 1 must live, or no later fork can enter it. */
static int do_pid_ns_init(void)
{
	/* A pidfd of ourselves, taken before the fork: the child cannot name us by pid (we are outside
	 * its PID namespace), but can ask this fd whether we already exited (pidfd_open(2)). */
	int self = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (self < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(self);
		return -1;
	}
	if (pid > 0) {
		close(self);
		return 0;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* If we died before PDEATHSIG was armed, no signal will ever come: leave now. */
	struct pollfd pf = {self, POLLIN, 0};
	if (poll(&pf, 1, 0) != 0)
		_exit(0);
	close(self);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = SA_NOCLDWAIT; /* orphans re-parented to us are reaped by the kernel */
	sigaction(SIGCHLD, &sa, NULL);
	syscall(SYS_close_range, 0u, ~0u, 0);
	for (;;)
		pause();
}

/* --init's PID 1 after the fork. It keeps nothing: every fd closed (the control socket and the
 * program's stdio included), not dumpable (ptrace(2) and /proc/1/mem then need CAP_SYS_PTRACE over
 * it), every capability dropped, no_new_privs and its own seccomp filter (string 1) allowing only
 * the calls below. It reaps every child (orphans are re-parented to it, pid_namespaces(7)), passes
 * SIGTERM, SIGINT and SIGHUP on to the program, and when the program has been reaped it exits with
 * its status (128+signal for a signal: an init cannot die of most signals, kill(2) "Notes"). */
static void run_init(struct op *o, pid_t child, const sigset_t *wait_set)
{
	syscall(SYS_close_range, 0u, ~0u, 0u);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	memset(d, 0, sizeof(d));
	struct sock_fprog prog = {(unsigned short)(o->slen[1] / 8), (struct sock_filter *)o->strs[1]};
	if (syscall(SYS_capset, &h, d) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0u, &prog) < 0) {
		/* Nothing to report to any more: the program must not run beside an init that is not confined. */
		kill(child, SIGKILL);
		_exit(255);
	}
	int program_status = -1;
	for (;;) {
		siginfo_t si;
		int sig = (int)syscall(SYS_rt_sigtimedwait, wait_set, &si, NULL, (size_t)(_NSIG / 8));
		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			if (program_status < 0)
				syscall(SYS_kill, child, sig);
			continue;
		}
		for (;;) {
			int st;
			pid_t p = (pid_t)syscall(SYS_wait4, -1, &st, WNOHANG | __WALL, NULL);
			if (p <= 0)
				break;
			if (p == child)
				program_status = st;
		}
		if (program_status >= 0)
			syscall(SYS_exit_group, WIFEXITED(program_status) ? WEXITSTATUS(program_status)
			                                                  : 128 + WTERMSIG(program_status));
	}
}

/* --init: forks. PID 1 becomes the init (run_init, never returns); the child goes on with the plan,
 * its signal mask restored, with a pidfd of itself at int 0 for the supervisor. */
static int do_init(struct op *o)
{
	if (o->slen[1] == 0 || o->slen[1] % sizeof(struct sock_filter) || o->slen[1] / 8 > 0xffff) {
		errno = EINVAL;
		return -1;
	}
	/* Blocked before the fork, so that no signal meant for the init is lost in between: an init
	 * ignores a signal it has no handler for, unless the signal is blocked (then it stays pending). */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, &old) < 0)
		return -1;
	pid_t child = (pid_t)syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, NULL);
	if (child < 0) {
		int e = errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		errno = e;
		return -1;
	}
	if (child > 0)
		run_init(o, child, &set);
	if (sigprocmask(SIG_SETMASK, &old, NULL) < 0)
		return -1;
	int fd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (fd < 0)
		return -1;
	int target = (int)o->ivals[0];
	if (fd != target) {
		if (dup3(fd, target, O_CLOEXEC) < 0)
			return -1;
		close(fd);
	}
	return 0;
}

static int run_ops(uint32_t from, uint32_t to);

/* Runs ops [i+1, i+1+n) in a CLONE_FS child (shares root and cwd, enters a new PID ns). */
static int do_fs_child(uint32_t i)
{
	uint32_t n = (uint32_t)ops[i].ivals[0];
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_FS | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(run_ops(i + 1, i + 1 + n) ? 255 : 0);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		_exit(255); /* the child already said why */
	return 0;
}

/* Op 0: the jail. Returns its pid in the stub, 0 in the jail, -1 on failure. */
static int do_clone(struct op *o, int cgroup_fd)
{
	struct clone_args ca;
	memset(&ca, 0, sizeof(ca));
	ca.flags = o->ivals[0];
	/* With CLONE_PARENT, clone3 wants exit_signal 0: the child inherits ours (SIGCHLD). */
	ca.exit_signal = (ca.flags & CLONE_PARENT) ? 0 : SIGCHLD;
	if ((int64_t)o->ivals[1] >= 0) {
		if (cgroup_fd < 0)
			return errno = EBADF, -1;
		ca.flags |= CLONE_INTO_CGROUP;
		ca.cgroup = (uint64_t)cgroup_fd;
	}
	long pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0 && (ca.flags & CLONE_INTO_CGROUP)) {
		/* Kernels before 5.7 reject CLONE_INTO_CGROUP (EINVAL or E2BIG), and it fails where the
		 * cgroup cannot take the task (EOPNOTSUPP, EBUSY). Clone without it: the supervisor sees the
		 * jail missing from cgroup.procs and moves it there before sending "go". */
		ca.flags &= ~(uint64_t)CLONE_INTO_CGROUP;
		ca.cgroup = 0;
		pid = syscall(SYS_clone3, &ca, sizeof(ca));
	}
	return (int)pid;
}

static int run_op(uint32_t i)
{
	struct op *o = &ops[i];
	uint64_t *v = o->ivals;
	char **s = o->strs;
	switch (o->code) {
	case OP_CLONE: return errno = EINVAL, -1; /* only as op 0, by the resident loop */
	case OP_WAIT_GO: {
		char c;
		if (read_full(ctl_fd, &c, 1))
			return errno = ECANCELED, -1;
		return c == 'G' ? 0 : (errno = ECANCELED, -1);
	}
	case OP_WRITE_FILE: return do_write_file(o);
	case OP_OPEN_DUP: return do_open_dup(o);
	case OP_PRCTL: return prctl((int)v[0], v[1], v[2], v[3], v[4]);
	case OP_SETRESGID: return (int)syscall(SYS_setresgid, (gid_t)v[0], (gid_t)v[1], (gid_t)v[2]);
	case OP_SETRESUID: return (int)syscall(SYS_setresuid, (uid_t)v[0], (uid_t)v[1], (uid_t)v[2]);
	case OP_SETGROUPS: {
		gid_t g[OP_MAX_INTS];
		for (uint32_t k = 0; k < o->nints; k++)
			g[k] = (gid_t)v[k];
		/* raw syscall: glibc's setgroups would broadcast to all threads, there is only one */
		return (int)syscall(SYS_setgroups, (int)o->nints, g);
	}
	case OP_UMOUNT2: return umount2(s[1], (int)v[0]);
	case OP_CHDIR: return chdir(s[1]);
	case OP_CHROOT: return chroot(s[1]);
	case OP_PIVOT_ROOT: return (int)syscall(SYS_pivot_root, s[1], s[2]);
	case OP_SETHOSTNAME: return sethostname(s[1], o->slen[1]);
	case OP_IF_UP: return do_if_up(o);
	case OP_PRLIMIT: {
		struct rlimit64 rl = {v[1], v[2]};
		return (int)syscall(SYS_prlimit64, 0, (int)v[0], &rl, NULL);
	}
	case OP_PERSONALITY: return personality((unsigned long)v[0]) < 0 ? -1 : 0;
	case OP_SETPRIORITY: return setpriority((int)v[0], (id_t)v[1], (int)(int64_t)v[2]);
	case OP_SETSID: return setsid() < 0 ? -1 : 0;
	case OP_CAPSET: return do_capset(o);
	case OP_SCHED_SETAFFINITY: return (int)syscall(SYS_sched_setaffinity, 0, (size_t)o->slen[1], s[1]);
	case OP_FDS_CLOEXEC: return do_fds_cloexec(o);
	case OP_SECCOMP: return do_seccomp(o);
	case OP_EXECVE: return do_execve(o);
	case OP_UNSHARE: return unshare((int)v[0]);
	case OP_PID_NS_INIT: return do_pid_ns_init();
	case OP_FS_CHILD: return do_fs_child(i);
	case OP_SOCKET: return do_socket(o);
	case OP_SEND_FDS: return do_send_fds(o, i);
	case OP_UMASK: umask((mode_t)(v[0] & 0777)); return 0;
	case OP_OPEN_AT: return do_open_at(o);
	case OP_MKDIR_AT: return do_mkdir_at(o);
	case OP_WRITE_AT: return do_write_at(o);
	case OP_SYMLINK_AT: return do_symlink_at(o);
	case OP_OPEN_TREE: return do_open_tree(o);
	case OP_FS_MOUNT: return do_fs_mount(o);
	case OP_MOVE_MOUNT: return do_move_mount(o);
	case OP_SETATTR_AT: return do_setattr_at(o);
	case OP_FCHDIR: {
		int fd = slot_get(v[0]);
		return fd < 0 ? -1 : fchdir(fd);
	}
	case OP_CLOSE_SLOTS: return do_close_slots();
	case OP_RECV_FDS: return do_recv_fds(o, i);
	case OP_INIT: return do_init(o);
	}
	errno = ENOSYS;
	return -1;
}

/* Returns 0 when every op in [from, to) succeeded (or was allowed to fail). */
static int run_ops(uint32_t from, uint32_t to)
{
	int last_ok = 1;
	for (uint32_t i = from; i < to; i++) {
		/* Skipped: the op it belongs to (the one before, or the one that fills its slot) failed
		 * and has said so. A skipped FS_CHILD takes its range along. */
		int skip = ((ops[i].flags & F_CHAINED) && !last_ok) ||
		           ((ops[i].flags & F_IF_FILLED) && ops[i].nints > 0 && slot_get(ops[i].ivals[0]) < 0);
		last_ok = 0;
		if (skip) {
			if (ops[i].code == OP_FS_CHILD)
				i += (uint32_t)ops[i].ivals[0];
			continue;
		}
		errno = 0;
		int rc = run_op(i);
		if (ops[i].code == OP_FS_CHILD)
			i += (uint32_t)ops[i].ivals[0];
		if (rc >= 0) {
			last_ok = 1;
			continue;
		}
		int e = errno ? errno : EIO;
		uint32_t f = ops[i].flags;
		int c = ops[i].code;
		if ((f & F_EXIST_OK) && (e == EEXIST || ((e == EROFS || e == EPERM || e == EACCES) &&
		                                         (c == OP_MKDIR_AT || c == OP_WRITE_AT || c == OP_SYMLINK_AT) &&
		                                         exists_at(&ops[i])))) {
			last_ok = 1;
			continue;
		}
		if (f & F_IGNORE)
			continue;
		if (f & F_WARN) {
			report('W', i, e);
			say('W', i, e);
			continue;
		}
		report('E', i, e);
		say('E', i, e);
		return -1;
	}
	return 0;
}

/* The signals a resident stub ignores (and its jails do not). */
static const int stub_ignores[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP};

/*
 * One request of a resident stub: read the plan from the jail's control socket, clone the jail
 * and report its pid ('P'). In the jail, move the request's fds to their targets, close the rest
 * (the resident socket first of all: no jail may hold it), say 'C' and run the plan.
 */
static void serve(int sock, const int *fds, const int *targets, uint32_t n)
{
	int cgroup_fd = -1;
	load_plan(fds[0]);
	ctl_fd = fds[0];
	if (ops[0].code != OP_CLONE) {
		report('E', 0, EINVAL);
		return;
	}
	/* CLONE's int 1 names the cgroup fd by its number in the jail: find it among the request's. */
	for (uint32_t k = 1; k < n; k++)
		if ((int64_t)ops[0].ivals[1] >= 0 && targets[k] == (int)ops[0].ivals[1])
			cgroup_fd = fds[k];
	int pid = do_clone(&ops[0], cgroup_fd);
	if (pid < 0) {
		report('E', 0, errno);
		return;
	}
	if (pid > 0) {
		report('P', 0, (int32_t)pid);
		return;
	}
	/* The jail. */
	for (size_t k = 0; k < sizeof(stub_ignores) / sizeof(stub_ignores[0]); k++)
		signal(stub_ignores[k], SIG_DFL);
	close(sock);
	prctl(PR_SET_NAME, "jnsjail-jail", 0, 0, 0); /* until execve names it after the program */
	if (arrange(fds, targets, n, 1) < 0)
		_exit(255);
	ctl_fd = targets[0];
	/* Every other fd of the stub's is closed (0-2 stay: /dev/null until RECV_FDS): close_range(2)
	 * over the gaps between the sorted targets. */
	int sorted[REQ_MAX_FDS];
	memcpy(sorted, targets, n * sizeof(int));
	for (uint32_t a = 1; a < n; a++)
		for (uint32_t b = a; b > 0 && sorted[b - 1] > sorted[b]; b--) {
			int t = sorted[b];
			sorted[b] = sorted[b - 1], sorted[b - 1] = t;
		}
	int from = 3;
	for (uint32_t k = 0; k < n; k++) {
		if (sorted[k] > from)
			syscall(SYS_close_range, (unsigned)from, (unsigned)sorted[k] - 1, 0);
		if (sorted[k] + 1 > from)
			from = sorted[k] + 1;
	}
	syscall(SYS_close_range, (unsigned)from, ~0u, 0);
	report('C', 0, 0);
	run_ops(1, nops);
	_exit(255);
}

/* Resident mode: one request per jail until the supervisor closes SOCKFD. */
static void resident(int sock)
{
	pid_t parent = getppid();
	/* The jails' parent-death signal follows the JVM thread that started us; so does ours. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != parent)
		_exit(0);
	prctl(PR_SET_NAME, "jnsjail-stub", 0, 0, 0); /* how ps(1) and tests tell it from a jail */
	/* A terminal's ^C or ^\ goes to the whole foreground process group, the JVM's, ours included: the
	 * supervisor decides what becomes of its jails, and we end with it (EOF, or the death signal).
	 * Each jail takes the default dispositions back at once. */
	for (size_t k = 0; k < sizeof(stub_ignores) / sizeof(stub_ignores[0]); k++)
		signal(stub_ignores[k], SIG_IGN);
	for (;;) {
		uint32_t req[2 + REQ_MAX_FDS];
		int fds[REQ_MAX_FDS], targets[REQ_MAX_FDS];
		union {
			char buf[CMSG_SPACE(REQ_MAX_FDS * sizeof(int))];
			struct cmsghdr align;
		} u;
		struct iovec iov = {req, sizeof(req)};
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
		ssize_t r;
		do {
			r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		} while (r < 0 && errno == EINTR);
		if (r <= 0)
			_exit(0); /* the supervisor is gone */
		uint32_t n = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			uint32_t k = (uint32_t)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			if (k > REQ_MAX_FDS - n)
				die("too many fds in a request");
			memcpy(&fds[n], CMSG_DATA(c), k * sizeof(int));
			n += k;
		}
		if ((mh.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) || r < 8 || req[0] != REQ_MAGIC || req[1] != n || n == 0 ||
		    (size_t)r != 8 + 4 * (size_t)n)
			die("malformed request");
		for (uint32_t k = 0; k < n; k++) {
			if (req[2 + k] > (uint32_t)(1 << 20) || req[2 + k] < 3)
				die("bad fd target");
			targets[k] = (int)req[2 + k];
			for (uint32_t j = 0; j < k; j++)
				if (targets[j] == targets[k])
					die("duplicate fd target");
		}
		serve(sock, fds, targets, n);
		for (uint32_t k = 0; k < n; k++)
			close(fds[k]);
		ctl_fd = -1;
		free_plan();
	}
}

int main(int argc, char **argv)
{
	if (argc != 3 || (argv[1][0] != 'r' && argv[1][0] != 'e') || argv[1][1])
		die("usage: exec-stub r|e FD (started by jnsjail only)");
	char *endp;
	long fd = strtol(argv[2], &endp, 10);
	if (*endp || fd < 0 || fd > 1 << 20)
		die("bad fd");
	if (argv[1][0] == 'r')
		resident((int)fd);
	inplace = 1;
	load_plan((int)fd);
	close((int)fd);
	run_ops(0, nops);
	dprintf(2, "[F][%d] Launching new process failed\n", (int)getpid());
	_exit(255);
}

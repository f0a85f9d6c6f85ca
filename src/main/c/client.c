/*
 * jnsjail client: hands one command line to the caller's resident jnsjail server and waits.
 *
 * Mechanism only: it knows no option. It sends its argv, environment, stdin/stdout/stderr and
 * securebits, answers the server's requests for more fds (--pass_fd, --log_fd), forwards SIGINT,
 * SIGTERM, SIGHUP, SIGUSR1 and SIGQUIT, and exits with the status the server reports. Everything
 * else (whether the server may run the request at all, what the jail gets) is decided in Java.
 * When there is no server, or the server says so, it execs the cold command at once.
 *
 * Usage: jnsjail-client SOCKET IDENTITY N COLD_0 .. COLD_N-1 ARGS...
 *   SOCKET    the server's socket (AF_UNIX path); empty: the caller's default, by the rule of
 *             org.jnsjail.server.ServerDir (/run/jnsjail as root, else $XDG_RUNTIME_DIR/jnsjail,
 *             else /run/user/EUID/jnsjail), so the launcher needs no fork to find it
 *   IDENTITY  which jnsjail build the caller belongs to (the server compares it with its own)
 *   COLD_*    the command that runs the request without a server; ARGS are appended to it
 *
 * Wire format (host byte order), frames of: u32 type, u32 payload length, payload.
 *   client -> server
 *     'R' request: u32 version, u32 open-stdio mask (bit n: fd n is open), u32 securebits, u32
 *         personality, u32 argc, u32 envc, then IDENTITY, ARGS and the environment as NUL-terminated
 *         strings (securebits and personality are no privilege to lie about: procfs would show the
 *         personality only to a ptrace-capable reader, which Yama may forbid); the open
 *         stdio fds travel with the header (SCM_RIGHTS), lowest first.
 *     'F' fds asked for: u32 n, n x i32 (the fd's number, or -1 when it is not open); the open
 *         ones travel with the header, in that order.
 *     'S' a signal arrived: u32 signal number.
 *   server -> client
 *     'N' send these fds: u32 n, n x i32.   'C' run cold (payload: why, passed to the cold run in
 *     $JNSJAIL_COLD_REASON).   'G' the jail is being started: from
 *     here on a lost server means a lost jail.   'X' exit: u32 status.   'E' one line of text to
 *     print on stderr, then exit 255.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define VERSION 2u
#define MAX_FDS 250u /* below SCM_MAX_FD (253) */
#define MAX_TEXT 4096u

extern char **environ;

static char **cold;
static sigset_t old_mask;
static struct sigaction old_int, old_term;
static int sock = -1, sfd = -1;

/* Runs the request without a server: signals as they were, then the cold command. */
static void go_cold(void)
{
	if (sock >= 0)
		close(sock);
	if (sfd >= 0)
		close(sfd);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	execv(cold[0], cold);
	dprintf(2, "jnsjail: cannot run %s: %s\n", cold[0], strerror(errno));
	_exit(255);
}

/* One fatal line in nsjail's log format, for what only the client can see. */
static void fatal_line(const char *msg)
{
	char ts[64] = "";
	time_t now = time(NULL);
	struct tm tm;
	if (localtime_r(&now, &tm))
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S%z", &tm);
	dprintf(2, "[F][%s][%d] %s\n", ts, (int)getpid(), msg);
}

static int fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* sendmsg of a whole frame; fds ride on the first byte. */
static int send_frame(uint32_t type, const void *payload, uint32_t len, const int *fds, unsigned nfds)
{
	uint32_t hdr[2] = {type, len};
	struct iovec iov[2] = {{hdr, sizeof(hdr)}, {(void *)payload, len}};
	union {
		char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
	if (nfds) {
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	size_t left = sizeof(hdr) + len;
	while (left) {
		ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		left -= (size_t)n;
		mh.msg_control = NULL;
		mh.msg_controllen = 0;
		while (n > 0 && mh.msg_iovlen) {
			size_t take = (size_t)n < mh.msg_iov->iov_len ? (size_t)n : mh.msg_iov->iov_len;
			mh.msg_iov->iov_base = (char *)mh.msg_iov->iov_base + take;
			mh.msg_iov->iov_len -= take;
			n -= (ssize_t)take;
			if (mh.msg_iov->iov_len == 0) {
				mh.msg_iov++;
				mh.msg_iovlen--;
			}
		}
	}
	return 0;
}

static int read_full(void *buf, size_t len)
{
	char *p = buf;
	while (len) {
		ssize_t n = read(sock, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_request(char **args, int nargs, const char *identity)
{
	size_t len = 24 + strlen(identity) + 1;
	int envc = 0;
	for (int i = 0; i < nargs; i++)
		len += strlen(args[i]) + 1;
	for (char **e = environ; *e; e++, envc++)
		len += strlen(*e) + 1;
	if (len > (64u << 20))
		return -1;
	char *buf = malloc(len);
	if (!buf)
		return -1;
	int fds[3];
	unsigned nfds = 0, mask = 0;
	for (int fd = 0; fd < 3; fd++)
		if (fd_open(fd)) {
			mask |= 1u << fd;
			fds[nfds++] = fd;
		}
	uint32_t head[6] = {VERSION, mask, (uint32_t)prctl(PR_GET_SECUREBITS), (uint32_t)personality(0xffffffff),
			    (uint32_t)nargs, (uint32_t)envc};
	memcpy(buf, head, sizeof(head));
	char *p = buf + sizeof(head);
	p = stpcpy(p, identity) + 1;
	for (int i = 0; i < nargs; i++)
		p = stpcpy(p, args[i]) + 1;
	for (char **e = environ; *e; e++)
		p = stpcpy(p, *e) + 1;
	int rc = send_frame('R', buf, (uint32_t)len, fds, nfds);
	free(buf);
	return rc;
}

/* 'N': the fds asked for, those that are open attached; -1 marks a closed one. */
static int send_fds(const char *want, uint32_t n)
{
	int32_t reply[1 + MAX_FDS];
	int fds[MAX_FDS];
	unsigned nfds = 0;
	reply[0] = (int32_t)n;
	for (uint32_t i = 0; i < n; i++) {
		int32_t fd;
		memcpy(&fd, want + 4 * i, 4);
		int ok = fd >= 0 && fd_open(fd);
		reply[1 + i] = ok ? fd : -1;
		if (ok)
			fds[nfds++] = fd;
	}
	return send_frame('F', reply, 4 * (1 + n), fds, nfds);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		dprintf(2, "usage: %s SOCKET IDENTITY N COLD_COMMAND... ARGS...\n", argv[0]);
		return 255;
	}
	long ncold = strtol(argv[3], NULL, 10);
	if (ncold < 1 || ncold > argc - 4) {
		dprintf(2, "jnsjail-client: bad cold command length '%s'\n", argv[3]);
		return 255;
	}
	char **args = argv + 4 + ncold;
	int nargs = argc - 4 - (int)ncold;
	cold = calloc((size_t)(ncold + nargs + 1), sizeof(char *));
	if (!cold)
		return 255;
	memcpy(cold, argv + 4, sizeof(char *) * (size_t)ncold);
	memcpy(cold + ncold, args, sizeof(char *) * (size_t)nargs);
	sigaction(SIGINT, NULL, &old_int);
	sigaction(SIGTERM, NULL, &old_term);
	sigprocmask(SIG_SETMASK, NULL, &old_mask);

	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (argv[1][0] == '\0') {
		const char *xdg = getenv("XDG_RUNTIME_DIR");
		uid_t euid = geteuid();
		int n = euid == 0 ? snprintf(sa.sun_path, sizeof(sa.sun_path), "/run/jnsjail/server.sock")
		        : xdg && xdg[0] == '/' ? snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/jnsjail/server.sock", xdg)
		        : snprintf(sa.sun_path, sizeof(sa.sun_path), "/run/user/%u/jnsjail/server.sock", (unsigned)euid);
		if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
			go_cold();
	} else {
		if (strlen(argv[1]) >= sizeof(sa.sun_path))
			go_cold();
		strcpy(sa.sun_path, argv[1]);
	}
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		go_cold();

	/* A cold jnsjail handles SIGINT/SIGTERM whatever it inherited; SIGHUP, SIGUSR1 and SIGQUIT
	 * stay as inherited (an ignored signal is discarded, never queued: signal(7)). */
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigaction(SIGINT, &dfl, NULL);
	sigaction(SIGTERM, &dfl, NULL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0 || send_request(args, nargs, argv[2]) < 0)
		go_cold();

	int started = 0;
	for (;;) {
		struct pollfd p[2] = {{sock, POLLIN, 0}, {sfd, POLLIN, 0}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				uint32_t sig = si.ssi_signo;
				send_frame('S', &sig, 4, NULL, 0); /* a failure shows as EOF below */
			}
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		uint32_t hdr[2];
		if (read_full(hdr, sizeof(hdr)) < 0)
			break;
		uint32_t type = hdr[0], len = hdr[1];
		if (len > MAX_TEXT + 8)
			break;
		char payload[MAX_TEXT + 8 + 1];
		if (read_full(payload, len) < 0)
			break;
		payload[len] = 0;
		if (type == 'C' && !started) {
			/* Why, for the cold run to log at -v (it leaves the variable out of the jail's environment). */
			if (len)
				setenv("JNSJAIL_COLD_REASON", payload, 1);
			go_cold();
		} else if (type == 'N' && len >= 4) {
			uint32_t n;
			memcpy(&n, payload, 4);
			if (n > MAX_FDS || len != 4 * (1 + n))
				break;
			if (send_fds(payload + 4, n) < 0)
				break;
		} else if (type == 'G') {
			started = 1;
		} else if (type == 'X' && len == 4) {
			uint32_t status;
			memcpy(&status, payload, 4);
			_exit((int)(status & 0xff));
		} else if (type == 'E') {
			dprintf(2, "%s\n", payload);
			_exit(255);
		} else {
			break;
		}
	}
	/* Nothing was started yet: the request can still run cold, exactly once. */
	if (!started)
		go_cold();
	fatal_line("The jnsjail server went away while the jail ran; the jail was killed with it");
	return 255;
}

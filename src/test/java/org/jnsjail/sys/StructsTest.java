package org.jnsjail.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Structs} against the C headers: a C program prints offsetof() and sizeof() of every
 * member the table names, compiled with gcc (which builds the exec stub too).
 */
class StructsTest {
    /** Each constant of Structs and the C expression it must equal. */
    static final Map<String, String> C = new LinkedHashMap<>();

    static {
        struct("Pollfd", "struct pollfd", "FD=fd", "EVENTS=events", "REVENTS=revents");
        struct("Siginfo", "siginfo_t", "SIGNO=si_signo", "CODE=si_code", "PID=si_pid", "UID=si_uid", "STATUS=si_status");
        struct("Rusage", "struct rusage", "UTIME=ru_utime", "STIME=ru_stime", "MAXRSS=ru_maxrss");
        C.put("Rusage.TV_SEC", "offsetof(struct timeval, tv_sec)");
        C.put("Rusage.TV_USEC", "offsetof(struct timeval, tv_usec)");
        struct("Rlimit", "struct rlimit64", "CUR=rlim_cur", "MAX=rlim_max");
        struct("Iovec", "struct iovec", "BASE=iov_base", "LEN=iov_len");
        struct("EpollEvent", "struct epoll_event", "EVENTS=events", "DATA=data");
        struct("OpenHow", "struct open_how", "FLAGS=flags", "MODE=mode", "RESOLVE=resolve");
        struct("SeccompData", "struct seccomp_data", "NR=nr", "ARCH=arch", "INSTRUCTION_POINTER=instruction_pointer",
                "ARGS=args");
        struct("SeccompNotif", "struct seccomp_notif", "ID=id", "PID=pid", "FLAGS=flags", "DATA=data");
        struct("SeccompNotifResp", "struct seccomp_notif_resp", "ID=id", "VAL=val", "ERROR=error", "FLAGS=flags");
        struct("Stat", "struct stat", "DEV=st_dev", "INO=st_ino", "MODE=st_mode", "UID=st_uid", "GID=st_gid");
        struct("Ucred", "struct ucred", "PID=pid", "UID=uid", "GID=gid");
        struct("Statfs", "struct statfs", "TYPE=f_type");
        struct("SockaddrIn", "struct sockaddr_in", "FAMILY=sin_family", "PORT=sin_port", "ADDR=sin_addr");
        struct("SockaddrIn6", "struct sockaddr_in6", "FAMILY=sin6_family", "PORT=sin6_port", "FLOWINFO=sin6_flowinfo",
                "ADDR=sin6_addr", "SCOPE_ID=sin6_scope_id");
        struct("Msghdr", "struct msghdr", "NAME=msg_name", "NAMELEN=msg_namelen", "IOV=msg_iov", "IOVLEN=msg_iovlen",
                "CONTROL=msg_control", "CONTROLLEN=msg_controllen", "FLAGS=msg_flags");
        struct("Cmsghdr", "struct cmsghdr", "LEN=cmsg_len", "LEVEL=cmsg_level", "TYPE=cmsg_type");
        // Linux 6.13's struct pidfd_info: absent from older headers, then checked against its known layout.
        C.put("PidfdInfo.SIZE", "PIDFD_INFO_SIZE_VER0_OR_64");
        C.put("PidfdInfo.MASK", "PIDFD_INFO_MASK_OR_0");
        C.put("PidfdInfo.EXIT_CODE", "PIDFD_INFO_EXIT_CODE_OR_60");
    }

    private static void struct(String java, String c, String... members) {
        C.put(java + ".SIZE", "sizeof(" + c + ")");
        for (String m : members) {
            String[] kv = m.split("=");
            C.put(java + "." + kv[0], "offsetof(" + c + ", " + kv[1] + ")");
        }
    }

    private static final String PROLOGUE = """
            #define _GNU_SOURCE
            #include <stddef.h>
            #include <stdio.h>
            #include <signal.h>
            #include <poll.h>
            #include <sys/resource.h>
            #include <sys/time.h>
            #include <sys/uio.h>
            #include <sys/epoll.h>
            #include <sys/stat.h>
            #include <sys/vfs.h>
            #include <sys/socket.h>
            #include <netinet/in.h>
            #include <linux/openat2.h>
            #include <linux/seccomp.h>
            #include <linux/pidfd.h>
            #ifdef PIDFD_INFO_EXIT
            #define PIDFD_INFO_SIZE_VER0_OR_64 PIDFD_INFO_SIZE_VER0
            #define PIDFD_INFO_MASK_OR_0 offsetof(struct pidfd_info, mask)
            #define PIDFD_INFO_EXIT_CODE_OR_60 offsetof(struct pidfd_info, exit_code)
            #else
            #define PIDFD_INFO_SIZE_VER0_OR_64 64
            #define PIDFD_INFO_MASK_OR_0 0
            #define PIDFD_INFO_EXIT_CODE_OR_60 60
            #endif
            int main(void) {
            """;

    @Test
    void layoutsMatchTheHeaders(@TempDir Path dir) throws Exception {
        StringBuilder src = new StringBuilder(PROLOGUE);
        for (var e : C.entrySet()) {
            src.append("    printf(\"").append(e.getKey()).append(" %zu\\n\", (size_t)(").append(e.getValue()).append("));\n");
        }
        src.append("    return 0;\n}\n");
        Path c = dir.resolve("structs.c"), exe = dir.resolve("structs");
        Files.writeString(c, src);
        Process cc;
        try {
            cc = new ProcessBuilder("gcc", "-o", exe.toString(), c.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            Assumptions.abort("gcc is missing: " + e.getMessage());
            return;
        }
        String ccOut = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        cc.waitFor(60, TimeUnit.SECONDS);
        assertEquals(0, cc.exitValue(), "gcc: " + ccOut);
        Process run = new ProcessBuilder(exe.toString()).start();
        String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        run.waitFor(10, TimeUnit.SECONDS);
        Map<String, Long> want = new TreeMap<>();
        for (String l : out.split("\n")) {
            if (l.isBlank()) continue;
            String[] kv = l.split(" ");
            want.put(kv[0], Long.parseLong(kv[1]));
        }
        Map<String, Long> have = new TreeMap<>();
        List<String> unchecked = new ArrayList<>();
        for (Class<?> k : Structs.class.getDeclaredClasses()) {
            for (Field f : k.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers()) || f.getType() != int.class) continue;
                String key = k.getSimpleName() + "." + f.getName();
                have.put(key, (long) f.getInt(null));
                if (!C.containsKey(key)) unchecked.add(key);
            }
        }
        assertEquals(List.of(), unchecked, "constants this test has no C expression for");
        assertEquals(want, have);
    }
}

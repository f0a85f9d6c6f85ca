package org.jnsjail.unotify;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The report text, compared with what nsjail's C++ TextFormat::PrintToString prints for the same Stat. */
class ReportTextTest {
    static Stats sample() {
        Stats s = new Stats(Stats.DEFAULT_MAX_BYTES);
        PathInfo hostname = new PathInfo("/etc/hostname", PathType.REGULAR, PathType.REGULAR, OpenMode.RDONLY, "O_CLOEXEC");
        s.add(new Observation("openat", "dirfd=AT_FDCWD ", List.of(hostname), null));
        s.add(new Observation("openat", "dirfd=AT_FDCWD ", List.of(hostname), null));
        s.add(new Observation("stat", "", List.of(PathInfo.of("/nonexistent", PathType.NONEXISTENT, PathType.NONEXISTENT)), null));
        s.add(new Observation("execve", "argv[0]=/bin/sh argv[1]=-c argv[2]=echo \"hi\"\n ",
                List.of(PathInfo.of("/bin/sh", PathType.LINK, PathType.REGULAR)), null));
        s.add(new Observation("connect", "type=SOCK_STREAM (IPPROTO_TCP) ", List.of(),
                new NetInfo(NetType.IPV4, "127.0.0.1", 9, null)));
        s.add(new Observation("connect", "type=SOCK_STREAM ", List.of(), new NetInfo(NetType.UNIX, "/run/s", -1,
                PathInfo.of("/run/s", PathType.SOCK, PathType.NONEXISTENT))));
        s.add(new Observation("bind", "type=SOCK_DGRAM ", List.of(), new NetInfo(NetType.UNIX, "@ab\0c", -1, null)));
        s.add(new Observation("sendto", "flags=0 ", List.of(), new NetInfo(NetType.NETLINK, "NETLINK", -1, null)));
        s.add(new Observation("connect", "type=SOCK_DGRAM (IPPROTO_UDP) ", List.of(), new NetInfo(NetType.IPV6, "::1", 0, null)));
        return s;
    }

    static final String EXPECTED = """
            fs_access {
              path: "/etc/hostname"
              jail_type: REGULAR
              main_type: REGULAR
              mode: RDONLY
              count: 2
              syscall {
                name: "openat"
                args: "dirfd=AT_FDCWD mode_extra=O_CLOEXEC "
                count: 2
              }
              exists_in_jail: true
              exists_in_main: true
            }
            fs_access {
              path: "/nonexistent"
              jail_type: NONEXISTENT
              main_type: NONEXISTENT
              count: 1
              syscall {
                name: "stat"
                count: 1
              }
              exists_in_jail: false
              exists_in_main: false
            }
            fs_access {
              path: "/bin/sh"
              jail_type: LINK
              main_type: REGULAR
              count: 1
              syscall {
                name: "execve"
                args: "argv[0]=/bin/sh argv[1]=-c argv[2]=echo \\"hi\\"\\n "
                count: 1
              }
              exists_in_jail: true
              exists_in_main: true
            }
            net_access {
              type: IPV4
              endpoint: "127.0.0.1"
              count: 1
              syscall {
                name: "connect"
                args: "type=SOCK_STREAM (IPPROTO_TCP) "
                count: 1
              }
              port: 9
            }
            net_access {
              type: UNIX
              endpoint: "/run/s"
              socket_path {
                path: "/run/s"
                jail_type: SOCK
                main_type: NONEXISTENT
                exists_in_jail: true
                exists_in_main: false
              }
              count: 1
              syscall {
                name: "connect"
                args: "type=SOCK_STREAM "
                count: 1
              }
            }
            net_access {
              type: UNIX
              endpoint: "@ab\\000c"
              count: 1
              syscall {
                name: "bind"
                args: "type=SOCK_DGRAM "
                count: 1
              }
            }
            net_access {
              type: NETLINK
              endpoint: "NETLINK"
              count: 1
              syscall {
                name: "sendto"
                args: "flags=0 "
                count: 1
              }
            }
            net_access {
              type: IPV6
              endpoint: "::1"
              count: 1
              syscall {
                name: "connect"
                args: "type=SOCK_DGRAM (IPPROTO_UDP) "
                count: 1
              }
              port: 0
            }
            """;

    @Test
    void textFormatAsNsjailPrintsIt() {
        assertEquals(EXPECTED, ReportText.render(sample().drain()));
    }

    @Test
    void nonAsciiAndControlBytesAreOctalEscapedAsCEscapeDoes() {
        Stats s = new Stats(Stats.DEFAULT_MAX_BYTES);
        s.add(new Observation("mkdir", "mode=0755 ",
                List.of(PathInfo.of("/t\u00e9\u0007\b\f\u000b\t\r'\\x\u007f", PathType.NONEXISTENT, PathType.DIR)), null));
        String text = ReportText.render(s.drain());
        assertEquals("  path: \"/t\\303\\251\\007\\010\\014\\013\\t\\r\\'\\\\x\\177\"", text.lines().toList().get(1));
    }

    @Test
    void escapeRewriteLeavesEscapedBackslashesAlone() {
        assertEquals("a: \"\\\\a\\007\\\\\\010\"", ReportText.cEscapeCompatible("a: \"\\\\a\\a\\\\\\b\""));
    }
}

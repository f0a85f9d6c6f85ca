package org.jnsjail.seccomp;

import java.util.Random;

/** Generator of small random but valid policies and of inputs that hit their edges. */
final class RandomPolicies {
    private RandomPolicies() {}

    static final long[] INTERESTING = {
        0, 1, 2, 3, 4, 0x10, 0x7f, 0xff, 0x1234, 0x7fffffffL, 0x80000000L, 0xffffffffL, 0x100000000L,
        0x100000001L, 0x100001234L, 0xffffffff00000000L, 0xf1f1f1f1f1f1f1f1L, 0x8000000000000000L, -1L, -2L,
    };
    private static final String[] ACTIONS = {"ALLOW", "KILL", "ERRNO(1)", "ERRNO(2)", "TRAP(3)", "LOG", "TRACE(7)", "KILL_PROCESS", "USER_NOTIF"};

    static String policy(Random r, Arch arch) {
        StringBuilder sb = new StringBuilder();
        if (r.nextBoolean()) {
            sb.append("#define C1 ").append(Long.toUnsignedString(num(r))).append('\n');
        }
        int blocks = 1 + r.nextInt(4);
        for (int b = 0; b < blocks; b++) {
            sb.append(ACTIONS[r.nextInt(ACTIONS.length)]).append(" {\n");
            int filters = 1 + r.nextInt(4);
            for (int f = 0; f < filters; f++) {
                if (f > 0) {
                    sb.append(",\n");
                }
                String[] argNames = filter(r, arch, sb);
                if (r.nextInt(4) != 0) {
                    sb.append(" { ").append(bool(r, argNames, 3)).append(" }");
                }
            }
            sb.append("\n}\n");
        }
        if (r.nextBoolean()) {
            sb.append("DEFAULT ").append(ACTIONS[r.nextInt(ACTIONS.length)]).append('\n');
        }
        return sb.toString();
    }

    private static String[] filter(Random r, Arch arch, StringBuilder sb) {
        SyscallTable t = SyscallTable.of(arch);
        switch (r.nextInt(4)) {
            case 0 -> {
                sb.append("SYSCALL[").append(r.nextInt(8)).append("](a, b, c)");
                return new String[] {"a", "b", "c"};
            }
            case 1 -> {
                sb.append("SYSCALL[").append(r.nextBoolean() ? "-1" : "0x40000001").append(']');
                return new String[0];
            }
            default -> {
                // low numbers so several filters share a syscall and chains form
                SyscallTable.Syscall s;
                do {
                    s = t.all().get(r.nextInt(Math.min(12, t.all().size())));
                } while (s.args().isEmpty() || s.name().startsWith("_"));
                sb.append(s.name());
                String[] names = new String[s.args().size()];
                for (int i = 0; i < names.length; i++) {
                    names[i] = s.args().get(i).name();
                }
                for (String n : names) {
                    if (n.startsWith("_")) {
                        return new String[0];
                    }
                }
                return names;
            }
        }
    }

    private static String bool(Random r, String[] args, int depth) {
        int k = depth <= 0 ? 0 : r.nextInt(5);
        return switch (k) {
            case 1 -> "(" + bool(r, args, depth - 1) + " && " + bool(r, args, depth - 1) + ")";
            case 2 -> "(" + bool(r, args, depth - 1) + " || " + bool(r, args, depth - 1) + ")";
            case 3 -> "!" + "(" + bool(r, args, depth - 1) + ")";
            default -> {
                String[] ops = {"==", "!=", "<", "<=", ">", ">="};
                yield value(r, args, 2) + " " + ops[r.nextInt(ops.length)] + " " + value(r, args, 2);
            }
        };
    }

    private static String value(Random r, String[] args, int depth) {
        int k = depth <= 0 ? r.nextInt(2) : r.nextInt(4);
        if (k == 0 || args.length == 0) {
            return "0x" + Long.toHexString(num(r));
        }
        if (k == 1) {
            return args[r.nextInt(args.length)];
        }
        return "(" + value(r, args, depth - 1) + (k == 2 ? " & " : " | ") + value(r, args, depth - 1) + ")";
    }

    static long num(Random r) {
        return r.nextInt(4) == 0 ? r.nextLong() : INTERESTING[r.nextInt(INTERESTING.length)];
    }

    static SeccompData input(Random r, Arch arch) {
        long[] args = new long[6];
        for (int i = 0; i < 6; i++) {
            args[i] = num(r);
        }
        int nr = switch (r.nextInt(6)) {
            case 0 -> -1;
            case 1 -> 0x40000001;
            case 2 -> r.nextInt();
            default -> SyscallTable.of(arch).all().get(r.nextInt(Math.min(12, SyscallTable.of(arch).all().size()))).nr();
        };
        if (r.nextInt(8) == 0) {
            nr = r.nextInt(8);
        }
        int audit = r.nextInt(10) == 0 ? Arch.values()[r.nextInt(Arch.values().length)].audit : arch.audit;
        return new SeccompData(nr, audit, r.nextLong(), args);
    }
}

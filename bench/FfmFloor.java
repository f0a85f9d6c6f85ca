import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The JVM's floor for a program that calls the kernel through FFM at all (bench/vs-nsjail.sh,
 * row 5): links the one downcall shape jnsjail uses for every libc call (Libc.Call: syscall(2),
 * seven integer arguments, variadic from the second, errno captured) and makes one call through
 * it, getpid, then returns. Its cold time next to an empty main's (each with its own AOT cache)
 * is what linking FFM costs before jnsjail does anything of its own.
 */
public class FfmFloor {
    private static final long SYS_GETPID = 39; // x86_64

    public static void main(String[] args) throws Throwable {
        Linker linker = Linker.nativeLinker();
        MemorySegment syscall = linker.defaultLookup().find("syscall").orElseThrow();
        MethodHandle h = linker.downcallHandle(FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG,
                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), Linker.Option.captureCallState("errno"),
                Linker.Option.firstVariadicArg(1));
        MemorySegment state = Arena.global().allocate(Linker.Option.captureStateLayout());
        long pid = (long) h.invokeExact(syscall, state, SYS_GETPID, 0L, 0L, 0L, 0L, 0L, 0L);
        // A broken call must not pass for a fast one: the harness counts a non-zero exit as a failure.
        // (Not compared with ProcessHandle's pid: that would load and time more of the JDK.)
        if (pid <= 0) System.exit(1);
    }
}

package io.reflow.bench.events;

import io.reflow.bench.CpuMeter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time from {@code /proc}: of this JVM (Flink's MiniCluster runs in it), of the Kafka broker, and of the whole
 * machine, so a run can say how much of the 2 cores went to processes outside the benchmark; and of this JVM's JIT
 * compiler threads (part of the JVM's), read only where a window starts and ends (a walk over all of the JVM's
 * threads).
 */
final class CpuTicks {
    private static final double TICKS_PER_SECOND = 100; // USER_HZ

    /** {@code compilers}: ticks of this JVM's JIT compiler threads, or -1 when not read. */
    record Reading(long nanos, long self, long broker, long machineBusy, long compilers) {
        Reading withCompilers() {
            return new Reading(nanos, self, broker, machineBusy, compilerTicks());
        }
    }

    /** Cores used between two readings; {@code jit}: of {@code self}, by the JIT compilers (NaN when not read). */
    record Usage(double self, double broker, double others, double jit) {
        @Override
        public String toString() {
            return String.format("cores used: benchmark JVM (Flink) %.2f (JIT compilers %.2f of it), kafka %.2f, other processes %.2f",
                    self, jit, broker, others);
        }
    }

    private final long brokerPid;

    CpuTicks(long brokerPid) {
        this.brokerPid = brokerPid;
    }

    Reading read() {
        return new Reading(System.nanoTime(), processTicks(ProcessHandle.current().pid()), processTicks(brokerPid), machineBusy(), -1);
    }

    static Usage between(Reading a, Reading b) {
        double seconds = (b.nanos() - a.nanos()) / 1e9;
        double self = (b.self() - a.self()) / TICKS_PER_SECOND / seconds;
        double broker = (b.broker() - a.broker()) / TICKS_PER_SECOND / seconds;
        double machine = (b.machineBusy() - a.machineBusy()) / TICKS_PER_SECOND / seconds;
        double jit = a.compilers() < 0 || b.compilers() < 0 ? Double.NaN
                : (b.compilers() - a.compilers()) / TICKS_PER_SECOND / seconds;
        return new Usage(self, broker, Math.max(0, machine - self - broker), jit);
    }

    /** User + system ticks of this JVM's threads named as HotSpot names its compilers ("C1 CompilerThread0", …). */
    static long compilerTicks() {
        long ticks = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
                    }
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ticks;
    }

    private static long processTicks(long pid) {
        return CpuMeter.processTicks(pid);
    }

    private static long machineBusy() {
        return CpuMeter.machineBusyTicks();
    }

    /** The pid of the broker JVM among this process's descendants (-1 if not found). */
    static long brokerPid() {
        return CpuMeter.brokerPid();
    }
}

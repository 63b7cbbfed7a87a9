package io.reflow.bench.replay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How many cores processes outside this benchmark (this JVM and everything it started: broker, S3 server, the job)
 * took between two readings, from {@code /proc}: the machine is shared.
 */
final class ForeignCpu {
    private static final double TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private long nanos = System.nanoTime();
    private long machine = machineBusyTicks();
    private long ours = ourTicks();

    /** Cores used by other processes since the last call (or construction). */
    double coresSinceLast() {
        long n = System.nanoTime();
        long m = machineBusyTicks();
        long o = ourTicks();
        double seconds = (n - nanos) / 1e9;
        double others = ((m - machine) - (o - ours)) / TICKS_PER_SECOND / seconds;
        nanos = n;
        machine = m;
        ours = o;
        return Math.max(0, others);
    }

    private static long ourTicks() {
        long sum = ProcessCpu.ticks(ProcessHandle.current().pid());
        for (ProcessHandle p : ProcessHandle.current().descendants().toList()) {
            sum += ProcessCpu.ticks(p.pid());
        }
        return sum;
    }

    private static long machineBusyTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i != 4 && i != 5) { // idle, iowait
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}

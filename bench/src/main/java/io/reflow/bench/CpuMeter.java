package io.reflow.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time of the processes taking part (capture, Kafka, the do-nothing server, this JVM) and of the whole
 * machine, from {@code /proc}, so that each phase can say how many cores went where, and how much went to
 * processes outside the benchmark (the machine is shared).
 */
public final class CpuMeter {
    private static final double TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private final Map<String, Long> pids;

    /** A reading: CPU ticks per process name, busy and total ticks of the machine. */
    record Reading(long nanos, Map<String, Long> ticks, long busy) {}

    CpuMeter(Map<String, Long> pidsByName) {
        this.pids = new LinkedHashMap<>(pidsByName);
    }

    Reading read() {
        Map<String, Long> ticks = new LinkedHashMap<>();
        pids.forEach((name, pid) -> ticks.put(name, processTicks(pid)));
        return new Reading(System.nanoTime(), ticks, machineBusyTicks());
    }

    /** Cores used per process between two readings, and by processes outside the benchmark. */
    record Usage(Map<String, Double> cores, double others) {
        double of(String name) {
            return cores.getOrDefault(name, Double.NaN);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("cores used: ");
            cores.forEach((name, c) -> sb.append(String.format("%s %.2f, ", name, c)));
            return sb.append(String.format("other processes %.2f", others)).toString();
        }
    }

    static Usage between(Reading from, Reading to) {
        double seconds = (to.nanos() - from.nanos()) / 1e9;
        Map<String, Double> cores = new LinkedHashMap<>();
        double ours = 0;
        for (Map.Entry<String, Long> e : to.ticks().entrySet()) {
            double c = (e.getValue() - from.ticks().getOrDefault(e.getKey(), e.getValue())) / TICKS_PER_SECOND / seconds;
            ours += c;
            cores.put(e.getKey(), c);
        }
        double machine = (to.busy() - from.busy()) / TICKS_PER_SECOND / seconds;
        return new Usage(cores, Math.max(0, machine - ours));
    }

    /** CPU ticks (USER_HZ) a process used, with those of its children that ended; 0 when it is gone. */
    public static long processTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name may contain spaces: fields are counted after its closing parenthesis
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // utime, stime, and cutime, cstime: children that ran and exited (a one-shot tool) count for their parent
            return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Busy CPU ticks of the whole machine since boot (all but idle and iowait). */
    public static long machineBusyTicks() {
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

    /** The Kafka broker's JVM among this process's descendants (the one running kafka.Kafka), or -1. */
    public static long brokerPid() {
        return ProcessHandle.current().descendants().mapToLong(ProcessHandle::pid).filter(pid -> {
            try {
                return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).contains("\0kafka.Kafka\0");
            } catch (IOException e) {
                return false;
            }
        }).findFirst().orElse(-1);
    }
}

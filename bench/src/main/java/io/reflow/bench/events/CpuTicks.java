package io.reflow.bench.events;

import io.reflow.bench.CpuMeter;

/**
 * CPU time from {@code /proc}: of this JVM (Flink's MiniCluster runs in it), of the Kafka broker, and of the whole
 * machine, so a run can say how much of the 2 cores went to processes outside the benchmark.
 */
final class CpuTicks {
    private static final double TICKS_PER_SECOND = 100; // USER_HZ

    record Reading(long nanos, long self, long broker, long machineBusy) {}

    /** Cores used between two readings. */
    record Usage(double self, double broker, double others) {
        @Override
        public String toString() {
            return String.format("cores used: benchmark JVM (Flink) %.2f, kafka %.2f, other processes %.2f", self, broker, others);
        }
    }

    private final long brokerPid;

    CpuTicks(long brokerPid) {
        this.brokerPid = brokerPid;
    }

    Reading read() {
        return new Reading(System.nanoTime(), processTicks(ProcessHandle.current().pid()), processTicks(brokerPid), machineBusy());
    }

    static Usage between(Reading a, Reading b) {
        double seconds = (b.nanos() - a.nanos()) / 1e9;
        double self = (b.self() - a.self()) / TICKS_PER_SECOND / seconds;
        double broker = (b.broker() - a.broker()) / TICKS_PER_SECOND / seconds;
        double machine = (b.machineBusy() - a.machineBusy()) / TICKS_PER_SECOND / seconds;
        return new Usage(self, broker, Math.max(0, machine - self - broker));
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

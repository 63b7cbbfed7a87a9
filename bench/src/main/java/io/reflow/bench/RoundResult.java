package io.reflow.bench;

import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * One workload in one round: the ceilings, capture at full load and at half of it, capture's peak heap, and where
 * the CPU went in each phase ({@code cpu} by phase: http, producer, perf-tool, gunzip, gunzip-1, capture, half).
 *
 * @param gunzip the gunzip loop on every core; {@code gunzipOneCore} on one thread
 */
record RoundResult(String workload, int round, Ceiling http, Ceiling producer, Ceiling perfTool, Ceiling gunzip, Ceiling gunzipOneCore,
                   LoadResult capture, LoadResult halfLoad, double halfLoadTarget, double capturePeakHeapMib,
                   Map<String, CpuMeter.Usage> cpu) {

    /**
     * The three ceilings the issue names: the do-nothing server, Kafka's producer perf tool, gunzip on every core (the
     * machine's inflate capacity). {@link #producer} (capture's exact records again and again) is reported beside them.
     */
    List<Ceiling> ceilings() {
        return List.of(http, perfTool, gunzip);
    }

    Ceiling lowestCeiling() {
        return lowest(ceilings());
    }

    /** Capture's throughput as a share of the lowest ceiling. */
    double ratio() {
        return capture.requestsPerSecond() / lowestCeiling().requestsPerSecond();
    }

    /** The same share with gunzip counted per core, as the issue quotes it (~310 MB/s of output per core). */
    double ratioToPerCoreCeilings() {
        return capture.requestsPerSecond() / lowest(List.of(http, perfTool, gunzipOneCore)).requestsPerSecond();
    }

    /** CPU time (µs) per request of the benchmark's own processes in a phase (capture, Kafka, servers, this JVM). */
    double cpuMicrosPerRequest(String phase, double requestsPerSecond) {
        return cpu.get(phase).cores().values().stream().mapToDouble(Double::doubleValue).sum() / requestsPerSecond * 1e6;
    }

    /** Capture's own CPU time per request at full load, in microseconds. */
    double captureCpuMicrosPerRequest() {
        return cpu.get("capture").of("capture") / capture.requestsPerSecond() * 1e6;
    }

    private static Ceiling lowest(List<Ceiling> ceilings) {
        return ceilings.stream().min(Comparator.comparingDouble(Ceiling::requestsPerSecond)).orElseThrow();
    }
}

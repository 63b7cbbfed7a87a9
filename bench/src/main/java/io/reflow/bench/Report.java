package io.reflow.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/** Prints each round as it completes and, at the end, the medians over the rounds as Markdown tables. */
final class Report {
    private final PrintStream out;

    Report(PrintStream out) {
        this.out = out;
    }

    void header(BenchOptions options, List<Workload> workloads, String load) {
        out.printf("capture benchmark: %d rounds, %d s measured after %d s warm-up per phase, %d keep-alive connections, "
                        + "%d load-generator thread(s), capture -Xmx%s, %d cores, Java %s, load average at start %s%n",
                options.runs(), options.duration().toSeconds(), options.warmup().toSeconds(), options.connections(),
                options.clientThreads(), options.captureHeap(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), load);
        for (Workload w : workloads) {
            out.printf("workload %s: %d fixture bodies to %s, mean %.0f B gzip -> %.0f B JSON%n", w.name(), w.bodies().size(),
                    w.path(), w.meanRawBytes(), w.meanDecodedBytes());
        }
        out.flush();
    }

    void round(RoundResult r) {
        out.printf("%nround %d, %s%n", r.round(), r.workload());
        ceiling(r, r.http(), "http");
        ceiling(r, r.producer(), "producer");
        ceiling(r, r.perfTool(), "perf-tool");
        ceiling(r, r.gunzip(), "gunzip");
        ceiling(r, r.gunzipOneCore(), "gunzip-1");
        load(r, "capture", r.capture(), "capture");
        load(r, String.format("capture at %.0f req/s (half)", r.halfLoadTarget()), r.halfLoad(), "half");
        out.printf("  capture / lowest ceiling (%s): %.0f%%; with gunzip per core: %.0f%%; capture process %.0f us CPU per request,"
                        + " peak heap %.0f MiB%n", r.lowestCeiling().name(), 100 * r.ratio(), 100 * r.ratioToPerCoreCeilings(),
                r.captureCpuMicrosPerRequest(), r.capturePeakHeapMib());
        out.flush();
    }

    void summary(List<RoundResult> rounds, List<Workload> workloads, double heapMaxMib, double peakRssMib) {
        int n = rounds.stream().mapToInt(RoundResult::round).max().orElse(0);
        out.printf("%n## Medians of %d rounds%n%n", n);
        out.println("| workload | do-nothing Netty | kafka-producer-perf-test | Kafka producer, fixture records repeated | gunzip only, all cores | gunzip only, 1 core | capture "
                + "| capture / lowest ceiling | same, gunzip per core |");
        out.println("|---|---|---|---|---|---|---|---|---|");
        for (Workload w : workloads) {
            List<RoundResult> rs = of(rounds, w);
            out.printf("| %s | %s | %s | %s | %s | %s | %s | **%.0f%%** (lowest: %s) | %.0f%% |%n", w.name(),
                    rate(rs, RoundResult::http), rate(rs, RoundResult::perfTool), rate(rs, RoundResult::producer), rate(rs, RoundResult::gunzip),
                    rate(rs, RoundResult::gunzipOneCore),
                    String.format("%,.0f req/s, %.0f MB/s", median(rs, r -> r.capture().requestsPerSecond()),
                            median(rs, r -> r.capture().decodedMegabytesPerSecond())),
                    100 * median(rs, RoundResult::ratio), mostFrequentLowest(rs), 100 * median(rs, RoundResult::ratioToPerCoreCeilings));
        }
        out.println();
        out.println("| workload | capture p50 / p99, full load | p50 / p99 at half load | CPU per request: capture process "
                + "| all benchmark processes: capture run / do-nothing / producer / gunzip | peak heap |");
        out.println("|---|---|---|---|---|---|");
        for (Workload w : workloads) {
            List<RoundResult> rs = of(rounds, w);
            out.printf("| %s | %.1f / %.1f ms | %.1f / %.1f ms at %,.0f req/s | %.0f us | %.0f / %.0f / %.0f / %.0f us | %.0f MiB |%n",
                    w.name(), median(rs, r -> r.capture().p50Millis()), median(rs, r -> r.capture().p99Millis()),
                    median(rs, r -> r.halfLoad().p50Millis()), median(rs, r -> r.halfLoad().p99Millis()),
                    median(rs, RoundResult::halfLoadTarget), median(rs, RoundResult::captureCpuMicrosPerRequest),
                    median(rs, r -> r.cpuMicrosPerRequest("capture", r.capture().requestsPerSecond())),
                    median(rs, r -> r.cpuMicrosPerRequest("http", r.http().requestsPerSecond())),
                    median(rs, r -> r.cpuMicrosPerRequest("producer", r.producer().requestsPerSecond())),
                    median(rs, r -> r.cpuMicrosPerRequest("gunzip", r.gunzip().requestsPerSecond())),
                    rs.stream().mapToDouble(RoundResult::capturePeakHeapMib).max().orElse(Double.NaN));
        }
        long failed = rounds.stream().mapToLong(r -> r.capture().failed() + r.halfLoad().failed()).sum();
        double others = rounds.stream().flatMap(r -> r.cpu().values().stream()).mapToDouble(CpuMeter.Usage::others).max().orElse(0);
        out.printf("%ncapture heap limit %.0f MiB, peak heap in use %.0f MiB (sampled every 200 ms), peak RSS %.0f MiB; "
                        + "requests not answered 200 by capture: %d; most CPU taken by processes outside the benchmark in "
                        + "any phase: %.2f cores%n", heapMaxMib,
                rounds.stream().mapToDouble(RoundResult::capturePeakHeapMib).max().orElse(Double.NaN), peakRssMib, failed, others);
        out.flush();
    }

    private void ceiling(RoundResult r, Ceiling c, String phase) {
        out.printf("  %-32s %9.0f req/s %8.1f MB/s JSON   %s; %.0f us CPU per request%n  %32s %s%n", c.name(),
                c.requestsPerSecond(), c.decodedMegabytesPerSecond(), c.detail(), r.cpuMicrosPerRequest(phase, c.requestsPerSecond()),
                "", r.cpu().get(phase));
    }

    private void load(RoundResult r, String name, LoadResult l, String phase) {
        out.printf("  %-32s %9.0f req/s %8.1f MB/s JSON   p50 %.2f ms, p99 %.2f ms, max %.1f ms, %d not 200; %.0f us CPU per request%n"
                        + "  %32s %s%n", name, l.requestsPerSecond(), l.decodedMegabytesPerSecond(), l.p50Millis(), l.p99Millis(),
                l.maxMillis(), l.failed(), r.cpuMicrosPerRequest(phase, l.requestsPerSecond()), "", r.cpu().get(phase));
    }

    private static List<RoundResult> of(List<RoundResult> rounds, Workload w) {
        return rounds.stream().filter(r -> r.workload().equals(w.name())).toList();
    }

    private static String rate(List<RoundResult> rs, Function<RoundResult, Ceiling> ceiling) {
        return String.format("%,.0f req/s, %.0f MB/s", median(rs, r -> ceiling.apply(r).requestsPerSecond()),
                median(rs, r -> ceiling.apply(r).decodedMegabytesPerSecond()));
    }

    private static String mostFrequentLowest(List<RoundResult> rs) {
        Map<String, Long> counts = rs.stream().collect(Collectors.groupingBy(r -> r.lowestCeiling().name(), TreeMap::new,
                Collectors.counting()));
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("?");
    }

    static double median(List<RoundResult> rs, ToDoubleFunction<RoundResult> f) {
        double[] v = rs.stream().mapToDouble(f).sorted().toArray();
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}

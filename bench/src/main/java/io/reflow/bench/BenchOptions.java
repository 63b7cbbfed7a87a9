package io.reflow.bench;

import java.time.Duration;
import java.util.List;

/**
 * What one benchmark run does: {@code runs} rounds, each measuring every workload against every ceiling for
 * {@code duration} (after {@code warmup}), with {@code connections} keep-alive connections. A phase during which
 * other processes of the (shared) machine took more than {@code maxForeignCores} is measured again, at most
 * {@code repeats} more times.
 */
record BenchOptions(int runs, Duration duration, Duration warmup, int connections, int clientThreads, String captureHeap,
                    List<String> workloads, List<String> captureJvmArgs, double maxForeignCores, int repeats) {

    static final String USAGE = "usage: CaptureBenchmark [--runs N] [--duration SECONDS] [--warmup SECONDS] [--connections N]"
            + " [--client-threads N] [--capture-heap 512m] [--workloads recordings,events] [--capture-jvm-args 'ARGS']"
            + " [--max-foreign-cores 0.25] [--repeats 3]";

    static BenchOptions parse(String[] args) {
        int runs = 3;
        int duration = 10;
        int warmup = 3;
        int connections = 256;
        int clientThreads = 1;
        String heap = "512m";
        List<String> workloads = List.of("recordings", "events");
        List<String> captureJvmArgs = List.of();
        double maxForeignCores = 0.25;
        int repeats = 3;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (value == null) {
                throw new IllegalArgumentException(USAGE);
            }
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(value);
                case "--duration" -> duration = Integer.parseInt(value);
                case "--warmup" -> warmup = Integer.parseInt(value);
                case "--connections" -> connections = Integer.parseInt(value);
                case "--client-threads" -> clientThreads = Integer.parseInt(value);
                case "--capture-heap" -> heap = value;
                case "--workloads" -> workloads = List.of(value.split(","));
                case "--capture-jvm-args" -> captureJvmArgs = List.of(value.trim().split("\\s+"));
                case "--max-foreign-cores" -> maxForeignCores = Double.parseDouble(value);
                case "--repeats" -> repeats = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
            }
            i++;
        }
        if (runs < 1 || duration < 1 || warmup < 0 || connections < 1 || clientThreads < 1) {
            throw new IllegalArgumentException(USAGE);
        }
        return new BenchOptions(runs, Duration.ofSeconds(duration), Duration.ofSeconds(warmup), connections, clientThreads,
                heap, workloads, captureJvmArgs, maxForeignCores, repeats);
    }
}

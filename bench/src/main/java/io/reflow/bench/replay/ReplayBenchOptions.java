package io.reflow.bench.replay;

import java.time.Duration;

/**
 * What one replay benchmark run does: {@code runs} rounds, each with a throughput phase over a backlog of
 * {@code backlogMb} MB of recording messages (the job and the baseline consume the same topic) and a steady phase in
 * which {@code sessions} sessions each send one message every {@code messageInterval} for {@code steady}. The job
 * runs with the given flush age, idle flush, checkpoint interval, parallelism and JVM heap ({@code jfr}: with a flight
 * recording; {@code histogram}: a class histogram of its heap during the steady phase). {@code compareEncryption}: each round
 * runs the throughput phase twice, over a plain backlog and over the same backlog with {@code encrypt: true} on every
 * message, and nothing else (no baseline, no steady phase). {@code warmupMb}: before each throughput phase the job's
 * JVM first runs the job over this many MB of the backlog (the whole backlog by default), and the benchmark JVM runs
 * the baseline once over the whole backlog before the first round, so neither side is measured while the JIT is still
 * compiling its code; 0 for none. {@code floor}: each round's throughput phase also runs {@link PassThroughReplayJob} (the
 * job with its decoder replaced by a pass-through) over the same backlog, between the baseline and the job.
 */
record ReplayBenchOptions(int runs, int backlogMb, int backlogSessions, int sessions, Duration messageInterval,
                          Duration steady, Duration flushAge, Duration idleFlush, Duration checkpointInterval,
                          int parallelism, String jobHeap, int zstdLevel, boolean histogram, boolean jfr,
                          boolean compareEncryption, int warmupMb, boolean floor) {

    static final String USAGE = "usage: ReplayBenchmark [--runs N] [--backlog-mb MB] [--backlog-sessions N] [--sessions N]"
            + " [--message-interval-ms MS] [--steady-seconds S] [--flush-age-ms MS] [--idle-flush-ms MS]"
            + " [--checkpoint-interval-ms MS] [--parallelism N] [--job-heap 1g] [--zstd-level N] [--no-histogram] [--jfr]"
            + " [--compare-encryption] [--warmup-mb MB] [--floor]";

    static ReplayBenchOptions parse(String[] args) {
        int runs = 3;
        int backlogMb = 1000;
        int backlogSessions = 2_000;
        int sessions = 10_000;
        long intervalMs = 5_000;
        long steadySeconds = 60;
        long flushAgeMs = 10_000;
        long idleFlushMs = 10_000;
        long checkpointMs = 10_000;
        int parallelism = 2;
        String heap = "1g";
        int zstdLevel = 3;
        boolean histogram = true;
        boolean jfr = false;
        boolean compareEncryption = false;
        boolean floor = false;
        int warmupMb = -1; // the whole backlog, as the baseline's warm-up
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--compare-encryption")) {
                compareEncryption = true;
                continue;
            }
            if (args[i].equals("--floor")) {
                floor = true;
                continue;
            }
            if (args[i].equals("--no-histogram") || args[i].equals("--jfr")) {
                histogram &= !args[i].equals("--no-histogram");
                jfr |= args[i].equals("--jfr");
                continue;
            }
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (value == null) {
                throw new IllegalArgumentException(USAGE);
            }
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(value);
                case "--backlog-mb" -> backlogMb = Integer.parseInt(value);
                case "--backlog-sessions" -> backlogSessions = Integer.parseInt(value);
                case "--sessions" -> sessions = Integer.parseInt(value);
                case "--message-interval-ms" -> intervalMs = Long.parseLong(value);
                case "--steady-seconds" -> steadySeconds = Long.parseLong(value);
                case "--flush-age-ms" -> flushAgeMs = Long.parseLong(value);
                case "--idle-flush-ms" -> idleFlushMs = Long.parseLong(value);
                case "--checkpoint-interval-ms" -> checkpointMs = Long.parseLong(value);
                case "--parallelism" -> parallelism = Integer.parseInt(value);
                case "--job-heap" -> heap = value;
                case "--zstd-level" -> zstdLevel = Integer.parseInt(value);
                case "--warmup-mb" -> warmupMb = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
            }
            i++;
        }
        if (warmupMb == -1) {
            warmupMb = backlogMb;
        }
        if (runs < 1 || backlogMb < 1 || backlogSessions < 1 || sessions < 1 || intervalMs < 1 || steadySeconds < 1
                || checkpointMs < 1 || parallelism < 1 || warmupMb < 0 || warmupMb > backlogMb || floor && compareEncryption) {
            throw new IllegalArgumentException(USAGE);
        }
        return new ReplayBenchOptions(runs, backlogMb, backlogSessions, sessions, Duration.ofMillis(intervalMs),
                Duration.ofSeconds(steadySeconds), Duration.ofMillis(flushAgeMs), Duration.ofMillis(idleFlushMs),
                Duration.ofMillis(checkpointMs), parallelism, heap, zstdLevel, histogram, jfr, compareEncryption, warmupMb,
                floor);
    }

    /** Messages per second of the steady phase. */
    double steadyMessagesPerSecond() {
        return sessions * 1000.0 / messageInterval.toMillis();
    }

    /** The latency target of the issue: flush age + checkpoint interval + 3 s. */
    Duration latencyTarget() {
        return flushAge.plus(checkpointInterval).plusSeconds(3);
    }
}

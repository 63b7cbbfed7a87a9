package io.reflow.bench.events;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the events job benchmark, from {@code --name value} arguments.
 *
 * @param events how many events the input topic holds (each run reads all of them)
 * @param distinctIds how many distinct ids the events' distinct ids are drawn from (uniformly)
 * @param mergeShare the share of events turned into {@code $identify} / {@code $create_alias} (half each)
 * @param managedMemory Flink managed memory of the TaskManager (RocksDB's block cache and write buffers)
 * @param warmUpRounds rounds run before the measured ones (the baseline, then the events job, as in a measured round)
 *     and left out of the medians: the rounds share this JVM, so without one the first measured round would pay for
 *     the JIT compiling Flink's, Kafka's and the job's code
 * @param jfrDir where to write a JFR recording ("profile" settings) of each events job run, from its submission to
 *     its last output record: {@code events-job-round-N.jfr}; null for none
 * @param floor whether each round (warm-up ones too) also runs {@link FloorJob}, between the baseline and the events job
 * @param floorStateBytes the size of the floor's state value per key
 */
record EventsBenchOptions(int runs, int warmUpRounds, int events, int distinctIds, double mergeShare, int parallelism,
                          Duration checkpointInterval, String managedMemory, long seed, Duration runTimeout, Path jfrDir,
                          boolean floor, int floorStateBytes) {

    static EventsBenchOptions parse(String[] args) {
        int runs = 3;
        int warmUpRounds = 1;
        int events = 300_000;
        int distinctIds = 1_000_000;
        double mergeShare = 0.05;
        int parallelism = 2;
        Duration checkpointInterval = Duration.ofSeconds(5);
        String managedMemory = "512m";
        long seed = 42;
        Duration runTimeout = Duration.ofMinutes(10);
        Path jfrDir = null;
        boolean floor = false;
        int floorStateBytes = 230;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (name.equals("--floor")) {
                floor = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + name);
            }
            String value = args[++i];
            switch (name) {
                case "--runs" -> runs = Integer.parseInt(value);
                case "--warm-up-rounds" -> warmUpRounds = Integer.parseInt(value);
                case "--events" -> events = Integer.parseInt(value);
                case "--distinct-ids" -> distinctIds = Integer.parseInt(value);
                case "--merge-share" -> mergeShare = Double.parseDouble(value);
                case "--parallelism" -> parallelism = Integer.parseInt(value);
                case "--checkpoint-interval" -> checkpointInterval = Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000));
                case "--managed-memory" -> managedMemory = value;
                case "--seed" -> seed = Long.parseLong(value);
                case "--run-timeout" -> runTimeout = Duration.ofSeconds(Long.parseLong(value));
                case "--jfr" -> jfrDir = Path.of(value);
                case "--floor-state-bytes" -> floorStateBytes = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown argument " + name
                        + " (known: --runs --warm-up-rounds --events --distinct-ids --merge-share --parallelism --checkpoint-interval"
                        + " --managed-memory --seed --run-timeout --jfr --floor --floor-state-bytes)");
            }
        }
        if (runs < 1 || warmUpRounds < 0 || events < 10 || distinctIds < 1 || mergeShare < 0 || mergeShare > 1 || parallelism < 1
                || floorStateBytes < Long.BYTES) {
            throw new IllegalArgumentException("runs ≥ 1, warm-up rounds ≥ 0, events ≥ 10, distinct ids ≥ 1, 0 ≤ merge share ≤ 1, parallelism ≥ 1,"
                    + " floor state bytes ≥ 8");
        }
        return new EventsBenchOptions(runs, warmUpRounds, events, distinctIds, mergeShare, parallelism, checkpointInterval, managedMemory,
                seed, runTimeout, jfrDir, floor, floorStateBytes);
    }
}

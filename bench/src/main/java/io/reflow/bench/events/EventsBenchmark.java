package io.reflow.bench.events;

import io.reflow.contracts.Json;
import io.reflow.contracts.PersonRow;
import io.reflow.jobs.common.JobArguments;
import io.reflow.jobs.events.EventsJob;
import io.reflow.jobs.events.EventsJobConfig;
import io.reflow.testsupport.kafka.KafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jdk.jfr.Recording;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Events/s through the events job ({@link EventsJob}, parallelism 2, RocksDB, exactly-once Kafka sinks) on a Flink
 * MiniCluster in this JVM against a real Kafka broker (its own JVM), next to a baseline measured in the same run that
 * only consumes and re-produces the same records ({@link CopyJob}) and, with {@code --floor}, the cheapest job of the
 * events job's shape ({@link FloorJob}: keyBy, RocksDB state, three exactly-once outputs). The input
 * ({@link SyntheticEvents}) is written once; each run reads all of it with a fresh consumer group, fresh output topics and empty state. Reports the rates
 * (10%→90% of the output), their ratio, and the person stage's state size (a full checkpoint of it after the run)
 * per distinct id and per person. See docs/BENCHMARKS.md.
 */
public final class EventsBenchmark {
    private static final int INPUT_PARTITIONS = 4;
    private static final int OUTPUT_PARTITIONS = 2;
    private static final int MAX_PARALLELISM = 128;
    private static final String BASELINE = "baseline";
    private static final String FLOOR = "floor";
    private static final String EVENTS_JOB = "events job";

    private final EventsBenchOptions options;
    private final KafkaBroker broker;
    private final Admin admin;
    private final MiniCluster cluster;
    private final Path dir;
    private final CpuTicks cpu;

    private EventsBenchmark(EventsBenchOptions options, KafkaBroker broker, Admin admin, MiniCluster cluster, Path dir) {
        this.options = options;
        this.broker = broker;
        this.admin = admin;
        this.cluster = cluster;
        this.dir = dir;
        this.cpu = new CpuTicks(CpuTicks.brokerPid());
    }

    /**
     * One run of one job. {@code round} is 1, 2, … for measured rounds and 0, -1, … for warm-up rounds (printed as
     * warm-up 1, 2, …). {@code stateBytes} only for the floor and the events job, {@code livePersons} only for the
     * events job (else -1).
     */
    record RunResult(String kind, int round, double rate, Duration elapsed, CpuTicks.Usage cpu, long stateBytes,
                     long livePersons) {}

    public static void main(String[] args) throws Exception {
        EventsBenchOptions options = EventsBenchOptions.parse(args);
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
        System.out.printf("events job benchmark: %d rounds after %d warm-up round(s), %,d events over %,d distinct ids, %.0f%% identify/alias, "
                        + "parallelism %d, checkpoint every %d ms (incremental RocksDB, managed memory %s), %d cores, Java %s%n"
                        + "load average at start: %s%n",
                options.runs(), options.warmUpRounds(), options.events(), options.distinctIds(), options.mergeShare() * 100, options.parallelism(),
                options.checkpointInterval().toMillis(), options.managedMemory(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), loadBefore);
        if (options.floor()) {
            System.out.printf("floor job: keyBy, a RocksDB get + put of %d B per event, rows of the input + %d B, %d B and %d B "
                            + "into 3 exactly-once topics per event%n", options.floorStateBytes(), FloorJob.EVENT_ROW_EXTRA,
                    options.floorStateBytes() + FloorJob.PERSON_ROW_EXTRA, FloorJob.DISTINCT_ID_ROW);
        }

        Path dir = Files.createTempDirectory("reflow-events-bench-");
        try (KafkaBroker broker = KafkaBroker.start(dir.resolve("kafka"), 0);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            broker.createTopic("bench-events", INPUT_PARTITIONS);
            long started = System.nanoTime();
            SyntheticEvents.Produced input = SyntheticEvents.produce(broker.bootstrapServers(), "bench-events", options);
            System.out.printf("input: %,d events (%d fixture events round-robin, mean %.0f B per record), %,d $identify, "
                            + "%,d $create_alias, %,d distinct ids used; written in %.1f s%n%n",
                    input.events(), input.fixtureEvents(), input.meanBytes(), input.identifies(), input.aliases(),
                    input.distinctIdsUsed(), (System.nanoTime() - started) / 1e9);

            MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                    .setConfiguration(clusterConfiguration(options, dir))
                    .setNumTaskManagers(1)
                    .setNumSlotsPerTaskManager(options.parallelism())
                    .withRandomPorts()
                    .build());
            cluster.start();
            try {
                EventsBenchmark bench = new EventsBenchmark(options, broker, admin, cluster, dir);
                List<RunResult> baseline = new ArrayList<>();
                List<RunResult> floor = new ArrayList<>();
                List<RunResult> job = new ArrayList<>();
                // same jobs, same input, left out of the medians: JIT compilation in this fresh JVM is not measured
                for (int warmUp = 1; warmUp <= options.warmUpRounds(); warmUp++) {
                    print(bench.run(BASELINE, 1 - warmUp, input));
                    if (options.floor()) {
                        print(bench.run(FLOOR, 1 - warmUp, input));
                    }
                    print(bench.run(EVENTS_JOB, 1 - warmUp, input));
                }
                if (options.warmUpRounds() > 0) {
                    System.out.println();
                }
                for (int round = 1; round <= options.runs(); round++) {
                    baseline.add(print(bench.run(BASELINE, round, input)));
                    if (options.floor()) {
                        floor.add(print(bench.run(FLOOR, round, input)));
                    }
                    job.add(print(bench.run(EVENTS_JOB, round, input)));
                }
                report(options, input, baseline, floor, job, loadBefore);
            } finally {
                cluster.close();
            }
        } finally {
            deleteRecursively(dir);
        }
    }

    private RunResult run(String kind, int round, SyntheticEvents.Produced input) throws Exception {
        boolean eventsJob = kind.equals(EVENTS_JOB);
        boolean floor = kind.equals(FLOOR);
        String suffix = (eventsJob ? "job-" : floor ? "floor-" : "copy-") + (round > 0 ? "" : "warm-up-") + Math.abs(round);
        Map<String, String> topics = new HashMap<>();
        for (String t : eventsJob ? List.of("events-json", "person", "distinct-ids", "warnings", "merges", "dlq")
                : floor ? List.of("events-json", "person", "distinct-ids") : List.of("copy")) {
            String name = "bench-" + t + "-" + suffix;
            broker.createTopic(name, OUTPUT_PARTITIONS);
            topics.put(t, name);
        }
        String output = eventsJob || floor ? topics.get("events-json") : topics.get("copy");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(jobConfiguration(options));
        env.setParallelism(options.parallelism());
        env.setMaxParallelism(MAX_PARALLELISM);
        if (eventsJob) {
            EventsJob.fromConfig(EventsJobConfig.from(JobArguments.of(Map.of(
                    "kafka.bootstrap-servers", broker.bootstrapServers(),
                    "topic.events", "bench-events",
                    "topic.events-json", topics.get("events-json"),
                    "topic.person", topics.get("person"),
                    "topic.person-distinct-id", topics.get("distinct-ids"),
                    "topic.ingestion-warnings", topics.get("warnings"),
                    "topic.person-merges", topics.get("merges"),
                    "topic.dead-letter", topics.get("dlq"),
                    "kafka.group-id", "bench-" + suffix,
                    "kafka.transactional-id-prefix", "bench-" + suffix)))).build(env);
        } else if (floor) {
            FloorJob.build(env, broker.bootstrapServers(), "bench-events", output, topics.get("person"), topics.get("distinct-ids"),
                    "bench-" + suffix, "bench-" + suffix, options.floorStateBytes());
        } else {
            CopyJob.build(env, broker.bootstrapServers(), "bench-events", output, "bench-" + suffix, "bench-" + suffix);
        }
        Recording recording = eventsJob && round > 0 && options.jfrDir() != null ? startRecording() : null;
        long submitted = System.nanoTime();
        JobID id = cluster.submitJob(env.getStreamGraph().getJobGraph()).get().getJobID();
        OutputProgress.Result progress;
        try {
            progress = OutputProgress.await(admin, output, OUTPUT_PARTITIONS, input.events(), submitted,
                    options.runTimeout(), cpu, () -> !running(id));
        } catch (IllegalStateException e) {
            throw new IllegalStateException(kind + " round " + round + ": " + e.getMessage() + failure(id), e);
        } finally {
            if (recording != null) {
                Files.createDirectories(options.jfrDir());
                recording.dump(options.jfrDir().resolve("events-job-round-" + round + ".jfr"));
                recording.close();
            }
        }
        long stateBytes = -1;
        long persons = -1;
        if (eventsJob && endOffset(topics.get("dlq")) > 0) {
            // a dead letter means the job rejected part of the input: the run would not measure what it says
            throw new IllegalStateException(kind + " round " + round + " wrote dead letters");
        }
        if (eventsJob || floor) {
            stateBytes = personStateBytes(id);
            if (eventsJob && round == 1) {
                persons = livePersons(topics.get("person"));
            }
        }
        cluster.cancelJob(id).get(60, TimeUnit.SECONDS);
        awaitGone(id);
        admin.deleteTopics(topics.values()).all().get(60, TimeUnit.SECONDS);
        return new RunResult(kind, round, progress.rate(), progress.elapsed(), progress.cpu(), stateBytes, persons);
    }

    private static Recording startRecording() throws Exception {
        Recording recording = new Recording(jdk.jfr.Configuration.getConfiguration("profile"));
        recording.start();
        return recording;
    }

    /** The sum of a topic's end offsets: 0 when nothing was ever written to it (not even a transaction marker). */
    private long endOffset(String topic) throws Exception {
        Map<TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < OUTPUT_PARTITIONS; p++) {
            request.put(new TopicPartition(topic, p), org.apache.kafka.clients.admin.OffsetSpec.latest());
        }
        return admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).values().stream().mapToLong(o -> o.offset()).sum();
    }

    private boolean running(JobID id) {
        try {
            JobStatus s = cluster.getJobStatus(id).get(10, TimeUnit.SECONDS);
            return !s.isGloballyTerminalState();
        } catch (Exception e) {
            return false;
        }
    }

    private String failure(JobID id) {
        try {
            return cluster.requestJobResult(id).get(10, TimeUnit.SECONDS).getSerializedThrowable()
                    .map(t -> " (job failed: " + t.getFullStringifiedStackTrace() + ")").orElse("");
        } catch (Exception e) {
            return "";
        }
    }

    private void awaitGone(JobID id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (running(id) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    /** The person stage's state (its chain: the keyed operator and the sinks chained to it) in a full checkpoint. */
    private long personStateBytes(JobID id) throws Exception {
        long checkpoint = cluster.triggerCheckpoint(id, CheckpointType.FULL).get(5, TimeUnit.MINUTES);
        AccessExecutionGraph graph = cluster.getExecutionGraph(id).get(30, TimeUnit.SECONDS);
        AccessExecutionJobVertex person = null;
        for (AccessExecutionJobVertex v : graph.getVerticesTopologically()) {
            if (v.getName().contains("person state")) {
                person = v;
            }
        }
        AbstractCheckpointStats stats = graph.getCheckpointStatsSnapshot().getHistory().getCheckpointById(checkpoint);
        if (person == null || !(stats instanceof CompletedCheckpointStats completed)) {
            throw new IllegalStateException("no completed checkpoint " + checkpoint + " with a person-state vertex");
        }
        return completed.getTaskStateStats(person.getJobVertexId()).getStateSize();
    }

    /** Persons whose newest row is not deleted, from everything the job wrote to the person topic. */
    private long livePersons(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        Map<String, long[]> newest = new HashMap<>(); // id → {version, deleted}
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int i = 0; i < OUTPUT_PARTITIONS; i++) {
                partitions.add(new TopicPartition(topic, i));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    PersonRow row = Json.decode(r.value(), PersonRow.class);
                    newest.merge(row.id(), new long[] {row.version(), row.isDeleted()}, (a, b) -> b[0] >= a[0] ? b : a);
                }
            }
        }
        return newest.values().stream().filter(v -> v[1] == 0).count();
    }

    static Configuration clusterConfiguration(EventsBenchOptions options, Path dir) {
        Map<String, String> conf = new HashMap<>();
        conf.put("state.backend.type", "rocksdb");
        conf.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        conf.put("execution.checkpointing.incremental", "true");
        conf.put("taskmanager.memory.managed.size", options.managedMemory());
        conf.put("rest.bind-port", "0");
        return Configuration.fromMap(conf);
    }

    static Configuration jobConfiguration(EventsBenchOptions options) {
        Map<String, String> conf = new HashMap<>();
        conf.put("state.backend.type", "rocksdb");
        conf.put("execution.checkpointing.incremental", "true");
        conf.put("execution.checkpointing.interval", options.checkpointInterval().toMillis() + " ms");
        conf.put("execution.checkpointing.mode", "EXACTLY_ONCE");
        conf.put("execution.checkpointing.min-pause", "1 s");
        conf.put("restart-strategy.type", "none");
        conf.put("pipeline.generic-types", "false");
        return Configuration.fromMap(conf);
    }

    private static RunResult print(RunResult r) {
        System.out.printf("%s %-10s %,9.0f events/s (10%%→90%% of the output), all in %.1f s; %.0f us CPU per event"
                        + " (Flink + Kafka; %.0f us without the JIT compilers); %s%s%n",
                (r.round() > 0 ? "round " + r.round() : "warm-up " + (1 - r.round())) + ",",
                r.kind(), r.rate(), r.elapsed().toMillis() / 1000.0,
                cpuPerEvent(r), cpuPerEventWithoutJit(r), r.cpu(),
                r.stateBytes() < 0 ? "" : String.format("; person state %,d B%s", r.stateBytes(),
                        r.livePersons() < 0 ? "" : String.format(", %,d live persons", r.livePersons())));
        return r;
    }

    /** {@link #cpuPerEvent} less what this JVM's JIT compilers used over the window. */
    static double cpuPerEventWithoutJit(RunResult r) {
        return (r.cpu().self() - r.cpu().jit() + r.cpu().broker()) / r.rate() * 1e6;
    }

    /** Microseconds of CPU of this JVM (Flink) and the broker per event, over the measured window. */
    static double cpuPerEvent(RunResult r) {
        return (r.cpu().self() + r.cpu().broker()) / r.rate() * 1e6;
    }

    private static void report(EventsBenchOptions options, SyntheticEvents.Produced input, List<RunResult> baseline,
                               List<RunResult> floor, List<RunResult> job, String loadBefore) throws IOException {
        double b = median(baseline.stream().mapToDouble(RunResult::rate).toArray());
        double j = median(job.stream().mapToDouble(RunResult::rate).toArray());
        long state = (long) median(job.stream().mapToDouble(RunResult::stateBytes).toArray());
        long persons = job.get(0).livePersons();
        System.out.printf("%nmedians of %d: baseline (consume + re-produce) %,.0f events/s, events job %,.0f events/s: "
                        + "%.0f%% of the baseline (target ≥ 40%%); CPU per event (Flink + Kafka): baseline %.0f us, job %.0f us"
                        + " (without the JIT compilers: baseline %.0f us, job %.0f us)%n",
                options.runs(), b, j, 100 * j / b, median(baseline.stream().mapToDouble(EventsBenchmark::cpuPerEvent).toArray()),
                median(job.stream().mapToDouble(EventsBenchmark::cpuPerEvent).toArray()),
                median(baseline.stream().mapToDouble(EventsBenchmark::cpuPerEventWithoutJit).toArray()),
                median(job.stream().mapToDouble(EventsBenchmark::cpuPerEventWithoutJit).toArray()));
        System.out.printf("job / baseline within each round (run back to back): %s%n", withinRounds(job, baseline));
        if (!floor.isEmpty()) {
            double f = median(floor.stream().mapToDouble(RunResult::rate).toArray());
            System.out.printf("floor (keyBy + RocksDB get/put + 3 exactly-once outputs): median %,.0f events/s, %.0f us CPU per event"
                            + " (%.0f us without the JIT compilers); floor state %.0f B per distinct id%n", f,
                    median(floor.stream().mapToDouble(EventsBenchmark::cpuPerEvent).toArray()),
                    median(floor.stream().mapToDouble(EventsBenchmark::cpuPerEventWithoutJit).toArray()),
                    median(floor.stream().mapToDouble(RunResult::stateBytes).toArray()) / input.distinctIdsUsed());
            System.out.printf("floor / baseline within each round: %s (target for the job ≥ 40%%)%n", withinRounds(floor, baseline));
            System.out.printf("job / floor within each round: %s%n", withinRounds(job, floor));
        }
        System.out.printf("person state (full checkpoint of the person stage, RocksDB): %,d B = %.0f B per distinct id "
                        + "(%,d ids with state) = %.0f B per live person (%,d)%n", state,
                (double) state / input.distinctIdsUsed(), input.distinctIdsUsed(), (double) state / persons, persons);
        System.out.printf("load average at start: %s; at end: %s%n", loadBefore, Files.readString(Path.of("/proc/loadavg")).trim());
    }

    /** Each round's rate of {@code a} over that of {@code b}, and their median. */
    private static String withinRounds(List<RunResult> a, List<RunResult> b) {
        StringBuilder perRound = new StringBuilder();
        double[] ratios = new double[a.size()];
        for (int i = 0; i < a.size(); i++) {
            ratios[i] = a.get(i).rate() / b.get(i).rate();
            perRound.append(String.format("%s%.1f%%", i == 0 ? "" : ", ", 100 * ratios[i]));
        }
        return String.format("%s; median %.1f%%", perRound, 100 * median(ratios));
    }

    static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

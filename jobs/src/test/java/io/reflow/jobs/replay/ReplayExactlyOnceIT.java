package io.reflow.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reflow.contracts.BlockUrl;
import io.reflow.contracts.Json;
import io.reflow.contracts.LogEntry;
import io.reflow.contracts.PerEventCompression;
import io.reflow.contracts.RecordingBlock;
import io.reflow.contracts.RecordingMessage;
import io.reflow.contracts.SessionBlockSummary;
import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.jobs.common.JobArguments;
import io.reflow.jobs.common.KeyedBytes;
import io.reflow.testsupport.flink.FlinkS3;
import io.reflow.testsupport.kafka.KafkaExtension;
import io.reflow.testsupport.s3.S3Extension;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.runtime.checkpoint.RestoredCheckpointStats;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecution;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Exactly-once of the replay job under failure, against a real Kafka broker and S3 API server, with
 * RocksDB state, parallelism 2 on two single-slot TaskManagers. While a steady stream of recording
 * messages is produced, the job
 * <ol>
 *   <li>loses a TaskManager (the MiniCluster really shuts one down; a fresh one is started),</li>
 *   <li>dies right after a completed checkpoint's summary rows were committed to Kafka, before its batch files
 *       were committed to S3, and</li>
 *   <li>dies right before that Kafka commit (both crashes forced by a decorator around the production summary
 *       sink, see {@link CrashingCommits}),</li>
 *   <li>is stopped with a savepoint while messages keep coming, and a new job is started from it.</li>
 * </ol>
 * Then every rrweb event produced must be in exactly one committed block referenced by a committed
 * (read_committed) summary row, every row must point at an existing object and byte range holding
 * exactly its event_count events, and every committed batch file must be fully covered by rows. The stored
 * events are the produced ones with posthog-js per-event compression undone. The log entries topic (the second
 * exactly-once sink fed by the block writer) must hold every console line exactly once per block.
 */
class ReplayExactlyOnceIT {
    private static final int SESSIONS = 24;
    private static final int MESSAGES_PER_TICK = 4;
    private static final long TICK_MS = 100;
    private static final String MARKER = "reflow_it_marker";
    private static final String OUTPUT_PREFIX = "recordings";
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);

    @RegisterExtension
    @Order(1)
    static final KafkaExtension KAFKA = new KafkaExtension();

    @RegisterExtension
    @Order(2)
    static final S3Extension S3 = new S3Extension();

    @RegisterExtension
    @Order(3)
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(2).setNumberSlotsPerTaskManager(1)
            .setConfiguration(Configuration.fromMap(Map.of("state.backend.type", "rocksdb"))).build());

    @TempDir
    Path dir;

    @AfterEach
    void disarm() {
        CrashingCommits.ARMED.set(null);
    }

    @Test
    void everyEventIsInExactlyOneCommittedBlockAcrossTaskManagerLossCrashesAroundCommitsAndSavepointRestore(
            @InjectMiniCluster MiniCluster cluster) throws Exception {
        long started = System.nanoTime();
        FlinkS3.initialize(FlinkS3.configuration(S3.endpoint(), S3.accessKey(), S3.secretKey()));
        String recordings = KAFKA.freshTopic("eo-recordings", 2);
        String summaries = KAFKA.freshTopic("eo-summaries", 2);
        String deadLetters = KAFKA.freshTopic("eo-dlq", 1);
        String logEntries = KAFKA.freshTopic("eo-log-entries", 2);
        ReplayJobConfig config = ReplayJobConfig.from(JobArguments.of(Map.of(
                "kafka.bootstrap-servers", KAFKA.bootstrapServers(),
                "topic.recordings", recordings,
                "topic.session-replay-events", summaries,
                "topic.log-entries", logEntries,
                "topic.dead-letter", deadLetters,
                "kafka.group-id", "eo-" + recordings,
                "kafka.transactional-id-prefix", "eo-" + recordings,
                "output.base", "s3://" + S3.bucket() + "/" + OUTPUT_PREFIX,
                "flush.age-ms", "0")));

        Workload workload = new Workload(System.currentTimeMillis() - Duration.ofHours(1).toMillis());
        try (SteadyStream stream = new SteadyStream(recordings, workload);
             SummaryReader reader = new SummaryReader(summaries)) {
            Timeline timeline = new Timeline(started, stream, reader);
            try {
                run(cluster, config, stream, reader, timeline);
            } finally {
                System.out.println("ReplayExactlyOnceIT timeline:\n  " + timeline);
            }
        }
    }

    private void run(MiniCluster cluster, ReplayJobConfig config, SteadyStream stream, SummaryReader reader,
                     Timeline timeline) throws Exception {
        JobClient job1 = null;
        JobClient job2 = null;
        try {
            stream.start();
            job1 = start(withCrashableSummarySink(config), null, "replay-eo-1");
            JobID id1 = job1.getJobID();
            step("first committed rows").until(() -> reader.rowCount() >= 3 * SESSIONS);

            // 1. a TaskManager is lost mid-stream (a fresh one replaces it)
            timeline.add("terminate TaskManager 0");
            cluster.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
            cluster.startTaskManager();
            RestoredCheckpointStats restored = awaitRecovery(cluster, id1, 1, reader);
            timeline.add("running again, restored from checkpoint " + restored.getCheckpointId());

            // 2. and 3. the process dies right after / right before a checkpoint's summary rows are committed to Kafka,
            // in both cases before that checkpoint's batch files are committed to S3
            int attempt = 1;
            for (Crash crash : List.of(Crash.AFTER_KAFKA_COMMIT, Crash.BEFORE_KAFKA_COMMIT)) {
                CrashingCommits.ARMED.set(crash);
                step("injected " + crash).until(() -> CrashingCommits.ARMED.get() == null);
                timeline.add("crash " + crash);
                RestoredCheckpointStats again = awaitRecovery(cluster, id1, ++attempt, reader);
                assertThat(again.getCheckpointId()).isGreaterThanOrEqualTo(restored.getCheckpointId());
                restored = again;
                timeline.add("running again, restored from checkpoint " + restored.getCheckpointId());
            }

            // 4. stopped with a savepoint while messages keep coming; a new job starts from it
            String savepoint = job1.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
                    SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS);
            job1.getJobExecutionResult().get(30, TimeUnit.SECONDS);
            job1 = null;
            timeline.add("stopped with a savepoint");
            long producedAtStop = stream.produced();
            step("messages while no job runs").until(() -> stream.produced() >= producedAtStop + 5L * MESSAGES_PER_TICK);
            int rowsBeforeJob2 = reader.rowCount();
            job2 = start(withCrashableSummarySink(config), savepoint, "replay-eo-2");
            JobID id2 = job2.getJobID();
            step("second job running").until(() -> allTasksRunning(cluster, id2, 0));
            RestoredCheckpointStats fromSavepoint = restoredFrom(cluster, id2);
            assertThat(fromSavepoint).as("second job restored").isNotNull();
            assertThat(fromSavepoint.getProperties().isSavepoint()).as("second job restored from a savepoint").isTrue();
            step("rows from the second job").until(() -> reader.rowCount() >= rowsBeforeJob2 + 3 * SESSIONS);
            timeline.add("second job running from " + fromSavepoint.getExternalPath());

            // everything produced gets processed
            List<RecordingMessage> produced = stream.stop();
            long expectedEvents = produced.stream().mapToLong(m -> m.events().size()).sum();
            timeline.add("stopped producing: " + produced.size() + " messages, " + expectedEvents + " events");
            step("every produced event in a committed block").atMost(Duration.ofSeconds(45))
                    .until(() -> reader.eventCount() >= expectedEvents);
            Thread.sleep(1_500); // three more checkpoints: anything committed twice would show up now
            job2.cancel().get(30, TimeUnit.SECONDS);
            awaitTerminal(cluster, id2);
            job2 = null;
            reader.close();
            timeline.add("second job cancelled");

            List<SessionBlockSummary> rows = readAllCommitted(config.summaryTopic(), SessionBlockSummary.class);
            List<LogEntry> logs = readAllCommitted(config.logEntriesTopic(), LogEntry.class);
            Verdict verdict = verify(produced, rows);
            verifyLogEntries(verdict, produced, rows, logs);
            timeline.add("verified " + rows.size() + " rows, " + logs.size() + " log entries, " + verdict.files + " batch files; "
                    + inProgressUploads() + " multipart uploads of uncommitted files left in progress");
            verdict.assertClean();
        } finally {
            for (JobClient job : Arrays.asList(job1, job2)) {
                if (job != null) {
                    try {
                        job.cancel().get(30, TimeUnit.SECONDS);
                    } catch (Exception ignored) {
                        // already finished or cancelled
                    }
                }
            }
        }
    }

    /** What happened when, with the counts at that moment (printed to the test output). */
    private static final class Timeline {
        private final long started;
        private final SteadyStream stream;
        private final SummaryReader reader;
        private final List<String> entries = new ArrayList<>();

        Timeline(long started, SteadyStream stream, SummaryReader reader) {
            this.started = started;
            this.stream = stream;
            this.reader = reader;
        }

        void add(String what) {
            entries.add(String.format("%5.1fs %s (produced %d messages; read %d committed rows, %d of them before their file existed)",
                    (System.nanoTime() - started) / 1e9, what, stream.produced(), reader.rows.get(),
                    reader.rowsSeenBeforeTheirFile.get()));
        }

        @Override
        public String toString() {
            return String.join("\n  ", entries);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // the job

    private JobClient start(ReplayJob job, String savepoint, String name) throws Exception {
        Map<String, String> conf = new HashMap<>();
        conf.put("state.backend.type", "rocksdb");
        conf.put("execution.checkpointing.interval", "500 ms");
        conf.put("execution.checkpointing.mode", "EXACTLY_ONCE");
        conf.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        conf.put("restart-strategy.type", "fixed-delay");
        conf.put("restart-strategy.fixed-delay.attempts", "5");
        conf.put("restart-strategy.fixed-delay.delay", "200 ms");
        if (savepoint != null) {
            conf.put("execution.state-recovery.path", savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(Configuration.fromMap(conf));
        env.setParallelism(2);
        job.build(env);
        return env.executeAsync(name);
    }

    /**
     * The production wiring of {@link ReplayJob#fromConfig} (same source, sinks, settings), with the summary sink
     * wrapped so the test can crash the task right after a Kafka commit.
     */
    private static ReplayJob withCrashableSummarySink(ReplayJobConfig config) throws ReflectiveOperationException {
        ReplayJob production = ReplayJob.fromConfig(config);
        Source<ConsumedRecord, ?, ?> recordings = field(production, "recordings");
        KafkaSink<KeyedBytes> summaries = field(production, "summaries");
        Sink<KeyedBytes> logEntries = field(production, "logEntries");
        Sink<KeyedBytes> deadLetters = field(production, "deadLetters");
        BlockWriterSettings blocks = field(production, "blocks");
        long maxDecompressedEventBytes = field(production, "maxDecompressedEventBytes");
        return new ReplayJob(recordings, new CrashingCommits(summaries), logEntries, deadLetters, blocks, maxDecompressedEventBytes);
    }

    @SuppressWarnings("unchecked")
    private static <T> T field(ReplayJob job, String name) throws ReflectiveOperationException {
        Field f = ReplayJob.class.getDeclaredField(name);
        f.setAccessible(true);
        return (T) f.get(job);
    }

    private static boolean allTasksRunning(MiniCluster cluster, JobID id, int minAttempt) throws Exception {
        AccessExecutionGraph graph = cluster.getExecutionGraph(id).get();
        if (graph.getState() != JobStatus.RUNNING) {
            return false;
        }
        for (AccessExecutionVertex vertex : graph.getAllExecutionVertices()) {
            AccessExecution attempt = vertex.getCurrentExecutionAttempt();
            if (attempt.getState() != ExecutionState.RUNNING || attempt.getAttemptNumber() < minAttempt) {
                return false;
            }
        }
        return true;
    }

    private static RestoredCheckpointStats restoredFrom(MiniCluster cluster, JobID id) throws Exception {
        return cluster.getExecutionGraph(id).get().getCheckpointStatsSnapshot().getLatestRestoredCheckpoint();
    }

    /** Waits until every task runs again in at least {@code attempt} and new rows are committed; returns the restore. */
    private static RestoredCheckpointStats awaitRecovery(MiniCluster cluster, JobID id, int attempt, SummaryReader reader)
            throws Exception {
        step("tasks running in attempt " + attempt).until(() -> allTasksRunning(cluster, id, attempt));
        RestoredCheckpointStats restored = restoredFrom(cluster, id);
        assertThat(restored).as("restored from a checkpoint").isNotNull();
        int rows = reader.rowCount();
        step("rows after the restore").until(() -> reader.rowCount() >= rows + 2 * SESSIONS);
        return restored;
    }

    private static void awaitTerminal(MiniCluster cluster, JobID id) {
        step("job " + id + " terminal").until(() -> cluster.getJobStatus(id).get().isGloballyTerminalState());
    }

    private static ConditionFactory step(String what) {
        return Awaitility.await().alias(what).atMost(STEP_TIMEOUT).pollInterval(Duration.ofMillis(50));
    }

    /** Where the injected crash hits the commit of a completed checkpoint. */
    enum Crash { AFTER_KAFKA_COMMIT, BEFORE_KAFKA_COMMIT }

    /**
     * The production summary sink, unchanged, except that once {@link #ARMED} its committer fails the task with an
     * {@link Error} right after (or right before) it commits a Kafka transaction holding summary rows. Flink notifies
     * the operators of a chain of a completed checkpoint tail first, so the block writer (head of the same chain) has
     * not committed that checkpoint's batch files yet, and an {@code Error} (unlike an {@code Exception}) stops the
     * chain from notifying it: the state a process crash at that moment leaves behind. Only the restore path
     * ({@code PendingBatchFiles.commitRestored} and the Kafka committer's recovery) can then make rows and files appear.
     */
    static final class CrashingCommits implements Sink<KeyedBytes>, SupportsWriterState<KeyedBytes, KafkaWriterState>,
            SupportsCommitter<KafkaCommittable>, SupportsPostCommitTopology<KafkaCommittable> {
        static final AtomicReference<Crash> ARMED = new AtomicReference<>();
        private static final long serialVersionUID = 1L;

        private final KafkaSink<KeyedBytes> delegate;

        CrashingCommits(KafkaSink<KeyedBytes> delegate) {
            this.delegate = delegate;
        }

        private TwoPhaseCommittingStatefulSink<KeyedBytes, KafkaWriterState, KafkaCommittable> sink() {
            return delegate;
        }

        @Override
        public SinkWriter<KeyedBytes> createWriter(WriterInitContext context) throws IOException {
            return sink().createWriter(context);
        }

        @Override
        public StatefulSinkWriter<KeyedBytes, KafkaWriterState> restoreWriter(WriterInitContext context,
                                                                              Collection<KafkaWriterState> state) throws IOException {
            return sink().restoreWriter(context, state);
        }

        @Override
        public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
            return delegate.getWriterStateSerializer();
        }

        @Override
        public Committer<KafkaCommittable> createCommitter(CommitterInitContext context) throws IOException {
            Committer<KafkaCommittable> committer = delegate.createCommitter(context);
            return new Committer<>() {
                @Override
                public void commit(Collection<CommitRequest<KafkaCommittable>> requests) throws IOException, InterruptedException {
                    if (!requests.isEmpty() && ARMED.compareAndSet(Crash.BEFORE_KAFKA_COMMIT, null)) {
                        throw new InjectedCrash(Crash.BEFORE_KAFKA_COMMIT);
                    }
                    committer.commit(requests);
                    if (!requests.isEmpty() && ARMED.compareAndSet(Crash.AFTER_KAFKA_COMMIT, null)) {
                        throw new InjectedCrash(Crash.AFTER_KAFKA_COMMIT);
                    }
                }

                @Override
                public void close() throws Exception {
                    committer.close();
                }
            };
        }

        @Override
        public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
            return delegate.getCommittableSerializer();
        }

        @Override
        public void addPostCommitTopology(DataStream<CommittableMessage<KafkaCommittable>> committables) {
            delegate.addPostCommitTopology(committables);
        }
    }

    /** Stands for the process dying; an Error so that the operator chain does not go on notifying the block writer. */
    static final class InjectedCrash extends Error {
        InjectedCrash(Crash where) {
            super("injected by ReplayExactlyOnceIT: crash " + where + ", before the batch files' commit");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // the input

    /**
     * Recording messages built from the recorded posthog-js requests: message k goes to one of {@link #SESSIONS}
     * sessions (two teams, two retention classes), copies one fixture message's events (per-event compressed, as
     * posthog-js sends them) plus two console lines (one unique to k, one that every message repeats), gives them
     * timestamps that grow with k and marks every event with a unique id inside its {@code data} (top level where
     * data is a string).
     */
    static final class Workload {
        static final String TICK = "tick";
        private final List<RecordingMessage> templates = new ArrayList<>();
        private final long baseTimestamp;

        Workload(long baseTimestamp) {
            this.baseTimestamp = baseTimestamp;
            for (String fixture : List.of("run1_configjs_09_POST_s_.request.json", "run1_configjs_11_POST_s_.request.json",
                    "run2_jsonconfig_nocompress_10_POST_s_.request.json", "run2_jsonconfig_nocompress_12_POST_s_.request.json")) {
                templates.addAll(RecordingMessages.fromFixture(fixture));
            }
        }

        RecordingMessage message(int k) {
            int session = k % SESSIONS;
            RecordingMessage template = templates.get((k / SESSIONS + session) % templates.size());
            List<JsonNode> originals = new ArrayList<>(template.events());
            originals.add(console("warn", "\"console m" + k + "\""));
            originals.add(console("log", "\"" + TICK + "\""));
            List<JsonNode> events = new ArrayList<>();
            int i = 0;
            for (JsonNode original : originals) {
                ObjectNode event = original.deepCopy();
                String marker = "m" + k + "-e" + i;
                event.put("timestamp", baseTimestamp + k * 100L + i);
                if (event.get("data") instanceof ObjectNode data) {
                    data.put(MARKER, marker);
                } else {
                    event.put(MARKER, marker);
                }
                events.add(event);
                i++;
            }
            return new RecordingMessage(1 + session % 2, "eo-session-" + session, template.windowId(), "user-" + session,
                    "web", template.snapshotLibrary(), 0L, null, session % 4 == 3 ? "1y" : "30d", events);
        }

        private static JsonNode console(String level, String arg) {
            ObjectNode event = Json.mapper().createObjectNode();
            event.put("type", 6);
            ObjectNode data = event.putObject("data");
            data.put("plugin", "rrweb/console@1");
            ObjectNode payload = data.putObject("payload");
            payload.put("level", level);
            payload.putArray("payload").add(arg);
            payload.putArray("trace");
            return event;
        }

        static String marker(JsonNode event) {
            JsonNode inData = event.path("data").path(MARKER);
            return inData.isTextual() ? inData.asText() : event.path(MARKER).asText(null);
        }
    }

    /** Produces {@link #MESSAGES_PER_TICK} messages every {@link #TICK_MS} ms until stopped, remembering what it sent. */
    static final class SteadyStream implements AutoCloseable {
        private final String topic;
        private final Workload workload;
        private final KafkaProducer<String, byte[]> producer;
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "eo-producer");
            t.setDaemon(true);
            return t;
        });
        private final List<RecordingMessage> sent = Collections.synchronizedList(new ArrayList<>());
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private final AtomicInteger next = new AtomicInteger();

        SteadyStream(String topic, Workload workload) {
            this.topic = topic;
            this.workload = workload;
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
            this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        }

        void start() {
            timer.scheduleAtFixedRate(this::tick, 0, TICK_MS, TimeUnit.MILLISECONDS);
        }

        private void tick() {
            for (int n = 0; n < MESSAGES_PER_TICK; n++) {
                int k = next.getAndIncrement();
                RecordingMessage m = workload.message(k);
                if (k % 7 != 3) {
                    sent.add(m);
                    send(m);
                    continue;
                }
                // as capture sends an event too large for one Kafka message: its own message, cut into parts
                RecordingMessage rest = m.withEvents(m.events().subList(1, m.events().size()));
                RecordingMessage large = m.withEvents(m.events().subList(0, 1));
                sent.add(rest);
                sent.add(large);
                send(rest);
                JoinEventPartsTest.cut(large, "part-" + k, 3).forEach(this::send);
            }
        }

        private void send(RecordingMessage m) {
            producer.send(new ProducerRecord<>(topic, m.sessionId(), Json.encode(m)), (meta, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
            });
        }

        long produced() {
            return sent.size();
        }

        /** Stops producing, waits until everything sent is acknowledged, and returns it. */
        List<RecordingMessage> stop() throws InterruptedException {
            timer.shutdown();
            assertThat(timer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            producer.flush();
            assertThat(failure.get()).as("producer errors").isNull();
            synchronized (sent) {
                return List.copyOf(sent);
            }
        }

        @Override
        public void close() throws InterruptedException {
            timer.shutdownNow();
            timer.awaitTermination(10, TimeUnit.SECONDS);
            producer.close(Duration.ofSeconds(10));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // the output

    /**
     * Follows the summary topic with read_committed in the background, counting rows and events; notes rows that
     * become visible before the object they point at exists (reported, not asserted: Flink commits the Kafka
     * transaction before it notifies the block writer of the same chain).
     */
    static final class SummaryReader implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Thread thread;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger rows = new AtomicInteger();
        private final AtomicLong events = new AtomicLong();
        private final Set<String> existingKeys = ConcurrentHashMap.newKeySet();
        final AtomicInteger rowsSeenBeforeTheirFile = new AtomicInteger();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        SummaryReader(String topic) {
            consumer = readCommitted("eo-follower-" + topic);
            consumer.subscribe(List.of(topic));
            thread = new Thread(this::run, "eo-summary-reader");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            try {
                while (running.get()) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        SessionBlockSummary row = Json.decode(r.value(), SessionBlockSummary.class);
                        String key = BlockUrl.parse(row.blockUrl()).key();
                        if (!existingKeys.contains(key)) {
                            if (objectExists(key)) {
                                existingKeys.add(key);
                            } else {
                                rowsSeenBeforeTheirFile.incrementAndGet();
                            }
                        }
                        events.addAndGet(row.eventCount());
                        rows.incrementAndGet();
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                consumer.close(Duration.ofSeconds(5));
            }
        }

        int rowCount() {
            assertThat(failure.get()).as("summary reader").isNull();
            return rows.get();
        }

        long eventCount() {
            assertThat(failure.get()).as("summary reader").isNull();
            return events.get();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }

    private static boolean objectExists(String key) {
        try {
            S3.client().headObject(b -> b.bucket(S3.bucket()).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private static KafkaConsumer<byte[], byte[]> readCommitted(String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Every committed row of the topic, read from the beginning up to the last stable offset. */
    private static <T> List<T> readAllCommitted(String topic, Class<T> type) {
        List<T> rows = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = readCommitted("eo-final-" + topic)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions); // the last stable offsets under read_committed
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                assertThat(System.nanoTime()).as("reading the summary topic to its end").isLessThan(deadline);
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    rows.add(Json.decode(r.value(), type));
                }
            }
        }
        return rows;
    }

    // ---------------------------------------------------------------------------------------------
    // the verdict

    private record Posted(RecordingMessage message, JsonNode event) {}

    /** Everything wrong with the committed output, collected so one run reports all of it. */
    private static final class Verdict {
        final List<String> badRows = new ArrayList<>();
        final List<String> duplicates = new ArrayList<>();
        final List<String> foreign = new ArrayList<>();
        final List<String> misplaced = new ArrayList<>();
        final List<String> missing = new ArrayList<>();
        final List<String> badFiles = new ArrayList<>();
        final List<String> badLogEntries = new ArrayList<>();
        long expectedEvents;
        long expectedMessages;
        long eventCountSum;
        long messageCountSum;
        int files;

        void assertClean() {
            assertThat(badRows).as("rows whose block_url is not an existing object and byte range holding event_count events").isEmpty();
            assertThat(duplicates).as("events in more than one committed block").isEmpty();
            assertThat(foreign).as("stored events that were never produced").isEmpty();
            assertThat(misplaced).as("events stored in another session's block or changed").isEmpty();
            assertThat(missing).as("produced events in no committed block").isEmpty();
            assertThat(badFiles).as("committed batch files not exactly covered by the rows' byte ranges").isEmpty();
            assertThat(badLogEntries).as("log entries missing, duplicated or not one per block and console message").isEmpty();
            assertThat(eventCountSum).as("sum of event_count").isEqualTo(expectedEvents);
            assertThat(messageCountSum).as("sum of message_count").isEqualTo(expectedMessages);
        }
    }

    private static Verdict verify(List<RecordingMessage> produced, List<SessionBlockSummary> rows) {
        Verdict v = new Verdict();
        Map<String, Posted> posted = new HashMap<>();
        for (RecordingMessage m : produced) {
            for (JsonNode e : m.events()) {
                assertThat(posted.put(Workload.marker(e), new Posted(m, e))).isNull();
            }
        }
        v.expectedEvents = posted.size();
        v.expectedMessages = produced.size();
        assertThat(rows).isNotEmpty();

        // every committed batch file in the bucket (in-flight multipart uploads are not objects)
        Map<String, Long> objects = new TreeMap<>();
        for (S3Object o : S3.client().listObjectsV2Paginator(b -> b.bucket(S3.bucket()).prefix(OUTPUT_PREFIX + "/")).contents()) {
            objects.put(o.key(), o.size());
        }
        Map<String, byte[]> contents = new HashMap<>();
        Map<String, List<BlockUrl>> rangesByKey = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (SessionBlockSummary row : rows) {
            v.eventCountSum += row.eventCount();
            v.messageCountSum += row.messageCount();
            BlockUrl url = BlockUrl.parse(row.blockUrl());
            Long size = objects.get(url.key());
            if (!url.bucket().equals(S3.bucket()) || size == null) {
                v.badRows.add(row.blockUrl() + ": no such object");
                continue;
            }
            if (url.endInclusive() >= size) {
                v.badRows.add(row.blockUrl() + ": beyond the object's " + size + " bytes");
                continue;
            }
            rangesByKey.computeIfAbsent(url.key(), k -> new ArrayList<>()).add(url);
            byte[] file = contents.computeIfAbsent(url.key(), ReplayExactlyOnceIT::getObject);
            byte[] block = Arrays.copyOfRange(file, (int) url.start(), (int) url.endInclusive() + 1);
            List<RecordingBlock.Entry> entries;
            try {
                entries = RecordingBlock.decode(block);
            } catch (RuntimeException e) {
                v.badRows.add(row.blockUrl() + ": not a block: " + e.getMessage());
                continue;
            }
            if (entries.size() != row.eventCount()) {
                v.badRows.add(row.blockUrl() + ": " + entries.size() + " events, event_count " + row.eventCount());
            }
            if (RecordingBlock.decompress(block).length != row.size()) {
                v.badRows.add(row.blockUrl() + ": size " + row.size() + " is not the block's uncompressed size");
            }
            for (RecordingBlock.Entry entry : entries) {
                String marker = Workload.marker(entry.event());
                Posted p = marker == null ? null : posted.get(marker);
                if (p == null) {
                    v.foreign.add(row.blockUrl() + ": " + entry.event());
                } else if (!seen.add(marker)) {
                    v.duplicates.add(marker + " again in " + row.blockUrl());
                } else if (!decoded(p.event()).equals(entry.event()) || !p.message().windowId().equals(entry.windowId())
                        || !p.message().sessionId().equals(row.sessionId()) || p.message().teamId() != row.teamId()) {
                    v.misplaced.add(marker + " in " + row.blockUrl() + " (session " + row.sessionId() + ")");
                }
            }
        }
        for (String marker : posted.keySet()) {
            if (!seen.contains(marker)) {
                v.missing.add(marker);
            }
        }
        Collections.sort(v.missing);

        // a ranged GET returns the same bytes as the slice (one block per file is enough)
        for (List<BlockUrl> urls : rangesByKey.values()) {
            BlockUrl url = urls.get(0);
            byte[] ranged = S3.client().getObject(b -> b.bucket(url.bucket()).key(url.key()).range(url.rangeHeader()),
                    ResponseTransformer.toBytes()).asByteArray();
            byte[] slice = Arrays.copyOfRange(contents.get(url.key()), (int) url.start(), (int) url.endInclusive() + 1);
            if (!Arrays.equals(ranged, slice)) {
                v.badRows.add(url + ": ranged GET differs from the object's bytes");
            }
        }

        // every committed batch file is made of referenced blocks only, back to back, nothing else
        v.files = objects.size();
        for (Map.Entry<String, Long> object : objects.entrySet()) {
            List<BlockUrl> ranges = new ArrayList<>(rangesByKey.getOrDefault(object.getKey(), List.of()));
            ranges.sort(Comparator.comparingLong(BlockUrl::start));
            long expectedStart = 0;
            for (BlockUrl r : ranges) {
                if (r.start() != expectedStart) {
                    v.badFiles.add(object.getKey() + ": bytes " + expectedStart + ".." + r.start() + " "
                            + (r.start() > expectedStart ? "not referenced by any row" : "referenced twice"));
                }
                expectedStart = r.endInclusive() + 1;
            }
            if (expectedStart != object.getValue()) {
                v.badFiles.add(object.getKey() + ": " + object.getValue() + " bytes, rows cover " + expectedStart);
            }
        }
        return v;
    }

    /** What the job stores for a posted event: posthog-js per-event compression undone. */
    private static JsonNode decoded(JsonNode posted) {
        try {
            return PerEventCompression.decode(posted, DecodeRecordings.DEFAULT_MAX_DECOMPRESSED_EVENT_BYTES);
        } catch (PerEventCompression.UndecodableEvent e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Every message carries one console line unique to it and one ("tick") that every message repeats: each unique
     * line must be on the log topic exactly once, with its event's timestamp, team, session and window; "tick" exactly
     * once per committed block (the writer deduplicates per block), so as often per session as the session has rows.
     */
    private static void verifyLogEntries(Verdict v, List<RecordingMessage> produced, List<SessionBlockSummary> rows,
                                         List<LogEntry> logs) {
        Map<String, RecordingMessage> byLine = new HashMap<>();
        Map<String, Long> timestampByLine = new HashMap<>();
        for (RecordingMessage m : produced) {
            for (JsonNode e : m.events()) {
                JsonNode args = e.path("data").path("payload").path("payload");
                if (args.isArray() && !args.get(0).asText().equals("\"" + Workload.TICK + "\"")) {
                    String line = args.get(0).asText().replace("\"", "");
                    byLine.put(line, m);
                    timestampByLine.put(line, e.get("timestamp").asLong());
                }
            }
        }
        Map<String, Integer> ticks = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (LogEntry log : logs) {
            if (!log.logSource().equals(LogEntry.SESSION_REPLAY) || !log.logSourceId().equals(log.sessionId())) {
                v.badLogEntries.add("not a session replay entry: " + log);
            } else if (log.message().equals(Workload.TICK)) {
                ticks.merge(log.sessionId(), 1, Integer::sum);
            } else if (!seen.add(log.message())) {
                v.badLogEntries.add("twice: " + log.message());
            } else {
                RecordingMessage m = byLine.get(log.message());
                if (m == null || m.teamId() != log.teamId() || !m.sessionId().equals(log.sessionId())
                        || !m.windowId().equals(log.instanceId()) || log.timestamp() != timestampByLine.get(log.message())
                        || !log.level().equals("warn")) {
                    v.badLogEntries.add("does not match its message: " + log);
                }
            }
        }
        for (String line : byLine.keySet()) {
            if (!seen.contains(line)) {
                v.badLogEntries.add("missing: " + line);
            }
        }
        // every message carries a "tick" console.log, except the one large event sent as parts: a block holding only
        // that event has no console line, so it is the blocks with a log-level line that each must have one tick
        Map<String, Integer> blocksPerSession = new HashMap<>();
        rows.stream().filter(r -> r.consoleLogCount() > 0).forEach(r -> blocksPerSession.merge(r.sessionId(), 1, Integer::sum));
        if (!ticks.equals(blocksPerSession)) {
            v.badLogEntries.add("\"" + Workload.TICK + "\" entries per session " + new TreeMap<>(ticks)
                    + " differ from blocks with a console.log per session " + new TreeMap<>(blocksPerSession));
        }
    }

    /** Files of checkpoints that never completed stay in-progress multipart uploads: never objects, so never listed. */
    private static String inProgressUploads() {
        try {
            return String.valueOf(S3.client().listMultipartUploads(b -> b.bucket(S3.bucket()).prefix(OUTPUT_PREFIX + "/")).uploads().size());
        } catch (RuntimeException e) {
            return "? (" + e.getMessage() + ")";
        }
    }

    private static byte[] getObject(String key) {
        return S3.client().getObject(b -> b.bucket(S3.bucket()).key(key), ResponseTransformer.toBytes()).asByteArray();
    }
}

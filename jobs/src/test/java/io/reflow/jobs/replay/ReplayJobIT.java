package io.reflow.jobs.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.BlockUrl;
import io.reflow.contracts.Json;
import io.reflow.contracts.LogEntry;
import io.reflow.contracts.RecordingBlock;
import io.reflow.contracts.RecordingMessage;
import io.reflow.contracts.SessionBlockSummary;
import io.reflow.contracts.reader.BlockRef;
import io.reflow.contracts.reader.SessionRecordingReader;
import io.reflow.jobs.common.DeadLetter;
import io.reflow.jobs.common.JobArguments;
import io.reflow.testsupport.flink.FlinkS3;
import io.reflow.testsupport.kafka.KafkaExtension;
import io.reflow.testsupport.s3.S3Extension;
import io.reflow.contracts.reader.S3BlockSource;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The replay job on a MiniCluster against a real Kafka broker and a real S3 API server. */
class ReplayJobIT {
    @RegisterExtension
    @Order(1)
    static final KafkaExtension KAFKA = new KafkaExtension();

    @RegisterExtension
    @Order(2)
    static final S3Extension S3 = new S3Extension();

    @RegisterExtension
    @Order(3)
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
            .setConfiguration(Configuration.fromMap(Map.of("state.backend.type", "rocksdb"))).build());

    @Test
    void recordingsBecomeCommittedBlocksWithOneSummaryRowEach() throws Exception {
        FlinkS3.initialize(FlinkS3.configuration(S3.endpoint(), S3.accessKey(), S3.secretKey()));
        String recordings = KAFKA.freshTopic("recordings", 2);
        String summaries = KAFKA.freshTopic("summaries", 1);
        String deadLetters = KAFKA.freshTopic("dlq", 1);
        String logEntries = KAFKA.freshTopic("log-entries", 1);
        List<String> fixtures = List.of("run1_configjs_09_POST_s_.request.json", "run1_configjs_11_POST_s_.request.json",
                "run2_jsonconfig_nocompress_10_POST_s_.request.json");
        List<RecordingMessage> messages = new ArrayList<>();
        fixtures.forEach(f -> messages.addAll(RecordingMessages.fromFixture(f)));
        RecordingMessage console = RecordingMessages.message(4, "console-session", "w-c", """
                [{"type":4,"timestamp":1795300000000,"data":{"href":"http://c/"}},
                 {"type":6,"timestamp":1795300000002,"data":{"plugin":"rrweb/console@1","payload":{"level":"error","payload":["\\"boom\\""]}}},
                 {"type":6,"timestamp":1795300000001,"data":{"plugin":"rrweb/console@1","payload":{"level":"error","payload":["\\"boom\\""]}}}]
                """);
        messages.add(console);
        produce(recordings, messages);
        produceRaw(recordings, "broken", "{\"team_id\":1,".getBytes(StandardCharsets.UTF_8));

        ReplayJobConfig config = ReplayJobConfig.from(JobArguments.of(Map.of(
                "kafka.bootstrap-servers", KAFKA.bootstrapServers(),
                "topic.recordings", recordings,
                "topic.session-replay-events", summaries,
                "topic.log-entries", logEntries,
                "topic.dead-letter", deadLetters,
                "kafka.transactional-id-prefix", "it-" + recordings,
                "output.base", "s3://" + S3.bucket() + "/recordings",
                "flush.age-ms", "0")));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(1000, CheckpointingMode.EXACTLY_ONCE);
        ReplayJob.fromConfig(config).build(env);
        JobClient job = env.executeAsync("replay-it");
        try {
            long expectedEvents = messages.stream().mapToLong(m -> m.events().size()).sum();
            List<SessionBlockSummary> rows = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            try (KafkaConsumer<byte[], byte[]> consumer = readCommitted(summaries)) {
                while (rows.stream().mapToLong(SessionBlockSummary::eventCount).sum() < expectedEvents && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        rows.add(Json.decode(r.value(), SessionBlockSummary.class));
                    }
                }
            }
            assertThat(rows.stream().mapToLong(SessionBlockSummary::eventCount).sum()).isEqualTo(expectedEvents);

            for (SessionBlockSummary row : rows) {
                List<RecordingBlock.Entry> block = RecordingBlock.decode(fetch(BlockUrl.parse(row.blockUrl())));
                assertThat(block).hasSize((int) row.eventCount());
            }
            // read back per session through the reader, with ranged GETs: the posted events, per-event compression undone
            SessionRecordingReader reader = new SessionRecordingReader(new S3BlockSource(S3.client()), false);
            Map<String, List<SessionBlockSummary>> bySession = rows.stream().collect(Collectors.groupingBy(SessionBlockSummary::sessionId));
            List<JsonNode> stored = new ArrayList<>();
            for (List<SessionBlockSummary> session : bySession.values()) {
                List<RecordingBlock.Entry> events = reader.readAll(BlockRef.fromSummaries(session));
                assertThat(events).extracting(e -> e.event().get("timestamp").asLong()).isSorted();
                events.forEach(e -> stored.add(e.event()));
            }
            List<JsonNode> expected = new ArrayList<>(RecordingMessages.decompressedEvents(fixtures.toArray(String[]::new)));
            expected.addAll(console.events());
            assertThat(stored).containsExactlyInAnyOrderElementsOf(expected);

            try (KafkaConsumer<byte[], byte[]> consumer = readCommitted(logEntries)) {
                List<LogEntry> logs = new ArrayList<>();
                long logDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (logs.isEmpty() && System.nanoTime() < logDeadline) {
                    consumer.poll(Duration.ofMillis(500)).forEach(r -> logs.add(Json.decode(r.value(), LogEntry.class)));
                }
                assertThat(logs).containsExactly(new LogEntry(4, "console-session", LogEntry.SESSION_REPLAY, "console-session",
                        "w-c", 1795300000001L, "error", "boom", 30));
            }

            try (KafkaConsumer<byte[], byte[]> consumer = readCommitted(deadLetters)) {
                List<DeadLetter> dead = new ArrayList<>();
                long dlqDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (dead.isEmpty() && System.nanoTime() < dlqDeadline) {
                    consumer.poll(Duration.ofMillis(500)).forEach(r -> dead.add(Json.decode(r.value(), DeadLetter.class)));
                }
                assertThat(dead).singleElement().satisfies(d -> assertThat(d.reason()).isEqualTo("invalid_message"));
            }
        } finally {
            job.cancel().get();
        }
    }

    /** The block's bytes, asked for again while its file's commit may still be under way (as readers do). */
    private static byte[] fetch(BlockUrl url) throws IOException {
        assertThat(url.bucket()).isEqualTo(S3.bucket());
        try (InputStream in = new S3BlockSource(S3.client()).open(url)) {
            return in.readAllBytes();
        }
    }

    private static void produce(String topic, List<RecordingMessage> messages) {
        for (RecordingMessage m : messages) {
            produceRaw(topic, m.sessionId(), Json.encode(m));
        }
    }

    private static void produceRaw(String topic, String key, byte[] value) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value));
        }
    }

    private static KafkaConsumer<byte[], byte[]> readCommitted(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-reader-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        return consumer;
    }
}

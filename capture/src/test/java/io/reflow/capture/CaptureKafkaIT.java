package io.reflow.capture;

import io.reflow.contracts.CapturedEvent;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingMessage;
import io.reflow.testsupport.kafka.KafkaExtension;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The real posthog-js request bodies, posted to a running capture, arrive on a real Kafka broker exactly as expected. */
class CaptureKafkaIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    private CaptureConfig config;
    private KafkaRecordSink sink;
    private CaptureServer server;
    private HttpTestClient http;

    /** Each test gets fresh topics and its own capture (starting one takes milliseconds). */
    @BeforeEach
    void start() {
        config = TestTeams.config(
                "KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers(),
                "KAFKA_RECORDINGS_TOPIC", KAFKA.freshTopic("recordings", 3),
                "KAFKA_EVENTS_TOPIC", KAFKA.freshTopic("events", 3),
                "KAFKA_DEAD_LETTER_TOPIC", KAFKA.freshTopic("dead-letter", 1),
                "KAFKA_MESSAGE_TIMEOUT_MS", "30000");
        sink = KafkaRecordSink.create(config);
        server = CaptureServer.start(config, sink, TestTeams.registry());
        http = new HttpTestClient(server.port());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (sink != null) {
            sink.close();
        }
    }

    @Test
    void recordingsArriveKeyedBySessionWithTheEventsThatWerePosted() {
        List<JsonNode> expected = new ArrayList<>();
        for (Fixture f : Fixture.posts("/s/")) {
            HttpResponse<String> r = http.post(f.path() + f.queryString(), f.raw(), HttpTestClient.replayable(f));
            assertThat(r.statusCode()).as(f.name()).isEqualTo(200);
            expected.addAll(f.events());
        }
        assertThat(expected).hasSizeGreaterThanOrEqualTo(9);

        List<ConsumerRecord<byte[], byte[]>> records = readExactly(config.recordingsTopic(), expected.size());

        Map<String, List<JsonNode>> expectedBySession = groupItems(expected, item -> item.at("/properties/$session_id").asText());
        Map<String, List<RecordingMessage>> actualBySession = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            RecordingMessage m = Json.decode(r.value(), RecordingMessage.class);
            assertThat(key(r)).isEqualTo(m.sessionId());
            assertThat(header(r, "team_id")).isEqualTo("1");
            assertThat(header(r, "session_id")).isEqualTo(m.sessionId());
            assertThat(m.teamId()).isEqualTo(1);
            assertThat(m.retention()).isEqualTo("30d");
            actualBySession.computeIfAbsent(m.sessionId(), k -> new ArrayList<>()).add(m);
        }
        assertThat(actualBySession.keySet()).isEqualTo(expectedBySession.keySet());
        // one partition per session, so per session the messages arrive in the order they were posted
        expectedBySession.forEach((session, items) -> {
            List<RecordingMessage> messages = actualBySession.get(session);
            assertThat(messages).hasSameSizeAs(items);
            for (int i = 0; i < items.size(); i++) {
                JsonNode props = items.get(i).get("properties");
                RecordingMessage m = messages.get(i);
                assertThat(m.events()).containsExactlyElementsOf(props.get("$snapshot_data"));
                assertThat(m.windowId()).isEqualTo(props.get("$window_id").asText());
                assertThat(m.distinctId()).isEqualTo(props.get("distinct_id").asText());
            }
        });
        assertThat(readAll(config.deadLetterTopic())).isEmpty();
    }

    @Test
    void anRrwebEventLargerThanTheTopicsMessageLimitArrivesAsOrderedPartsThatRejoin() throws IOException {
        int limit = 2000;
        String topic = KAFKA.freshTopic("small-recordings", 3, Map.of("max.message.bytes", Integer.toString(limit + 512)));
        CaptureConfig small = TestTeams.config("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers(), "KAFKA_RECORDINGS_TOPIC", topic,
                "KAFKA_DEAD_LETTER_TOPIC", config.deadLetterTopic(), "KAFKA_MAX_MESSAGE_BYTES", Integer.toString(limit),
                "KAFKA_MESSAGE_TIMEOUT_MS", "30000");
        Fixture f = Fixture.named("run1_configjs_09_POST_s_");
        try (KafkaRecordSink smallSink = KafkaRecordSink.create(small);
             CaptureServer smallCapture = CaptureServer.start(small, smallSink, TestTeams.registry())) {
            assertThat(new HttpTestClient(smallCapture.port()).post("/s/", f.raw(), HttpTestClient.replayable(f)).statusCode())
                    .isEqualTo(200);
        }
        List<JsonNode> posted = new ArrayList<>();
        f.events().forEach(item -> item.at("/properties/$snapshot_data").forEach(posted::add));

        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(topic)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int quietPolls = 0;
            while (System.nanoTime() < deadline && quietPolls < 3) {
                int before = records.size();
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
                quietPolls = records.size() == before && !records.isEmpty() ? quietPolls + 1 : 0;
            }
        }
        RejoinedRecording rejoined = RejoinedRecording.of(records.stream().map(ConsumerRecord::value).toList());
        assertThat(rejoined.cutEvents()).as("events cut into parts").isPositive();
        assertThat(rejoined.events()).containsExactlyElementsOf(posted);
        assertThat(readAll(config.deadLetterTopic())).isEmpty();
    }

    @Test
    void eventsArriveKeyedByTokenAndDistinctId() {
        List<JsonNode> expected = new ArrayList<>();
        for (Fixture f : Fixture.posts("/e/")) {
            HttpResponse<String> r = http.post(f.path() + f.queryString(), f.raw(), HttpTestClient.replayable(f));
            assertThat(r.statusCode()).as(f.name()).isEqualTo(200);
            expected.addAll(f.events());
        }

        List<ConsumerRecord<byte[], byte[]>> records = readExactly(config.eventsTopic(), expected.size());

        Map<String, JsonNode> expectedByUuid = new HashMap<>();
        expected.forEach(e -> expectedByUuid.put(e.get("uuid").asText(), e));
        assertThat(expectedByUuid).hasSameSizeAs(expected);
        for (ConsumerRecord<byte[], byte[]> r : records) {
            CapturedEvent captured = Json.decode(r.value(), CapturedEvent.class);
            JsonNode posted = expectedByUuid.remove(captured.uuid());
            assertThat(posted).as("event %s posted once", captured.uuid()).isNotNull();
            assertThat(captured.event()).isEqualTo(posted);
            String distinctId = posted.at("/properties/distinct_id").asText();
            assertThat(key(r)).isEqualTo(Fixture.TOKEN + ":" + distinctId);
            assertThat(header(r, "team_id")).isEqualTo("1");
            assertThat(captured.teamId()).isEqualTo(1);
            assertThat(captured.token()).isEqualTo(Fixture.TOKEN);
            assertThat(captured.ip()).isEqualTo("127.0.0.1");
        }
        assertThat(expectedByUuid).isEmpty();
    }

    @Test
    void invalidItemsAreDeadLetteredWithTheirReason() throws IOException {
        String body = "[{\"event\":\"$snapshot\",\"properties\":{\"token\":\"" + Fixture.TOKEN
                + "\",\"distinct_id\":\"d\",\"$session_id\":\"not a session id\",\"$snapshot_data\":[{\"type\":4}]}}]";
        HttpResponse<String> r = http.post("/s/", BodyDecoderTest.gzip(body.getBytes(StandardCharsets.UTF_8)), Map.of());
        assertThat(r.statusCode()).isEqualTo(200);

        ConsumerRecord<byte[], byte[]> dead = readExactly(config.deadLetterTopic(), 1).get(0);
        assertThat(header(dead, "reason")).isEqualTo("invalid_session_id");
        DeadLetter letter = Json.decode(dead.value(), DeadLetter.class);
        assertThat(letter.teamId()).isEqualTo(1);
        assertThat(letter.payload()).isEqualTo(Json.mapper().readTree(body).get(0));
    }

    @Test
    void anUnreachableBrokerIsA503WithRetryAfter() throws IOException {
        CaptureConfig unreachable = TestTeams.config("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1", "KAFKA_MESSAGE_TIMEOUT_MS", "1000");
        try (KafkaRecordSink deadSink = KafkaRecordSink.create(unreachable);
             CaptureServer deadServer = CaptureServer.start(unreachable, deadSink, TestTeams.registry())) {
            Fixture f = Fixture.posts("/e/").get(0);
            HttpResponse<String> r = new HttpTestClient(deadServer.port()).post("/e/", f.raw(), HttpTestClient.replayable(f));
            CaptureServerTest.assertError(r, 503, "server_error", "sink_unavailable");
            assertThat(r.headers().firstValue("retry-after")).isPresent();
            assertThat(deadServer.ready()).isFalse();
        }
    }

    private static <K> Map<K, List<JsonNode>> groupItems(List<JsonNode> items, java.util.function.Function<JsonNode, K> key) {
        Map<K, List<JsonNode>> grouped = new HashMap<>();
        items.forEach(i -> grouped.computeIfAbsent(key.apply(i), k -> new ArrayList<>()).add(i));
        return grouped;
    }

    /** Reads the topic from the start until {@code count} records arrived, then checks that no more follow. */
    private static List<ConsumerRecord<byte[], byte[]>> readExactly(String topic, int count) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(topic)) {
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            assertThat(records).as("records on " + topic).hasSize(count);
            return records;
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(topic)) {
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            consumer.poll(Duration.ofMillis(1000)).forEach(records::add);
            return records;
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String topic) {
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo p : consumer.partitionsFor(topic)) {
            partitions.add(new TopicPartition(topic, p.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return new String(r.key(), StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}

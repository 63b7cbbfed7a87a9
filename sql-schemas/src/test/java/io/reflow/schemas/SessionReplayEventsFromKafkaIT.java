package io.reflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reflow.contracts.Json;
import io.reflow.contracts.SessionBlockSummary;
import io.reflow.testsupport.clickhouse.ClickHouseExtension;
import io.reflow.testsupport.clickhouse.ClickHouseServer;
import io.reflow.testsupport.kafka.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration 0001 end to end: summary rows produced to a real Kafka broker as the replay job writes them
 * ({@link Json#encode} of {@link SessionBlockSummary}) are consumed by ClickHouse's Kafka engine and folded per
 * session into session_replay_events.
 */
class SessionReplayEventsFromKafkaIT {
    private static final Duration ARRIVAL_TIMEOUT = Duration.ofSeconds(60);
    private static final long T0 = Instant.now().toEpochMilli() - 60_000;
    private static final String MALFORMED = "{\"team_id\": \"not a number\", broken json";

    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();
    @RegisterExtension
    static final ClickHouseExtension CLICKHOUSE = new ClickHouseExtension();

    /** session_replay_events read the way it has to be read: aggregated per session. */
    record Session(long teamId, String distinctId, Instant firstTimestamp, Instant lastTimestamp, List<String> blockUrls,
                   List<Instant> blockFirstTimestamps, String firstUrl, List<String> allUrls, long clickCount,
                   long keypressCount, long consoleErrorCount, long size, long eventCount, long messageCount,
                   String snapshotSource, long retentionPeriodDays, long storedRows) {}

    @Test
    void blocksOfOneSessionBecomeOneSessionAndAMalformedMessageIsSkipped() throws Exception {
        String topic = KAFKA.freshTopic("session-replay-events", 2);
        String database = migratedDatabase(CLICKHOUSE.server(), topic);
        String sessionId = "session-" + UUID.randomUUID();
        SessionBlockSummary first = block(sessionId, "s3://replay/batch-1?range=bytes=0-999", T0, T0 + 4_000,
                "https://shop.example/", List.of("https://shop.example/", "https://shop.example/cart"), 3, 10);
        SessionBlockSummary second = block(sessionId, "s3://replay/batch-2?range=bytes=500-1499", T0 + 5_000, T0 + 9_000,
                "https://shop.example/checkout", List.of("https://shop.example/checkout", "https://shop.example/cart"), 4, 20);

        long lagMillis;
        try (KafkaProducer<String, byte[]> producer = producer(Map.of())) {
            send(producer, topic, sessionId, Json.encode(first));
            send(producer, topic, sessionId, MALFORMED.getBytes(StandardCharsets.UTF_8));
            send(producer, topic, sessionId, Json.encode(second));
            long sent = System.nanoTime();
            await().atMost(ARRIVAL_TIMEOUT).pollInterval(Duration.ofMillis(50))
                    .until(() -> session(database, sessionId).map(s -> s.blockUrls().size() == 2).orElse(false));
            lagMillis = (System.nanoTime() - sent) / 1_000_000;
        }

        Session session = session(database, sessionId).orElseThrow();
        assertThat(session.teamId()).isEqualTo(7);
        assertThat(session.distinctId()).isEqualTo("user-1");
        assertThat(session.firstTimestamp()).isEqualTo(Instant.ofEpochMilli(T0));
        assertThat(session.lastTimestamp()).isEqualTo(Instant.ofEpochMilli(T0 + 9_000));
        assertThat(session.blockUrls()).containsExactly(first.blockUrl(), second.blockUrl());
        assertThat(session.blockFirstTimestamps()).containsExactly(Instant.ofEpochMilli(T0), Instant.ofEpochMilli(T0 + 5_000));
        assertThat(session.firstUrl()).isEqualTo("https://shop.example/");
        assertThat(session.allUrls()).containsExactly("https://shop.example/", "https://shop.example/cart", "https://shop.example/checkout");
        assertThat(session.clickCount()).isEqualTo(7);
        assertThat(session.keypressCount()).isEqualTo(2);
        assertThat(session.consoleErrorCount()).isEqualTo(2);
        assertThat(session.size()).isEqualTo(30_000);
        assertThat(session.eventCount()).isEqualTo(30);
        assertThat(session.messageCount()).isEqualTo(2);
        assertThat(session.snapshotSource()).isEqualTo("web");
        assertThat(session.retentionPeriodDays()).isEqualTo(90);
        assertThat(CLICKHOUSE.query("SELECT count() FROM " + database + ".session_replay_events FINAL WHERE session_id = '" + sessionId + "'"))
                .as("one row per session once merged").isEqualTo("1\n");
        await().atMost(ARRIVAL_TIMEOUT).untilAsserted(() -> assertThat(CLICKHOUSE.query(
                "SELECT topic, offset, raw_message, error LIKE '%Cannot parse%' FROM " + database + ".session_replay_events_errors"))
                .as("the malformed message is kept with its position and error")
                .isEqualTo(topic + "\t1\t" + MALFORMED + "\t1\n"));

        // the consumer is still alive after the broken message: a later session arrives too
        String laterSession = "session-" + UUID.randomUUID();
        try (KafkaProducer<String, byte[]> producer = producer(Map.of())) {
            send(producer, topic, laterSession, Json.encode(block(laterSession, "s3://replay/batch-3?range=bytes=0-9",
                    T0 + 20_000, T0 + 21_000, null, List.of(), 1, 1)));
        }
        await().atMost(ARRIVAL_TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> session(database, laterSession).isPresent());
        assertThat(session(database, laterSession).orElseThrow().firstUrl()).isNull();
        System.out.printf("Kafka -> session_replay_events lag (kafka_flush_interval_ms=500): %d ms%n", lagMillis);
    }

    @Test
    void rowsOfAnAbortedTransactionNeverArrive() throws Exception {
        String topic = KAFKA.freshTopic("session-replay-events-tx", 1);
        String database = migratedDatabase(CLICKHOUSE.server(), topic);
        String aborted = "aborted-" + UUID.randomUUID();
        String committed = "committed-" + UUID.randomUUID();
        Map<String, Object> transactional = Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "replay-" + topic);
        try (KafkaProducer<String, byte[]> producer = producer(transactional)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, aborted, Json.encode(
                        block(aborted, "s3://replay/aborted-" + i, T0 + i, T0 + i + 1, null, List.of(), 1, 1))));
            }
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, committed, Json.encode(
                    block(committed, "s3://replay/committed", T0, T0 + 1, null, List.of(), 1, 1))));
            producer.commitTransaction();
        }

        // one partition: once the committed row (written after the aborted ones) is in, the aborted ones were passed
        await().atMost(ARRIVAL_TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> session(database, committed).isPresent());
        assertThat(session(database, aborted)).isEmpty();
        assertThat(CLICKHOUSE.query("SELECT count() FROM " + database + ".session_replay_events")).isEqualTo("1\n");
    }

    @Test
    void aRestartedServerResumesConsumingWhereItStopped(@TempDir Path dataDir) throws Exception {
        String topic = KAFKA.freshTopic("session-replay-events-restart", 1);
        String before = "before-" + UUID.randomUUID();
        String during = "during-" + UUID.randomUUID();
        String database;
        try (ClickHouseServer server = ClickHouseServer.start(dataDir, 0)) {
            database = migratedDatabase(server, topic);
            try (KafkaProducer<String, byte[]> producer = producer(Map.of())) {
                send(producer, topic, before, Json.encode(block(before, "s3://replay/before", T0, T0 + 1, null, List.of(), 1, 1)));
            }
            await().atMost(ARRIVAL_TIMEOUT).until(() -> server.query("SELECT count() FROM " + database + ".session_replay_events").equals("1\n"));
            server.kill();
        }
        try (KafkaProducer<String, byte[]> producer = producer(Map.of())) {
            send(producer, topic, during, Json.encode(block(during, "s3://replay/during", T0, T0 + 1, null, List.of(), 1, 1)));
        }

        long started = System.nanoTime();
        try (ClickHouseServer server = ClickHouseServer.start(dataDir, 0)) {
            await().atMost(ARRIVAL_TIMEOUT).pollInterval(Duration.ofMillis(50))
                    .until(() -> server.query("SELECT count() FROM " + database + ".session_replay_events").equals("2\n"));
            long resumeMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(server.query("SELECT session_id FROM " + database + ".session_replay_events ORDER BY session_id"))
                    .isEqualTo(String.join("\n", List.of(before, during).stream().sorted().toList()) + "\n");
            System.out.printf("ClickHouse restarted after SIGKILL: consuming again %d ms after start()%n", resumeMillis);
        }
    }

    private static String migratedDatabase(ClickHouseServer server, String topic) {
        String database = "replay_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        server.query("CREATE DATABASE " + database);
        // every other Kafka table gets an existing topic too (see SchemaTopics)
        Map<String, String> vars = new java.util.HashMap<>(SchemaTopics.fresh(KAFKA));
        vars.putAll(Map.of(
                "KAFKA_BROKERS", KAFKA.bootstrapServers(),
                "SESSION_REPLAY_EVENTS_TOPIC", topic,
                "KAFKA_GROUP_PREFIX", database + "_",
                "KAFKA_FLUSH_INTERVAL_MS", "500"));
        Migrator.apply(server.jdbcUrl(database), Variant.SINGLE, vars, false);
        return database;
    }

    private static SessionBlockSummary block(String sessionId, String blockUrl, long first, long last, String firstUrl,
                                             List<String> urls, long clicks, long events) {
        return new SessionBlockSummary(7, sessionId, "user-1", first, last, blockUrl, firstUrl, urls,
                clicks, 1, 5, 1_000, 2, 0, 1, 15_000, events, 1, "web", "posthog-js/1.200.0", 90);
    }

    private static Optional<Session> session(String database, String sessionId) throws SQLException {
        String sql = "SELECT team_id, any(distinct_id), min(min_first_timestamp), max(max_last_timestamp),"
                + " arraySort(groupArrayArray(block_urls)), arraySort(groupArrayArray(block_first_timestamps)),"
                + " argMinMerge(first_url), arraySort(groupUniqArrayArray(all_urls)), sum(click_count), sum(keypress_count),"
                + " sum(console_error_count), sum(size), sum(event_count), sum(message_count), argMinMerge(snapshot_source),"
                + " max(retention_period_days), count()"
                + " FROM session_replay_events WHERE session_id = ? GROUP BY team_id, session_id";
        try (Connection c = DriverManager.getConnection(CLICKHOUSE.jdbcUrl(database));
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, sessionId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Session session = new Session(rs.getLong(1), rs.getString(2), rs.getTimestamp(3).toInstant(),
                        rs.getTimestamp(4).toInstant(), strings(rs.getArray(5)), instants(rs.getArray(6)), rs.getString(7),
                        strings(rs.getArray(8)), rs.getLong(9), rs.getLong(10), rs.getLong(11), rs.getLong(12),
                        rs.getLong(13), rs.getLong(14), rs.getString(15), rs.getLong(16), rs.getLong(17));
                assertThat(rs.next()).isFalse();
                return Optional.of(session);
            }
        }
    }

    private static List<String> strings(Array array) throws SQLException {
        List<String> values = new ArrayList<>();
        for (Object o : (Object[]) array.getArray()) {
            values.add(String.valueOf(o));
        }
        return values;
    }

    private static List<Instant> instants(Array array) throws SQLException {
        List<Instant> values = new ArrayList<>();
        for (Object o : (Object[]) array.getArray()) {
            values.add(o instanceof java.time.temporal.TemporalAccessor t ? Instant.from(t) : ((java.sql.Timestamp) o).toInstant());
        }
        return values;
    }

    private static KafkaProducer<String, byte[]> producer(Map<String, Object> extra) {
        Map<String, Object> config = new java.util.HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
        config.putAll(extra);
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get(10, TimeUnit.SECONDS);
    }
}

package io.reflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reflow.contracts.Json;
import io.reflow.contracts.LogEntry;
import io.reflow.testsupport.clickhouse.ClickHouseExtension;
import io.reflow.testsupport.clickhouse.ClickHouseServer;
import io.reflow.testsupport.kafka.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Migration 0002 end to end: log entries produced to a real Kafka broker as the replay job writes them
 * ({@link Json#encode} of {@link LogEntry}) are consumed by ClickHouse's Kafka engine into log_entries, a malformed
 * message is kept aside, and rows expire with their recording's retention.
 */
class LogEntriesFromKafkaIT {
    private static final Duration ARRIVAL_TIMEOUT = Duration.ofSeconds(60);
    private static final String MALFORMED = "{\"team_id\": 1, \"timestamp\": \"yesterday\", broken";

    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();
    @RegisterExtension
    static final ClickHouseExtension CLICKHOUSE = new ClickHouseExtension();

    @Test
    void consoleLinesArriveWithTheirTimestampWindowAndLevelAndAMalformedMessageIsKeptAside() throws Exception {
        String topic = KAFKA.freshTopic("log-entries", 2);
        String database = migratedDatabase(CLICKHOUSE.server(), topic);
        String session = "session-" + UUID.randomUUID();
        long t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).toEpochMilli() - 60_000;
        String longMessage = "é".repeat(LogEntry.MAX_MESSAGE_CHARS);
        try (KafkaProducer<String, byte[]> producer = producer()) {
            send(producer, topic, session, Json.encode(new LogEntry(7, session, LogEntry.SESSION_REPLAY, session, "window-1",
                    t0 + 123, "error", "TypeError: x is undefined", 90)));
            send(producer, topic, session, MALFORMED.getBytes(StandardCharsets.UTF_8));
            send(producer, topic, session, Json.encode(new LogEntry(7, session, LogEntry.SESSION_REPLAY, session, null,
                    t0 + 124, "info", longMessage, 90)));
        }

        await().atMost(ARRIVAL_TIMEOUT).pollInterval(Duration.ofMillis(50))
                .until(() -> CLICKHOUSE.query("SELECT count() FROM " + database + ".log_entries WHERE log_source_id = '" + session + "'")
                        .equals("2\n"));

        assertThat(CLICKHOUSE.query("SELECT team_id, log_source, instance_id, toUnixTimestamp64Milli(timestamp), level, message,"
                + " retention_period_days, toTypeName(timestamp) FROM " + database + ".log_entries WHERE log_source_id = '" + session
                + "' AND level = 'error'"))
                .isEqualTo("7\tsession_replay\twindow-1\t" + (t0 + 123) + "\terror\tTypeError: x is undefined\t90\tDateTime64(6, \\'UTC\\')\n");
        assertThat(CLICKHOUSE.query("SELECT instance_id = '', lengthUTF8(message), level FROM " + database
                + ".log_entries WHERE log_source_id = '" + session + "' AND level = 'info'"))
                .as("no window is an empty instance; the 3000-character message arrives whole").isEqualTo("1\t3000\tinfo\n");
        await().atMost(ARRIVAL_TIMEOUT).untilAsserted(() -> assertThat(CLICKHOUSE.query(
                "SELECT topic, offset, raw_message, length(error) > 0 FROM " + database + ".log_entries_errors"))
                .isEqualTo(topic + "\t1\t" + MALFORMED + "\t1\n"));
    }

    @Test
    void rowsExpireWithTheRetentionOfTheirRecording() throws Exception {
        String topic = KAFKA.freshTopic("log-entries-ttl", 1);
        String database = migratedDatabase(CLICKHOUSE.server(), topic);
        long now = Instant.now().toEpochMilli();
        long fortyDaysAgo = now - Duration.ofDays(40).toMillis();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            // one partition, in this order: once the last row is in, the others were consumed
            send(producer, topic, "s-30d", Json.encode(new LogEntry(1, "s-30d", LogEntry.SESSION_REPLAY, "s-30d", "w", fortyDaysAgo,
                    "info", "past its 30 days", 30)));
            send(producer, topic, "s-90d", Json.encode(new LogEntry(1, "s-90d", LogEntry.SESSION_REPLAY, "s-90d", "w", fortyDaysAgo,
                    "info", "within its 90 days", 90)));
            send(producer, topic, "s-new", Json.encode(new LogEntry(1, "s-new", LogEntry.SESSION_REPLAY, "s-new", "w", now,
                    "info", "fresh", 30)));
        }
        await().atMost(ARRIVAL_TIMEOUT).pollInterval(Duration.ofMillis(50))
                .until(() -> CLICKHOUSE.query("SELECT count() FROM " + database + ".log_entries WHERE log_source_id = 's-new'").equals("1\n"));

        CLICKHOUSE.query("OPTIMIZE TABLE " + database + ".log_entries FINAL");

        assertThat(CLICKHOUSE.query("SELECT log_source_id FROM " + database + ".log_entries ORDER BY log_source_id"))
                .isEqualTo("s-90d\ns-new\n");
    }

    private static String migratedDatabase(ClickHouseServer server, String topic) {
        String database = "logs_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        server.query("CREATE DATABASE " + database);
        // every other Kafka table gets an existing topic of its own (see SchemaTopics)
        Map<String, String> vars = new java.util.HashMap<>(SchemaTopics.fresh(KAFKA));
        vars.putAll(Map.of(
                "KAFKA_BROKERS", KAFKA.bootstrapServers(),
                "LOG_ENTRIES_TOPIC", topic,
                "KAFKA_GROUP_PREFIX", database + "_",
                "KAFKA_FLUSH_INTERVAL_MS", "500"));
        Migrator.apply(server.jdbcUrl(database), Variant.SINGLE, vars, false);
        return database;
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(), new ByteArraySerializer());
    }

    private static void send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get(10, TimeUnit.SECONDS);
    }
}

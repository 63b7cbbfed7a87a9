package io.reflow.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.CapturedEvent;
import io.reflow.contracts.EnrichedEvent;
import io.reflow.contracts.IngestionWarning;
import io.reflow.contracts.Json;
import io.reflow.contracts.LogEntry;
import io.reflow.contracts.PersonDistinctIdRow;
import io.reflow.contracts.PersonRow;
import io.reflow.contracts.RecordingMessage;
import io.reflow.contracts.SessionBlockSummary;
import io.reflow.jobs.common.DeadLetter;
import io.reflow.testsupport.flink.FlinkCluster;
import io.reflow.testsupport.flink.FlinkClusterSettings;
import io.reflow.testsupport.flink.FlinkCommandResult;
import io.reflow.testsupport.kafka.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator scripts of {@code sql-schemas/flink/}, rendered as bin/flink-sql renders them and run by Flink's own SQL
 * client ({@code SqlClient embedded -i tables.sql -f script.sql}, the Kafka SQL connector as a session jar) as batch
 * jobs on a real session cluster, against topics of a real broker holding records in the shapes the system writes
 * (the contracts' records; dead letters from capture and from the jobs). Their printed tables must hold exactly
 * the expected rows; the re-drive must put the chosen records back on their source topic with the key capture
 * gives them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlinkSqlScriptsIT {
    private static final Duration SQL_TIMEOUT = Duration.ofSeconds(180);
    private static final long T0 = Instant.parse("2026-01-05T10:00:00Z").toEpochMilli();
    private static final long MINUTE = 60_000;

    @RegisterExtension
    @Order(1)
    static final KafkaExtension KAFKA = new KafkaExtension();

    @TempDir
    static Path dir;

    static FlinkCluster cluster;
    static Topics kafka;
    static final Map<String, String> TOPICS = new HashMap<>();
    static final List<RecordingMessage> DEAD_RECORDINGS = new ArrayList<>();

    @BeforeAll
    static void startClusterAndSeedTopics() {
        for (String t : List.of("RECORDINGS", "EVENTS", "DEAD_LETTER", "SESSION_REPLAY_EVENTS", "LOG_ENTRIES", "EVENTS_JSON",
                "PERSON", "PERSON_DISTINCT_ID", "INGESTION_WARNINGS", "PERSON_MERGES")) {
            TOPICS.put(t + "_TOPIC", KAFKA.freshTopic(t.toLowerCase(), t.equals("DEAD_LETTER") ? 1 : 2));
        }
        cluster = FlinkCluster.start(FlinkClusterSettings.local(OpsPaths.flinkConf(), dir.resolve("flink"))
                .withConfiguration("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString())
                .withConfiguration("execution.checkpointing.savepoint-dir", dir.resolve("savepoints").toUri().toString()));
        kafka = new Topics(KAFKA.bootstrapServers());

        // recordings: team 1 session s-1 (3 messages of 2 events, first hour), team 2 session s-2 (1 message of 3 events, second hour)
        for (int i = 0; i < 3; i++) {
            kafka.send(topic("RECORDINGS"), "s-1", recording(1, "s-1", 2, T0 + (10 + i) * MINUTE));
        }
        kafka.send(topic("RECORDINGS"), "s-2", recording(2, "s-2", 3, T0 + 70 * MINUTE));
        // events: team 1, 4 events of 2 distinct ids (first hour); team 2, 1 event (second hour)
        for (int i = 0; i < 4; i++) {
            CapturedEvent e = event(1, i % 2 == 0 ? "alice" : "bob", "$pageview", T0 + (20 + i) * MINUTE);
            kafka.send(topic("EVENTS"), e.token() + ":" + e.distinctId(), e);
        }
        CapturedEvent late = event(2, "carol", "signed_up", T0 + 75 * MINUTE);
        kafka.send(topic("EVENTS"), late.token() + ":" + late.distinctId(), late);

        // dead letters, both shapes: two from the replay job (team 1), one from the events job (team 1), one from capture (team 2)
        for (int i = 0; i < 2; i++) {
            RecordingMessage bad = recording(1, "s-dead-" + i, 0, T0 + (30 + i) * MINUTE);
            DEAD_RECORDINGS.add(bad);
            kafka.send(topic("DEAD_LETTER"), bad.sessionId(), new DeadLetter("replay-decode", "no_valid_events",
                    "message holds no valid rrweb event", topic("RECORDINGS"), 0, 40 + i, 1L, bad.sessionId(),
                    new String(Json.encode(bad), StandardCharsets.UTF_8)));
        }
        CapturedEvent nameless = event(1, "dave", null, T0 + 33 * MINUTE);
        kafka.send(topic("DEAD_LETTER"), null, new DeadLetter("events-normalize", "missing_event_name", "event has no name",
                topic("EVENTS"), 1, 7, 1L, null, new String(Json.encode(nameless), StandardCharsets.UTF_8)));
        kafka.send(topic("DEAD_LETTER"), null, new io.reflow.capture.DeadLetter("capture", "/e/", "event_too_large",
                "event of 2000000 bytes exceeds 1048576", 2, "phc_team2", T0, json("{\"event\":\"huge\"}")));

        // the job outputs
        kafka.send(topic("SESSION_REPLAY_EVENTS"), "s-1", summary(1, "s-1", T0 + 10 * MINUTE, 4, "s3://reflow/recordings/30d/a.jsonl.zst?range=bytes=0-99"));
        kafka.send(topic("SESSION_REPLAY_EVENTS"), "s-1", summary(1, "s-1", T0 + 12 * MINUTE, 2, "s3://reflow/recordings/30d/b.jsonl.zst?range=bytes=50-80"));
        kafka.send(topic("SESSION_REPLAY_EVENTS"), "s-2", summary(2, "s-2", T0 + 70 * MINUTE, 3, "s3://reflow/recordings/30d/c.jsonl.zst?range=bytes=0-10"));
        kafka.send(topic("LOG_ENTRIES"), "s-1", new LogEntry(1, "s-1", LogEntry.SESSION_REPLAY, "s-1", "w", T0, "warn", "hi", 30));
        kafka.send(topic("EVENTS_JSON"), "1", new EnrichedEvent("u1", "$pageview", "{}", T0, 1, "alice", "", T0, "", "p1", "{}", T0, "full"));
        kafka.send(topic("PERSON"), "p1", new PersonRow("p1", 1, "{}", 0, T0, 0, 0));
        kafka.send(topic("PERSON_DISTINCT_ID"), "alice", new PersonDistinctIdRow(1, "alice", "p1", 0, 0));
        kafka.send(topic("INGESTION_WARNINGS"), "1", new IngestionWarning(1, "reflow-events", "illegal_distinct_id", "{}", T0));
        kafka.send(topic("PERSON_MERGES"), "1:bob", "{\"type\":\"MERGE_REQUEST\"}");
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            // what each SQL job cost, for the CI budget
            cluster.rest("/jobs/overview").path("jobs").forEach(j -> System.out.println("SQL job " + j.path("name").asText()
                    + ": " + j.path("state").asText() + " in " + j.path("duration").asLong() + " ms"));
        }
        if (kafka != null) {
            kafka.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * The read-only scripts in one SQL client session (as {@code bin/flink-sql a.sql b.sql ...} runs them): each prints
     * one table, in order.
     */
    @Test
    @Order(1)
    void inspectionScriptsPrintTheExpectedTables() throws Exception {
        List<Tableau> tables = run(List.of("topic-counts.sql", "dead-letters-by-reason.sql", "dead-letters-list.sql",
                "team-volumes.sql", "session-blocks.sql"), Map.of("REASON", "no_valid_events", "WINDOW_MINUTES", "60", "SESSION_ID", "s-1"));
        assertThat(tables).hasSize(5);

        // every topic's table reads its records
        assertThat(tables.get(0).columns("table", "records")).containsExactlyInAnyOrder(
                List.of("recordings", "4"), List.of("events", "5"), List.of("dead_letters", "4"),
                List.of("session_replay_events", "3"), List.of("log_entries", "1"), List.of("events_json", "1"),
                List.of("persons", "1"), List.of("person_distinct_ids", "1"), List.of("ingestion_warnings", "1"),
                List.of("person_merges", "1"));

        // dead letters of both shapes, by producer, reason and team
        assertThat(tables.get(1).columns("origin", "reason", "team_id", "records")).containsExactly(
                List.of("replay-decode", "no_valid_events", "1", "2"),
                List.of("capture", "event_too_large", "2", "1"),
                List.of("events-normalize", "missing_event_name", "1", "1"));

        // the dead letters of one reason, with where they came from
        assertThat(tables.get(2).columns("session_id", "came_from")).containsExactly(
                List.of("s-dead-0", topic("RECORDINGS") + "/0@40"), List.of("s-dead-1", topic("RECORDINGS") + "/0@41"));

        // per team and hour: events, distinct ids, recording messages, rrweb events, sessions
        assertThat(tables.get(3).columns("team_id", "window_start", "events", "distinct_ids", "recording_messages",
                "rrweb_events", "sessions")).containsExactly(
                List.of("1", "2026-01-05 10:00:00.000", "4", "2", "3", "6", "1"),
                List.of("2", "2026-01-05 11:00:00.000", "1", "1", "1", "3", "1"));

        // one session's blocks in time order
        assertThat(tables.get(4).columns("team_id", "event_count", "block_url")).containsExactly(
                List.of("1", "4", "s3://reflow/recordings/30d/a.jsonl.zst?range=bytes=0-99"),
                List.of("1", "2", "s3://reflow/recordings/30d/b.jsonl.zst?range=bytes=50-80"));
    }

    @Test
    @Order(2)
    void redrivesChosenDeadLettersToTheirSourceTopicWithCapturesKey() throws Exception {
        int recordingsBefore = kafka.readAll(topic("RECORDINGS"), true).size();
        int eventsBefore = kafka.readAll(topic("EVENTS"), true).size();
        Tableau t = run(List.of("dead-letters-redrive.sql"), Map.of("REASON", "no_valid_events", "TEAM_ID", "1",
                "FROM_OFFSET", "0", "TO_OFFSET", "1")).get(0);
        assertThat(t.columns("source_topic", "redriven")).containsExactly(List.of(topic("RECORDINGS"), "2"));

        List<ConsumerRecord<byte[], byte[]>> recordings = kafka.readAll(topic("RECORDINGS"), true);
        List<ConsumerRecord<byte[], byte[]>> redriven = recordings.stream()
                .filter(r -> new String(r.key(), StandardCharsets.UTF_8).startsWith("s-dead-")).toList();
        assertThat(recordings).hasSize(recordingsBefore + 2);
        assertThat(redriven).hasSize(2).allSatisfy(r -> {
            RecordingMessage m = Json.decode(r.value(), RecordingMessage.class);
            assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(m.sessionId());
            assertThat(DEAD_RECORDINGS).contains(m);
        });
        assertThat(kafka.readAll(topic("EVENTS"), true)).hasSize(eventsBefore);
    }

    // ------------------------------------------------------------------------------------------------ running scripts

    /**
     * Renders tables.sql and the scripts with the test's topics and parameters as bin/flink-sql does, runs them in one
     * SQL client session and returns the tables it printed.
     */
    private static List<Tableau> run(List<String> scripts, Map<String, String> parameters) throws Exception {
        Map<String, String> values = new HashMap<>(TOPICS);
        values.put("KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers());
        values.putAll(parameters);
        Path init = Files.writeString(Files.createTempFile(dir, "tables-", ".sql"),
                FlinkSqlScript.read(OpsPaths.flinkSql().resolve("tables.sql")).render(values));
        StringBuilder text = new StringBuilder();
        for (String script : scripts) {
            text.append(FlinkSqlScript.read(OpsPaths.flinkSql().resolve(script)).render(values)).append('\n');
        }
        Path file = Files.writeString(Files.createTempFile(dir, "script-", ".sql"), text);
        FlinkCommandResult result = cluster.sqlClient(SQL_TIMEOUT, List.of(init), file);
        System.out.println("---- " + scripts + " " + parameters + " (" + result.took().toMillis() + " ms, exit " + result.exitCode()
                + ")\n" + result.output());
        assertThat(result.output()).as(scripts + " output").doesNotContain("[ERROR]");
        result.requireSuccess();
        return Tableau.parseAll(result.output());
    }

    private static String topic(String name) {
        return TOPICS.get(name + "_TOPIC");
    }

    private static RecordingMessage recording(long team, String session, int events, long receivedAt) {
        List<JsonNode> list = new ArrayList<>();
        for (int i = 0; i < events; i++) {
            list.add(json("{\"type\":3,\"timestamp\":" + (receivedAt + i) + ",\"data\":{\"source\":1}}"));
        }
        return new RecordingMessage(team, session, "w", "d-" + session, "web", "web", receivedAt, null, "30d", list);
    }

    private static CapturedEvent event(long team, String distinctId, String name, long receivedAt) {
        String iso = Instant.ofEpochMilli(receivedAt).toString();
        return new CapturedEvent(java.util.UUID.randomUUID().toString(), distinctId, team, "phc_team" + team, "203.0.113.1",
                iso, receivedAt, iso, json(name == null ? "{\"properties\":{}}" : "{\"event\":\"" + name + "\",\"properties\":{}}"));
    }

    private static SessionBlockSummary summary(long team, String session, long first, int events, String url) {
        return new SessionBlockSummary(team, session, "d-" + session, first, first + 1000, url, "https://x.example/", List.of(),
                0, 0, 0, 0, 0, 0, 0, 100, events, 1, "web", "web", 30);
    }

    private static JsonNode json(String s) {
        try {
            return Json.mapper().readTree(s);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }
}

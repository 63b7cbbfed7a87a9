package io.reflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.EnrichedEvent;
import io.reflow.contracts.IngestionWarning;
import io.reflow.contracts.Json;
import io.reflow.contracts.PersonDistinctIdRow;
import io.reflow.contracts.PersonRow;
import io.reflow.contracts.SessionBlockSummary;
import io.reflow.testsupport.clickhouse.ClickHouseExtension;
import io.reflow.testsupport.kafka.KafkaExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Migrations 0003-0008 end to end on the single-node variant: rows produced to a real broker exactly as the jobs and
 * capture write them ({@link Json#encode} of the contract records) arrive in events, person, person_distinct_id2,
 * person_distinct_id_overrides, ingestion_warnings and dead_letters, feed the rollups, keep the newest version where
 * the table is a ReplacingMergeTree, and a malformed message on any topic is kept aside without stopping its stream.
 * All tests share one migrated database (chDB runs Kafka tables on a small pool); each uses its own team id.
 */
class AnalyticsFromKafkaIT {
    private static final Duration ARRIVAL = Duration.ofSeconds(90);
    private static final long T0 = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(2, ChronoUnit.HOURS).toEpochMilli();
    private static final String MALFORMED = "{\"team_id\": \"seven\", \"uuid\": broken";

    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();
    @RegisterExtension
    static final ClickHouseExtension CLICKHOUSE = new ClickHouseExtension();

    private static final Map<String, String> TOPICS = new HashMap<>();
    private static String db;

    /** The dead letters capture writes (io.reflow.capture.DeadLetter), field for field, until both shapes are one contract. */
    record CaptureDeadLetter(@JsonProperty("source") String source, @JsonProperty("endpoint") String endpoint,
                             @JsonProperty("reason") String reason, @JsonProperty("detail") String detail,
                             @JsonProperty("team_id") long teamId, @JsonProperty("token") String token,
                             @JsonProperty("received_at_ms") long receivedAtMs, @JsonProperty("payload") JsonNode payload) {}

    /** The dead letters the jobs write (io.reflow.jobs.common.DeadLetter), field for field. */
    record JobDeadLetter(@JsonProperty("stage") String stage, @JsonProperty("reason") String reason,
                         @JsonProperty("detail") String detail, @JsonProperty("source_topic") String sourceTopic,
                         @JsonProperty("source_partition") int sourcePartition, @JsonProperty("source_offset") long sourceOffset,
                         @JsonProperty("team_id") Long teamId, @JsonProperty("session_id") String sessionId,
                         @JsonProperty("payload") String payload) {}

    @BeforeAll
    static void migrate() {
        // one partition each: a row sent last arrives last, so it tells when everything before it was consumed
        TOPICS.putAll(SchemaTopics.fresh(KAFKA));
        db = "analytics_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        CLICKHOUSE.query("CREATE DATABASE " + db);
        Map<String, String> vars = new HashMap<>(TOPICS);
        vars.put("KAFKA_BROKERS", KAFKA.bootstrapServers());
        vars.put("KAFKA_GROUP_PREFIX", db + "_");
        vars.put("KAFKA_FLUSH_INTERVAL_MS", "500");
        Migrator.apply(CLICKHOUSE.jdbcUrl(db), Variant.SINGLE, vars, false);
    }

    @Test
    void eventsArriveOncePerUuidWithTheirPersonAndFeedTheRollups() {
        long team = 7;
        String session = "session-" + UUID.randomUUID();
        String person = UUID.randomUUID().toString();
        String personless = UUID.randomUUID().toString();
        EnrichedEvent pageview = new EnrichedEvent(UUID.randomUUID().toString(), "$pageview",
                "{\"$current_url\":\"https://shop.example/cart\",\"$browser\":\"Firefox\"}", T0 + 1_000, team, "user-1",
                "a.buy:nth-child=\"1\"nth-of-type=\"1\"", T0 + 1_050, session, person, "{\"plan\":\"pro\"}", T0 - 86_400_000L, "full");
        EnrichedEvent purchase = new EnrichedEvent(UUID.randomUUID().toString(), "$purchase", "{\"amount\":42}", T0 + 2_000,
                team, "user-1", "", T0 + 2_010, session, person, "{\"plan\":\"pro\"}", T0 - 86_400_000L, "full");
        EnrichedEvent anonymous = new EnrichedEvent(UUID.randomUUID().toString(), "$pageview",
                "{\"$current_url\":\"https://shop.example/\"}", T0 + 3_000, team, "anon-9", "", T0 + 3_001, null, personless,
                "{}", 0, "propertyless");
        String topic = TOPICS.get("EVENTS_JSON_TOPIC");
        try (KafkaRows kafka = new KafkaRows(KAFKA.bootstrapServers())) {
            kafka.send(topic, "t:user-1", pageview).send(topic, "t:user-1", purchase).sendRaw(topic, "t:x", MALFORMED)
                    .send(topic, "t:user-1", pageview) // redelivered
                    .send(topic, "t:anon-9", anonymous);
        }

        // one partition: once the last row is in, so is everything before it
        await().atMost(ARRIVAL).pollInterval(Duration.ofMillis(100)).until(() ->
                query("SELECT count() FROM " + db + ".events WHERE uuid = '" + anonymous.uuid() + "'").equals("1\n"));

        assertThat(query("SELECT count() FROM " + db + ".events FINAL WHERE team_id = 7")).as("one row per uuid").isEqualTo("3\n");
        assertThat(query("SELECT event, toUnixTimestamp64Milli(timestamp), distinct_id, session_id, person_id,"
                + " JSONExtractString(person_properties, 'plan'), person_mode, current_url, toUnixTimestamp64Milli(created_at),"
                + " toUnixTimestamp64Milli(person_created_at), elements_chain, JSONExtractString(properties, '$browser')"
                + " FROM " + db + ".events FINAL WHERE uuid = '" + pageview.uuid() + "'"))
                .isEqualTo(String.join("\t", "$pageview", String.valueOf(T0 + 1_000), "user-1", session, person, "pro", "full",
                        "https://shop.example/cart", String.valueOf(T0 + 1_050), String.valueOf(T0 - 86_400_000L),
                        "a.buy:nth-child=\"1\"nth-of-type=\"1\"", "Firefox") + "\n");
        assertThat(query("SELECT session_id, person_id, person_mode, current_url FROM " + db + ".events WHERE uuid = '"
                + anonymous.uuid() + "'"))
                .isEqualTo("\t" + personless + "\tpropertyless\thttps://shop.example/\n");
        assertThat(query("SELECT raw_message, error != '' FROM " + db + ".events_errors")).isEqualTo(MALFORMED + "\t1\n");

        // the rollups count deliveries (the redelivered pageview twice), see 0007
        assertThat(query("SELECT event, sum(events), uniqMerge(persons), uniqMerge(sessions) FROM " + db + ".events_hourly"
                + " WHERE team_id = 7 AND hour = toStartOfHour(fromUnixTimestamp64Milli(" + T0 + ", 'UTC')) GROUP BY event ORDER BY event"))
                .isEqualTo("$pageview\t3\t2\t1\n$purchase\t1\t1\t1\n");
        assertThat(query("SELECT event, sum(events), toUnixTimestamp64Milli(min(first_timestamp)), any(person_id)"
                + " FROM " + db + ".events_by_session WHERE team_id = 7 AND session_id = '" + session + "' GROUP BY event ORDER BY event"))
                .isEqualTo("$pageview\t2\t" + (T0 + 1_000) + "\t" + person + "\n$purchase\t1\t" + (T0 + 2_000) + "\t" + person + "\n");
    }

    @Test
    void personsAndDistinctIdsKeepTheNewestVersionHideDeletionsAndOverridesHoldOnlyMovedIds() {
        long team = 8;
        String p1 = UUID.randomUUID().toString();
        String p2 = UUID.randomUUID().toString();
        String p3 = UUID.randomUUID().toString();
        String persons = TOPICS.get("PERSON_TOPIC");
        String distinctIds = TOPICS.get("PERSON_DISTINCT_ID_TOPIC");
        try (KafkaRows kafka = new KafkaRows(KAFKA.bootstrapServers())) {
            kafka.send(persons, p1, new PersonRow(p1, team, "{\"plan\":\"free\"}", 0, T0, 0, 0))
                    .send(persons, p1, new PersonRow(p1, team, "{\"plan\":\"pro\",\"email\":\"a@shop.example\"}", 1, T0, 2, 0))
                    .send(persons, p1, new PersonRow(p1, team, "{\"plan\":\"stale\"}", 0, T0, 1, 0)) // late, older version
                    .send(persons, p2, new PersonRow(p2, team, "{}", 0, T0 + 5, 0, 0))
                    .send(persons, p2, new PersonRow(p2, team, "{}", 0, T0 + 5, 1, 1)) // merged into p1
                    .sendRaw(persons, "x", MALFORMED)
                    .send(persons, p3, new PersonRow(p3, team, "not a JSON object", 0, T0 + 9, 0, 0));
            kafka.send(distinctIds, "anon-1", new PersonDistinctIdRow(team, "anon-1", p1, 0, 0))
                    .send(distinctIds, "user-1", new PersonDistinctIdRow(team, "user-1", p1, 0, 0))
                    .send(distinctIds, "anon-2", new PersonDistinctIdRow(team, "anon-2", p2, 0, 0))
                    .send(distinctIds, "anon-2", new PersonDistinctIdRow(team, "anon-2", p1, 1, 0)) // the merge
                    .send(distinctIds, "gone", new PersonDistinctIdRow(team, "gone", p2, 0, 0))
                    .send(distinctIds, "gone", new PersonDistinctIdRow(team, "gone", p2, 1, 1))
                    .sendRaw(distinctIds, "x", MALFORMED)
                    .send(distinctIds, "last", new PersonDistinctIdRow(team, "last", p3, 0, 0));
        }

        await().atMost(ARRIVAL).pollInterval(Duration.ofMillis(100)).until(() ->
                query("SELECT count() FROM " + db + ".person WHERE id = '" + p3 + "'").equals("1\n")
                        && query("SELECT count() FROM " + db + ".person_distinct_id2 WHERE distinct_id = 'last' AND team_id = 8").equals("1\n"));

        assertThat(query("SELECT id, JSONExtractString(properties, 'plan'), is_identified, version, toUnixTimestamp64Milli(created_at)"
                + " FROM " + db + ".person FINAL WHERE team_id = 8 ORDER BY created_at"))
                .as("the newest version of p1, p2 hidden as deleted")
                .isEqualTo(p1 + "\tpro\t1\t2\t" + T0 + "\n" + p3 + "\t\t0\t0\t" + (T0 + 9) + "\n");
        assertThat(query("SELECT id FROM " + db + ".person FINAL WHERE team_id = 8 AND properties_json.plan::Nullable(String) = 'pro'"))
                .as("properties as a JSON column; text that is not JSON did not stop the stream").isEqualTo(p1 + "\n");
        assertThat(query("SELECT properties_json.email::Nullable(String) FROM " + db + ".person FINAL WHERE id = '" + p1 + "'"))
                .isEqualTo("a@shop.example\n");
        assertThat(query("SELECT distinct_id, person_id, version FROM " + db + ".person_distinct_id2 FINAL WHERE team_id = 8"
                + " ORDER BY distinct_id"))
                .isEqualTo("anon-1\t" + p1 + "\t0\nanon-2\t" + p1 + "\t1\nlast\t" + p3 + "\t0\nuser-1\t" + p1 + "\t0\n");
        assertThat(query("SELECT distinct_id, person_id, version, is_deleted FROM " + db + ".person_distinct_id_overrides"
                + " WHERE team_id = 8 ORDER BY distinct_id"))
                .as("only rows with version > 0").isEqualTo("anon-2\t" + p1 + "\t1\t0\ngone\t" + p2 + "\t1\t1\n");
        assertThat(query("SELECT distinct_id, person_id FROM " + db + ".person_distinct_id_overrides FINAL WHERE team_id = 8"))
                .isEqualTo("anon-2\t" + p1 + "\n");
        assertThat(query("SELECT raw_message FROM " + db + ".person_errors")).isEqualTo(MALFORMED + "\n");
        assertThat(query("SELECT raw_message FROM " + db + ".person_distinct_id_errors")).isEqualTo(MALFORMED + "\n");
    }

    @Test
    void warningsAndBothShapesOfDeadLettersArrive() throws Exception {
        long team = 9;
        String warnings = TOPICS.get("INGESTION_WARNINGS_TOPIC");
        String deadLetters = TOPICS.get("DEAD_LETTER_TOPIC");
        JsonNode item = Json.mapper().readTree("{\"event\":null,\"properties\":{\"distinct_id\":\"u\",\"n\":[1,2]}}");
        try (KafkaRows kafka = new KafkaRows(KAFKA.bootstrapServers())) {
            kafka.send(warnings, "9", new IngestionWarning(team, "events", "cannot_merge_already_identified",
                            "{\"sourcePersonDistinctId\":\"a\",\"targetPersonDistinctId\":\"b\"}", T0 + 7))
                    .sendRaw(warnings, "9", MALFORMED)
                    .send(warnings, "9", new IngestionWarning(team, "events", "illegal_distinct_id", "{\"distinctId\":\"null\"}", T0 + 8));
            kafka.send(deadLetters, "capture", new CaptureDeadLetter("capture", "/e/", "invalid_event", "event name missing", team,
                            "phc_team9", T0 + 11, item))
                    .sendRaw(deadLetters, "x", MALFORMED)
                    .send(deadLetters, "session-9", new JobDeadLetter("decode-recordings", "invalid_rrweb_event", "no type",
                            "session_recording_snapshot_item_events", 3, 1234, null, "session-9", "{\"window_id\":1}"));
        }

        await().atMost(ARRIVAL).pollInterval(Duration.ofMillis(100)).until(() ->
                query("SELECT count() FROM " + db + ".ingestion_warnings WHERE team_id = 9").equals("2\n")
                        && query("SELECT count() FROM " + db + ".dead_letters").equals("2\n"));

        assertThat(query("SELECT source, type, JSONExtractString(details, 'targetPersonDistinctId'), toUnixTimestamp64Milli(timestamp)"
                + " FROM " + db + ".ingestion_warnings WHERE team_id = 9 ORDER BY timestamp"))
                .isEqualTo("events\tcannot_merge_already_identified\tb\t" + (T0 + 7) + "\nevents\tillegal_distinct_id\t\t" + (T0 + 8) + "\n");
        assertThat(query("SELECT source, stage, endpoint, reason, detail, team_id, token, session_id, source_topic,"
                + " source_partition, source_offset, JSONExtractString(payload, 'properties', 'distinct_id'),"
                + " toUnixTimestamp64Milli(received_at) FROM " + db + ".dead_letters WHERE source = 'capture'"))
                .isEqualTo("capture\t\\N\t/e/\tinvalid_event\tevent name missing\t9\tphc_team9\t\\N\t\\N\t\\N\t\\N\tu\t" + (T0 + 11) + "\n");
        assertThat(query("SELECT source, stage, endpoint, reason, detail, team_id, token, session_id, source_topic,"
                + " source_partition, source_offset, payload, received_at > now() - INTERVAL 10 MINUTE"
                + " FROM " + db + ".dead_letters WHERE source = 'job'"))
                .as("a job's dead letter is timed by its Kafka timestamp")
                .isEqualTo("job\tdecode-recordings\t\\N\tinvalid_rrweb_event\tno type\t\\N\t\\N\tsession-9"
                        + "\tsession_recording_snapshot_item_events\t3\t1234\t{\"window_id\":1}\t1\n");
        assertThat(query("SELECT count() FROM " + db + ".ingestion_warnings_errors")).isEqualTo("1\n");
        assertThat(query("SELECT raw_message FROM " + db + ".dead_letters_errors")).isEqualTo(MALFORMED + "\n");
    }

    @Test
    void sessionsRollUpPerHourAndExpireWithTheirRetention() {
        long team = 10;
        String s1 = "s1-" + UUID.randomUUID();
        String s2 = "s2-" + UUID.randomUUID();
        String expired = "old30-" + UUID.randomUUID();
        String kept = "old90-" + UUID.randomUUID();
        long fortyDaysAgo = Instant.now().minus(40, ChronoUnit.DAYS).toEpochMilli();
        String topic = TOPICS.get("SESSION_REPLAY_EVENTS_TOPIC");
        try (KafkaRows kafka = new KafkaRows(KAFKA.bootstrapServers())) {
            kafka.send(topic, expired, block(team, expired, fortyDaysAgo, 30))
                    .send(topic, kept, block(team, kept, fortyDaysAgo, 90))
                    .send(topic, s1, block(team, s1, T0 + 1_000, 30))
                    .send(topic, s1, block(team, s1, T0 + 9_000, 30))
                    .send(topic, s2, block(team, s2, T0 + 60_000, 30));
        }

        await().atMost(ARRIVAL).pollInterval(Duration.ofMillis(100)).until(() ->
                query("SELECT count() FROM " + db + ".session_replay_events WHERE session_id = '" + s2 + "'").equals("1\n"));

        assertThat(query("SELECT uniqMerge(sessions), sum(blocks), sum(event_count), sum(click_count), max(retention_period_days)"
                + " FROM " + db + ".session_replay_hourly WHERE team_id = 10 AND hour = toStartOfHour(fromUnixTimestamp64Milli(" + T0
                + ", 'UTC'))")).isEqualTo("2\t3\t30\t6\t30\n");
        query("OPTIMIZE TABLE " + db + ".session_replay_events FINAL");
        assertThat(query("SELECT session_id FROM " + db + ".session_replay_events WHERE team_id = 10 GROUP BY session_id ORDER BY session_id"))
                .as("40 days old: gone with a 30-day retention, kept with 90 days")
                .isEqualTo(String.join("\n", List.of(kept, s1, s2).stream().sorted().toList()) + "\n");
    }

    private static SessionBlockSummary block(long team, String session, long first, int retentionDays) {
        return new SessionBlockSummary(team, session, "user-" + team, first, first + 4_000, "s3://replay/" + session + "/" + first,
                "https://shop.example/", List.of("https://shop.example/"), 2, 1, 5, 3_000, 1, 0, 0, 10_000, 10, 1, "web",
                "posthog-js/1.200.0", retentionDays);
    }

    private static String query(String sql) {
        return CLICKHOUSE.query(sql);
    }
}

package io.reflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reflow.contracts.EnrichedEvent;
import io.reflow.contracts.PersonDistinctIdRow;
import io.reflow.contracts.PersonRow;
import io.reflow.contracts.SessionBlockSummary;
import io.reflow.schemas.ShardedLayout.Kind;
import io.reflow.schemas.ShardedLayout.Placement;
import io.reflow.testsupport.clickhouse.ClickHouseServer;
import io.reflow.testsupport.kafka.KafkaExtension;
import io.reflow.testsupport.s3.S3Extension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.GroupListing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sharded variant on ClickHouse 26.x (chDB). chDB has no Keeper, so Replicated* tables can only be parsed; the
 * variant is applied for real with REPLICATION=none (same statements, plain engines) on a server whose config
 * declares clusters of 127.0.0.1 shards at its tcp_port, which ClickHouse treats as itself and queries in-process:
 * {@code reflow_test} (one local shard) carries Kafka rows through the writable Distributed tables into the local
 * tables and back out of the reading ones; {@code reflow_split} (the local shard plus one nobody answers) shows which
 * rows the sharding keys send where. The config also declares a storage policy whose cold volume is an S3 disk on a
 * real S3 API server (S3Proxy), for COLD_STORAGE=on.
 */
class ShardedSchemaIT {
    private static final Duration ARRIVAL = Duration.ofSeconds(90);
    /** Shards on 127.0.0.1 at this port are this server: chDB listens on no port, nothing else is asked. */
    private static final int TCP_PORT = 9000;

    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();
    /** The cold volume is an S3 disk on a real S3 API server, as in production. */
    @RegisterExtension
    static final S3Extension S3 = new S3Extension();
    @TempDir
    static Path dir;
    private static ClickHouseServer server;

    @BeforeAll
    static void start() throws Exception {
        Path data = dir.resolve("clickhouse");
        // ClickHouse merges <config dir>/conf.d/*.xml into the server config; the test fixture keeps its config in <data>/reflow/
        Path confD = Files.createDirectories(data.resolve("reflow").resolve("conf.d"));
        Files.writeString(confD.resolve("sharded-test.xml"), """
                <clickhouse>
                    <tcp_port>%d</tcp_port>
                    <remote_servers>
                        <reflow_test>
                            <shard>
                                <internal_replication>true</internal_replication>
                                <replica><host>127.0.0.1</host><port>%d</port></replica>
                            </shard>
                        </reflow_test>
                        <reflow_split>
                            <shard><replica><host>127.0.0.1</host><port>%d</port></replica></shard>
                            <shard><replica><host>127.0.0.1</host><port>1</port></replica></shard>
                        </reflow_split>
                    </remote_servers>
                    <macros><shard>01</shard><replica>replica-a</replica></macros>
                    <storage_configuration>
                        <disks>
                            <cold>
                                <type>s3</type>
                                <endpoint>%s/%s/cold-parts/</endpoint>
                                <access_key_id>%s</access_key_id>
                                <secret_access_key>%s</secret_access_key>
                            </cold>
                        </disks>
                        <policies>
                            <tiered><volumes><hot><disk>default</disk></hot><cold><disk>cold</disk></cold></volumes></tiered>
                        </policies>
                    </storage_configuration>
                </clickhouse>
                """.formatted(TCP_PORT, TCP_PORT, TCP_PORT, S3.endpoint(), S3.bucket(), S3.accessKey(), S3.secretKey()),
                StandardCharsets.UTF_8);
        server = ClickHouseServer.start(data, 0);
        assertThat(server.query("SELECT cluster, shard_num, is_local FROM system.clusters WHERE cluster LIKE 'reflow%' ORDER BY ALL"))
                .as("the config addition was read").isEqualTo("reflow_split\t1\t1\nreflow_split\t2\t0\nreflow_test\t1\t1\n");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyStatementOfTheShardedVariantParsesInEveryShape() throws Exception {
        int statements = 0;
        int replicated = 0;
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl()); Statement s = connection.createStatement()) {
            for (String replication : List.of("replicated", "none")) {
                for (String cold : List.of("off", "on")) {
                    MigrationResult dryRun = Migrator.apply(null, Variant.SHARDED, Map.of("KAFKA_BROKERS", "kafka:9092",
                            "CLUSTER", "reflow", ShardedSchema.REPLICATION, replication, ShardedSchema.COLD_STORAGE, cold), true);
                    assertThat(dryRun.applied()).hasSameSizeAs(MigrationFiles.sources());
                    for (String statement : SqlStatements.split(dryRun.renderedSql())) {
                        try (ResultSet ast = s.executeQuery("EXPLAIN AST " + statement)) {
                            assertThat(ast.next()).as(statement).isTrue();
                        }
                        statements++;
                        replicated += statement.contains("ENGINE = Replicated") ? 1 : 0;
                    }
                }
            }
        }
        assertThat(replicated).as("the Replicated engines are among them").isGreaterThan(20);
        System.out.printf("sharded variant: %d statements parsed in 4 shapes, %d with Replicated engines%n", statements, replicated);
    }

    @Test
    void overALocalShardRowsGoFromKafkaThroughWritableTablesToTheReadingOnesAndOldPartsMoveToColdStorage() throws Exception {
        Map<String, String> topics = freshTopics();
        String sharded = migrate("reflow_test", topics, "on");
        String single = database("single");
        Migrator.apply(server.jdbcUrl(single), Variant.SINGLE, vars(topics, single), false);
        try {
            assertSameColumns(single, sharded);
        } finally {
            server.query("DROP DATABASE " + single + " SYNC");
        }

        // idempotent: every statement again on the existing schema, then nothing pending
        server.query("TRUNCATE TABLE " + sharded + ".schema_migrations");
        assertThat(Migrator.apply(server.jdbcUrl(sharded), Variant.SHARDED, shardedVars(topics, sharded, "reflow_test", "on"), false)
                .applied()).hasSameSizeAs(MigrationFiles.sources());
        assertThat(Migrator.apply(server.jdbcUrl(sharded), Variant.SHARDED, shardedVars(topics, sharded, "reflow_test", "on"), false)
                .applied()).isEmpty();
        assertThat(server.query("SELECT name, engine FROM system.tables WHERE database = '" + sharded + "' AND name LIKE '%events'"
                + " AND name NOT LIKE '%replay%' ORDER BY name"))
                .isEqualTo("events\tDistributed\nsharded_events\tReplacingMergeTree\nwritable_events\tDistributed\n");

        long t0 = Instant.now().toEpochMilli() - 60_000;
        String uuid = UUID.randomUUID().toString();
        String session = "session-" + UUID.randomUUID();
        String person = UUID.randomUUID().toString();
        try (KafkaRows kafka = new KafkaRows(KAFKA.bootstrapServers())) {
            kafka.send(topics.get("EVENTS_JSON_TOPIC"), "t:u", new EnrichedEvent(uuid, "$pageview", "{\"$current_url\":\"https://a.example/\"}",
                    t0, 3, "u", "", t0, session, person, "{}", t0, "full"));
            kafka.send(topics.get("SESSION_REPLAY_EVENTS_TOPIC"), session, block(session, "s3://r/1", t0));
            kafka.send(topics.get("SESSION_REPLAY_EVENTS_TOPIC"), session, block(session, "s3://r/2", t0 + 5_000));
            kafka.send(topics.get("PERSON_TOPIC"), person, new PersonRow(person, 3, "{\"plan\":\"pro\"}", 1, t0, 0, 0));
            kafka.send(topics.get("PERSON_DISTINCT_ID_TOPIC"), "u", new PersonDistinctIdRow(3, "u", person, 0, 0));
        }
        await().atMost(ARRIVAL).pollInterval(Duration.ofMillis(100)).until(() ->
                server.query("SELECT count() FROM " + sharded + ".events WHERE uuid = '" + uuid + "'").equals("1\n")
                        && server.query("SELECT length(groupArrayArray(block_urls)) FROM " + sharded + ".session_replay_events"
                        + " WHERE session_id = '" + session + "'").equals("2\n")
                        && server.query("SELECT count() FROM " + sharded + ".person WHERE id = '" + person + "'").equals("1\n")
                        && server.query("SELECT count() FROM " + sharded + ".person_distinct_id2 WHERE distinct_id = 'u'").equals("1\n"));

        assertThat(server.query("SELECT current_url, session_id FROM " + sharded + ".events WHERE uuid = '" + uuid + "'"))
                .as("materialized columns are computed on the shard and read through Distributed")
                .isEqualTo("https://a.example/\t" + session + "\n");
        assertThat(server.query("SELECT count() FROM " + sharded + ".sharded_events")).isEqualTo("1\n");
        assertThat(server.query("SELECT sum(events) FROM " + sharded + ".events_hourly WHERE team_id = 3")).isEqualTo("1\n");
        assertThat(server.query("SELECT count() FROM " + sharded + ".events_by_session WHERE session_id = '" + session + "'")).isEqualTo("1\n");
        assertThat(server.query("SELECT uniqMerge(sessions), sum(blocks) FROM " + sharded + ".session_replay_hourly WHERE team_id = 3"))
                .isEqualTo("1\t2\n");
        assertThat(server.query("SELECT sum(click_count), min(min_first_timestamp) = fromUnixTimestamp64Milli(" + t0 + ", 'UTC')"
                + " FROM " + sharded + ".session_replay_events WHERE session_id = '" + session + "'")).isEqualTo("4\t1\n");

        // the recordings list filtered by an event and a person property, as on one node: sessions and events_by_session
        // are co-located by session id and person is on every node, so each shard answers the subqueries locally
        assertThat(server.query("SELECT session_id, min(min_first_timestamp) AS start_time, sum(click_count)"
                + " FROM " + sharded + ".session_replay_events WHERE team_id = 3 AND min_first_timestamp >= now64(3) - INTERVAL 7 DAY"
                + " AND session_id IN (SELECT session_id FROM " + sharded + ".session_replay_events WHERE team_id = 3"
                + "   AND min_first_timestamp >= now64(3) - INTERVAL 7 DAY"
                + "   AND session_id IN (SELECT session_id FROM " + sharded + ".events_by_session WHERE team_id = 3 AND event = '$pageview'"
                + "     AND day >= today() - 7 AND person_id IN (SELECT id FROM " + sharded + ".person FINAL WHERE team_id = 3"
                + "     AND properties_json.plan::Nullable(String) = 'pro'))"
                + "   GROUP BY session_id ORDER BY min(min_first_timestamp) DESC LIMIT 50)"
                + " GROUP BY session_id ORDER BY start_time DESC LIMIT 50 SETTINGS distributed_product_mode = 'local'"))
                .startsWith(session + "\t").endsWith("\t4\n");
        // without replication, tables every node holds whole are fed by a consumer group per shard ({shard} = 01 here)
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
            Set<String> groups = admin.listGroups().all().get().stream().map(GroupListing::groupId)
                    .collect(Collectors.toSet());
            assertThat(groups).contains(sharded + "_person_01", sharded + "_person_distinct_id_01", sharded + "_events",
                    sharded + "_session_replay_events");
        }

        // a backfill writing a few columns through the writable table (0009's defaults reach all three tables)
        server.query("INSERT INTO " + sharded + ".writable_session_replay_events (team_id, session_id, min_first_timestamp, click_count)"
                + " VALUES (3, '" + session + "', now64(3), 1)");
        assertThat(server.query("SELECT sum(click_count), argMinMerge(snapshot_source) FROM " + sharded + ".session_replay_events"
                + " WHERE session_id = '" + session + "'")).isEqualTo("5\tweb\n");

        // COLD_STORAGE=on: a part whose rows are older than COLD_AFTER_DAYS moves to the cold volume
        server.query("INSERT INTO " + sharded + ".writable_events (uuid, event, timestamp, team_id, distinct_id)"
                + " SELECT generateUUIDv4(), 'old', now64(3) - INTERVAL 90 DAY, 3, 'u' FROM numbers(10)");
        await().atMost(ARRIVAL).pollInterval(Duration.ofMillis(200)).until(() -> server.query(
                "SELECT groupUniqArray(disk_name) FROM system.parts WHERE database = '" + sharded + "' AND table = 'sharded_events'"
                        + " AND active AND partition = toString(toYYYYMM(now() - INTERVAL 90 DAY))").equals("['cold']\n"));
        assertThat(server.query("SELECT count() FROM " + sharded + ".events WHERE event = 'old'")).isEqualTo("10\n");
        assertThat(S3.client().listObjectsV2(r -> r.bucket(S3.bucket()).prefix("cold-parts/")).contents())
                .as("the part's files are objects in the bucket").isNotEmpty();
        server.query("DROP DATABASE " + sharded + " SYNC");
    }

    @Test
    void theShardingKeysSendEventsByDistinctIdAndSessionsBySessionId() {
        Map<String, String> topics = freshTopics();
        String split = migrate("reflow_split", topics, "off");
        try {
            server.query("INSERT INTO " + split + ".writable_events (uuid, event, timestamp, team_id, distinct_id)"
                    + " SELECT generateUUIDv4(), '$pageview', now64(3), 1, concat('user-', toString(number % 500)) FROM numbers(1000)");
            String expectedEvents = server.query("SELECT countIf(sipHash64(concat('user-', toString(number % 500))) % 2 = 0)"
                    + " FROM numbers(1000)").strip();
            assertThat(expectedEvents).isNotIn("0", "1000");
            assertThat(server.query("SELECT count(), countIf(sipHash64(distinct_id) % 2 = 0) FROM " + split + ".sharded_events"))
                    .as("shard 1 of 2 holds exactly the distinct ids whose hash is 0 mod 2")
                    .isEqualTo(expectedEvents + "\t" + expectedEvents + "\n");

            // sessions the way they come: summary rows from Kafka, folded by the view, written through writable_session_replay_events
            try (KafkaRows kafka = new KafkaRows(KAFKA.bootstrapServers())) {
                for (int i = 0; i < 200; i++) {
                    kafka.send(topics.get("SESSION_REPLAY_EVENTS_TOPIC"), "s-" + i, block("s-" + i, "s3://r/" + i, Instant.now().toEpochMilli()));
                }
            }
            String expectedSessions = server.query("SELECT countIf(sipHash64(concat('s-', toString(number))) % 2 = 0) FROM numbers(200)").strip();
            await().atMost(ARRIVAL).pollInterval(Duration.ofMillis(100)).until(() -> server.query(
                    "SELECT count() FROM " + split + ".sharded_session_replay_events").strip().equals(expectedSessions));
            assertThat(server.query("SELECT count(), countIf(sipHash64(session_id) % 2 = 0), uniqExact(distinct_id) FROM "
                    + split + ".sharded_session_replay_events"))
                    .as("one user's sessions are spread by session id")
                    .isEqualTo(expectedSessions + "\t" + expectedSessions + "\t1\n");

            assertThat(server.query("SELECT table, data_files > 0 FROM system.distribution_queue WHERE database = '" + split
                    + "' ORDER BY table")).as("the rest waits for shard 2")
                    .isEqualTo("writable_events\t1\nwritable_session_replay_events\t1\n");
            assertThat(server.query("SELECT count() FROM " + split + ".events SETTINGS skip_unavailable_shards = 1"))
                    .isEqualTo(expectedEvents + "\n");
        } finally {
            server.query("DROP DATABASE " + split + " SYNC");
        }
    }

    /** Every table of the single-node schema exists in the sharded one with the same columns, under the names the layout gives. */
    private static void assertSameColumns(String single, String sharded) {
        List<String> tables = List.of(server.query("SELECT name FROM system.tables WHERE database = '" + single
                + "' AND engine LIKE '%MergeTree' AND name != 'schema_migrations' ORDER BY name").strip().split("\n"));
        assertThat(tables).hasSizeGreaterThan(15);
        ShardedLayout layout = ShardedLayout.bundled();
        for (String table : tables) {
            Placement placement = layout.placement(table).orElseThrow();
            String expected = columns(single, table, true);
            if (placement.kind() == Kind.SHARDED) {
                assertThat(columns(sharded, "sharded_" + table, true)).as(table).isEqualTo(expected);
                assertThat(columns(sharded, table, false)).as(table).isEqualTo(columns(single, table, false));
                assertThat(columns(sharded, "writable_" + table, false)).as(table).isEqualTo(columns(single, table, false));
            } else {
                assertThat(columns(sharded, table, true)).as(table).isEqualTo(expected);
            }
        }
        assertThat(server.query("SELECT name FROM system.tables WHERE database = '" + single + "' AND engine IN ('Kafka', 'MaterializedView')"
                + " AND name NOT IN (SELECT name FROM system.tables WHERE database = '" + sharded + "')")).isEmpty();
    }

    private static String columns(String database, String table, boolean withCodecs) {
        return server.query("SELECT name, type, default_kind, default_expression" + (withCodecs ? ", compression_codec" : "")
                + " FROM system.columns WHERE database = '" + database + "' AND table = '" + table + "' ORDER BY position");
    }

    private static String migrate(String cluster, Map<String, String> topics, String cold) {
        String database = database("sharded");
        MigrationResult result = Migrator.apply(server.jdbcUrl(database), Variant.SHARDED,
                shardedVars(topics, database, cluster, cold), false);
        assertThat(result.applied()).hasSameSizeAs(MigrationFiles.sources());
        return database;
    }

    private static Map<String, String> shardedVars(Map<String, String> topics, String database, String cluster, String cold) {
        Map<String, String> vars = vars(topics, database);
        vars.put("CLUSTER", cluster);
        vars.put(ShardedSchema.REPLICATION, "none");
        vars.put(ShardedSchema.COLD_STORAGE, cold);
        vars.put("COLD_STORAGE_POLICY", "tiered");
        vars.put("COLD_VOLUME", "cold");
        vars.put("COLD_AFTER_DAYS", "30");
        return vars;
    }

    private static Map<String, String> vars(Map<String, String> topics, String database) {
        Map<String, String> vars = new HashMap<>(topics);
        vars.put("KAFKA_BROKERS", KAFKA.bootstrapServers());
        vars.put("KAFKA_GROUP_PREFIX", database + "_");
        vars.put("KAFKA_FLUSH_INTERVAL_MS", "500");
        return vars;
    }

    private static Map<String, String> freshTopics() {
        return SchemaTopics.fresh(KAFKA);
    }

    private static String database(String prefix) {
        String database = prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        server.query("CREATE DATABASE " + database);
        return database;
    }

    private static SessionBlockSummary block(String session, String url, long first) {
        return new SessionBlockSummary(3, session, "one-user", first, first + 4_000, url, "https://a.example/", List.of("https://a.example/"),
                2, 1, 5, 3_000, 1, 0, 0, 10_000, 10, 1, "web", "posthog-js/1.200.0", 30);
    }
}

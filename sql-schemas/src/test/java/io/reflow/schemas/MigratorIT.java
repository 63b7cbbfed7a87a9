package io.reflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.reflow.contracts.EnrichedEvent;
import io.reflow.contracts.Topics;
import io.reflow.testsupport.clickhouse.ClickHouseExtension;
import io.reflow.testsupport.kafka.KafkaExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The migrator with the real ClickHouse JDBC driver against ClickHouse 26.x (chDB); Kafka tables point at a real broker. */
class MigratorIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();
    @RegisterExtension
    static final ClickHouseExtension CLICKHOUSE = new ClickHouseExtension();

    @Test
    void appliesTheBundledMigrationsOnceAndRecordsThem() {
        String database = freshDatabase();
        Map<String, String> vars = vars();

        MigrationResult first = Migrator.apply(CLICKHOUSE.jdbcUrl(database), Variant.SINGLE, vars, false);

        List<Migration> bundled = MigrationFiles.bundled(Variant.SINGLE);
        assertThat(bundled).extracting(Migration::id).startsWith("0001_session_replay_events", "0002_log_entries");
        assertThat(first.applied()).extracting(Migration::id).containsExactlyElementsOf(bundled.stream().map(Migration::id).toList());
        assertThat(first.alreadyThere()).isEmpty();
        assertThat(CLICKHOUSE.query("SELECT name, engine FROM system.tables WHERE database = '" + database + "' ORDER BY name").lines())
                .contains(
                        "schema_migrations\tMergeTree",
                        // 0001
                        "kafka_session_replay_events\tKafka",
                        "session_replay_events\tAggregatingMergeTree",
                        "session_replay_events_errors\tMergeTree",
                        "session_replay_events_errors_mv\tMaterializedView",
                        "session_replay_events_mv\tMaterializedView",
                        // 0002
                        "kafka_log_entries\tKafka",
                        "log_entries\tMergeTree",
                        "log_entries_errors\tMergeTree",
                        "log_entries_errors_mv\tMaterializedView",
                        "log_entries_mv\tMaterializedView");
        StringBuilder recorded = new StringBuilder();
        bundled.forEach(m -> recorded.append(m.version()).append('\t').append(m.name()).append('\t').append(m.checksum()).append("\tsingle\n"));
        assertThat(CLICKHOUSE.query("SELECT version, name, checksum, variant FROM " + database + ".schema_migrations ORDER BY version"))
                .isEqualTo(recorded.toString());

        MigrationResult second = Migrator.apply(CLICKHOUSE.jdbcUrl(database), Variant.SINGLE, vars, false);

        assertThat(second.applied()).isEmpty();
        assertThat(second.alreadyThere()).extracting(AppliedMigration::version)
                .containsExactlyElementsOf(bundled.stream().map(Migration::version).toList());
        assertThat(CLICKHOUSE.query("SELECT count() FROM " + database + ".schema_migrations")).isEqualTo(bundled.size() + "\n");
    }

    @Test
    void refusesToRunWhenAnAppliedMigrationChanged(@TempDir Path dir) throws IOException {
        String database = freshDatabase();
        Path file = copyBundledMigrationsTo(dir).resolve("0001_session_replay_events.sql");
        Migrator.apply(CLICKHOUSE.jdbcUrl(database), Variant.SINGLE, MigrationFiles.inDirectory(dir), vars(), false);
        Files.writeString(dir.resolve("0099_later.sql"), "CREATE TABLE IF NOT EXISTS later (x UInt8) ENGINE = MergeTree ORDER BY x;\n");
        Files.writeString(file, Files.readString(file).replace("kafka_num_consumers = 1", "kafka_num_consumers = 2"));

        assertThatThrownBy(() -> Migrator.apply(CLICKHOUSE.jdbcUrl(database), Variant.SINGLE,
                MigrationFiles.inDirectory(dir), vars(), false))
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining("0001_session_replay_events changed after it was applied");
        assertThat(CLICKHOUSE.query("EXISTS TABLE " + database + ".later")).as("nothing ran").isEqualTo("0\n");

        copyBundledMigrationsTo(dir);
        MigrationResult result = Migrator.apply(CLICKHOUSE.jdbcUrl(database), Variant.SINGLE,
                MigrationFiles.inDirectory(dir), vars(), false);
        assertThat(result.applied()).extracting(Migration::id).containsExactly("0099_later");
    }

    @Test
    void aFailingStatementNamesItsMigrationAndIsRetriedNextRun(@TempDir Path dir) throws IOException {
        String database = freshDatabase();
        Path file = dir.resolve("0001_two_tables.sql");
        Files.writeString(file, """
                CREATE TABLE IF NOT EXISTS one (x UInt8) ENGINE = MergeTree ORDER BY x;
                CREATE TABLE IF NOT EXISTS two (x UInt8) ENGINE = NoSuchEngine;
                """);
        assertThatThrownBy(() -> Migrator.apply(CLICKHOUSE.jdbcUrl(database), Variant.SINGLE,
                MigrationFiles.inDirectory(dir), Map.of(), false))
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining("0001_two_tables, statement 2 of 2 failed")
                .hasMessageContaining("NoSuchEngine");
        assertThat(CLICKHOUSE.query("SELECT count() FROM " + database + ".schema_migrations")).isEqualTo("0\n");

        Files.writeString(file, Files.readString(file).replace("NoSuchEngine", "MergeTree ORDER BY x"));
        assertThat(Migrator.apply(CLICKHOUSE.jdbcUrl(database), Variant.SINGLE, MigrationFiles.inDirectory(dir), Map.of(), false)
                .applied()).extracting(Migration::id).containsExactly("0001_two_tables");
    }

    @Test
    void aDryRunRendersTheVariablesAndChangesNothing() {
        String database = freshDatabase();
        MigrationResult result = Migrator.apply(CLICKHOUSE.jdbcUrl(database), Variant.SINGLE,
                Map.of("KAFKA_BROKERS", "broker-a:9092,broker-b:9092", "KAFKA_GROUP_PREFIX", "dry_"), true);

        assertThat(result.applied()).extracting(Migration::id)
                .containsExactlyElementsOf(MigrationFiles.bundled(Variant.SINGLE).stream().map(Migration::id).toList());
        assertThat(result.renderedSql())
                .startsWith("-- 0001_session_replay_events\n")
                .contains("kafka_broker_list = 'broker-a:9092,broker-b:9092'")
                .contains("kafka_topic_list = '" + Topics.SESSION_REPLAY_EVENTS + "'")
                .contains("kafka_group_name = 'dry_session_replay_events'")
                .contains("-- 0002_log_entries\n")
                .contains("kafka_topic_list = '" + Topics.LOG_ENTRIES + "'")
                .contains("kafka_group_name = 'dry_log_entries'")
                .doesNotContain("${");
        assertThat(CLICKHOUSE.query("SELECT count() FROM system.tables WHERE database = '" + database + "'")).isEqualTo("0\n");
    }

    @Test
    void theCommandLine() {
        Output dryRun = run("--dry-run", "--var", "KAFKA_BROKERS=cli:9092", "--var", "SESSION_REPLAY_EVENTS_TOPIC=cli_topic");
        assertThat(dryRun.exitCode()).isZero();
        assertThat(dryRun.out()).contains("kafka_broker_list = 'cli:9092'", "kafka_topic_list = 'cli_topic'",
                "-- dry run: " + MigrationFiles.bundled(Variant.SINGLE).size() + " pending migration(s), 0 already applied");

        assertThat(run("--dry-run").err()).contains("needs KAFKA_BROKERS");
        Output sharded = run("--dry-run", "--variant", "sharded", "--var", "KAFKA_BROKERS=cli:9092", "--var", "CLUSTER=prod");
        assertThat(sharded.exitCode()).as(sharded.err()).isZero();
        assertThat(sharded.out()).contains("CREATE TABLE IF NOT EXISTS sharded_events",
                "ENGINE = Distributed('prod', currentDatabase(), 'sharded_events', sipHash64(distinct_id))");
        assertThat(run("--jdbc-url", CLICKHOUSE.jdbcUrl(), "--variant", "sharded", "--var", "KAFKA_BROKERS=cli:9092").err())
                .as("the sharded variant needs the cluster's name").contains("needs CLUSTER");
        assertThat(run("--variant", "single").exitCode()).as("no URL, no dry run").isEqualTo(2);

        String database = freshDatabase();
        Output applied = run("--jdbc-url", CLICKHOUSE.jdbcUrl(database), "--var", "KAFKA_BROKERS=" + KAFKA.bootstrapServers(),
                "--var", "KAFKA_GROUP_PREFIX=" + database + "_");
        assertThat(applied.exitCode()).as(applied.err()).isZero();
        assertThat(applied.out()).contains("applied 0001_session_replay_events", "applied 0002_log_entries",
                MigrationFiles.bundled(Variant.SINGLE).size() + " migration(s) applied, 0 already there");
    }

    @Test
    void kafkaTablesAreRePointedWhenTheirSettingsChangeAndTargetTablesKeepTheirRows() {
        String database = freshDatabase();
        Map<String, String> before = kafkaVars(database, KAFKA.bootstrapServers(), SchemaTopics.fresh(KAFKA), "0");
        assertThat(Migrator.apply(CLICKHOUSE.jdbcUrl(database), Variant.SINGLE, before, false).repointed()).isEmpty();
        String views = CLICKHOUSE.query("SELECT name, create_table_query FROM system.tables WHERE database = '" + database
                + "' AND engine = 'MaterializedView' ORDER BY name");
        sendEvent(before.get("EVENTS_JSON_TOPIC"), "e-1");
        awaitEvents(database, 1);

        // other brokers (the same broker under another name), other topics and consumer groups, another skip-broken
        // limit (a new group: the test server's consumers are static members, whom the broker may hand their old
        // topic's assignment when they rejoin the same group)
        String otherBrokers = KAFKA.bootstrapServers().replace("127.0.0.1", "localhost");
        assertThat(otherBrokers).isNotEqualTo(KAFKA.bootstrapServers());
        Map<String, String> after = kafkaVars(database, otherBrokers, SchemaTopics.fresh(KAFKA), "10");
        after.put("KAFKA_GROUP_PREFIX", database + "_moved_");
        MigrationResult dryRun = Migrator.apply(CLICKHOUSE.jdbcUrl(database), Variant.SINGLE, after, true);
        assertThat(dryRun.applied()).isEmpty();
        assertThat(dryRun.repointed()).hasSize(SchemaTopics.VARIABLES.size());
        assertThat(dryRun.renderedSql()).contains("-- re-point kafka_events_json (", "DROP VIEW IF EXISTS events_mv SYNC",
                "DROP TABLE IF EXISTS kafka_events_json SYNC", "kafka_broker_list = '" + otherBrokers + "'");
        assertThat(kafkaTable(database)).as("a dry run changes nothing").contains(KAFKA.bootstrapServers());

        MigrationResult repointed = Migrator.apply(CLICKHOUSE.jdbcUrl(database), Variant.SINGLE, after, false);
        assertThat(repointed.applied()).isEmpty();
        assertThat(repointed.repointed()).hasSize(SchemaTopics.VARIABLES.size())
                .anySatisfy(r -> assertThat(r).startsWith("kafka_events_json (")
                        .contains("kafka_broker_list: '" + KAFKA.bootstrapServers() + "' -> '" + otherBrokers + "'",
                                "kafka_topic_list: '" + before.get("EVENTS_JSON_TOPIC") + "' -> '" + after.get("EVENTS_JSON_TOPIC") + "'",
                                "kafka_skip_broken_messages: '0' -> '10'"));
        assertThat(kafkaTable(database)).contains("kafka_broker_list = '" + otherBrokers + "'",
                "kafka_topic_list = '" + after.get("EVENTS_JSON_TOPIC") + "'", "kafka_skip_broken_messages = 10");
        assertThat(CLICKHOUSE.query("SELECT name, create_table_query FROM system.tables WHERE database = '" + database
                + "' AND engine = 'MaterializedView' ORDER BY name")).as("the same views, again").isEqualTo(views);
        sendEvent(after.get("EVENTS_JSON_TOPIC"), "e-2");
        awaitEvents(database, 2);
        assertThat(CLICKHOUSE.query("SELECT arraySort(groupArray(distinct_id)) FROM " + database + ".events"))
                .as("the row consumed before is still there").isEqualTo("['e-1','e-2']\n");

        assertThat(Migrator.apply(CLICKHOUSE.jdbcUrl(database), Variant.SINGLE, after, false).repointed())
                .as("nothing left to re-point").isEmpty();
        // a run that died between dropping a view and creating it again left it missing: the next run creates it
        CLICKHOUSE.query("DROP VIEW " + database + ".events_hourly_mv SYNC");
        assertThat(Migrator.apply(CLICKHOUSE.jdbcUrl(database), Variant.SINGLE, after, false).repointed())
                .containsExactly("kafka_events_json (views missing)");
        assertThat(CLICKHOUSE.query("EXISTS VIEW " + database + ".events_hourly_mv")).isEqualTo("1\n");
    }

    @Test
    void aDatabaseMigratedWithTheReleasedFilesIsAcceptedAndItsKafkaTablesGetTheNewSettings(@TempDir Path dir) throws IOException {
        // the files as released, before the Kafka format and skip-broken limit became variables
        for (Migration m : MigrationFiles.sources()) {
            if (m.version() <= ReleasedText.LAST_EDITED_VERSION) {
                Files.writeString(dir.resolve(m.id() + ".sql"), m.asReleased().template());
            }
        }
        String database = freshDatabase();
        Map<String, String> vars = kafkaVars(database, KAFKA.bootstrapServers(), SchemaTopics.fresh(KAFKA), "0");
        Migrator.apply(CLICKHOUSE.jdbcUrl(database), Variant.SINGLE, MigrationFiles.inDirectory(dir), vars, false);
        assertThat(CLICKHOUSE.query("SELECT checksum FROM " + database + ".schema_migrations WHERE version = 1"))
                .as("what a database migrated before the edit recorded")
                .isEqualTo("065886ae74a9bc56c634051159ca4fa9d515299937bcac1ceab5caff100bdde4\n");
        assertThat(kafkaTable(database)).doesNotContain("kafka_skip_broken_messages");

        MigrationResult upgrade = Migrator.apply(CLICKHOUSE.jdbcUrl(database), Variant.SINGLE, vars, false);
        assertThat(upgrade.applied()).extracting(Migration::version).allMatch(v -> v > ReleasedText.LAST_EDITED_VERSION);
        assertThat(upgrade.repointed()).hasSize(SchemaTopics.VARIABLES.size() - SchemaTopics.ADDED_AFTER_EDIT.size())
                .allSatisfy(r -> assertThat(r).endsWith("(kafka_skip_broken_messages: unset -> '0')"));
        assertThat(kafkaTable(database)).contains("kafka_skip_broken_messages = 0");
        sendEvent(vars.get("EVENTS_JSON_TOPIC"), "after-upgrade");
        awaitEvents(database, 1);
    }

    private static Map<String, String> kafkaVars(String database, String brokers, Map<String, String> topics, String skipBroken) {
        Map<String, String> vars = new java.util.HashMap<>(topics);
        vars.put("KAFKA_BROKERS", brokers);
        vars.put("KAFKA_GROUP_PREFIX", database + "_");
        vars.put("KAFKA_FLUSH_INTERVAL_MS", "500");
        vars.put("KAFKA_SKIP_BROKEN_MESSAGES", skipBroken);
        return vars;
    }

    private static String kafkaTable(String database) {
        return CLICKHOUSE.query("SELECT create_table_query FROM system.tables WHERE database = '" + database
                + "' AND name = 'kafka_events_json' FORMAT TSVRaw");
    }

    private static void sendEvent(String topic, String distinctId) {
        long now = System.currentTimeMillis();
        try (KafkaRows kafka = new KafkaRows(KAFKA.bootstrapServers())) {
            kafka.send(topic, distinctId, new EnrichedEvent(UUID.randomUUID().toString(), "$pageview", "{}", now, 1, distinctId, "",
                    now, "", UUID.randomUUID().toString(), "{}", now, "full"));
        }
    }

    private static void awaitEvents(String database, int count) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> CLICKHOUSE.query("SELECT count() FROM " + database + ".events").equals(count + "\n"));
    }

    private record Output(int exitCode, String out, String err) {}

    private static Output run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Migrator.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Output(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Map<String, String> vars() {
        return Map.of("KAFKA_BROKERS", KAFKA.bootstrapServers(),
                "KAFKA_GROUP_PREFIX", "migrator_" + UUID.randomUUID().toString().substring(0, 8) + "_");
    }

    private static String freshDatabase() {
        String database = "db_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        CLICKHOUSE.query("CREATE DATABASE " + database);
        return database;
    }

    private static Path copyBundledMigrationsTo(Path dir) throws IOException {
        for (Migration m : MigrationFiles.bundled(Variant.SINGLE)) {
            Files.writeString(dir.resolve(m.id() + ".sql"), m.template());
        }
        return dir;
    }
}

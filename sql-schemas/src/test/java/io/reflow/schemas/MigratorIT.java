package io.reflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reflow.contracts.Topics;
import io.reflow.testsupport.clickhouse.ClickHouseExtension;
import io.reflow.testsupport.kafka.KafkaExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

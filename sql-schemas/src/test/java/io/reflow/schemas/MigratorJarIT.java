package io.reflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflow.testsupport.clickhouse.ClickHouseExtension;
import io.reflow.testsupport.kafka.KafkaExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded migrator jar ({@code target/reflow-sql-schemas-<version>-migrator.jar}, built in {@code package}) run as
 * {@code java -jar} in a child process from an unrelated directory, against ClickHouse 26.x (chDB): it needs nothing
 * but itself.
 */
class MigratorJarIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();
    @RegisterExtension
    static final ClickHouseExtension CLICKHOUSE = new ClickHouseExtension();

    @TempDir
    Path elsewhere;

    @Test
    void theJarHoldsTheMigrationsAndRunsOnItsOwn() throws Exception {
        Path jar = Path.of(System.getProperty("migrator.jar", "target/reflow-sql-schemas-migrator.jar")).toAbsolutePath();
        assertThat(jar).as("built by mvn package").exists();
        try (JarFile contents = new JarFile(jar.toFile())) {
            assertThat(contents.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo(Migrator.class.getName());
            for (Migration m : MigrationFiles.sources()) {
                assertThat(contents.getEntry("clickhouse/single/" + m.id() + ".sql")).as(m.id()).isNotNull();
            }
            assertThat(contents.getEntry(ShardedLayout.BUNDLED)).isNotNull();
        }
        String database = "jar_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        CLICKHOUSE.query("CREATE DATABASE " + database);
        int migrations = MigrationFiles.sources().size();
        List<String> args = List.of("--jdbc-url", CLICKHOUSE.jdbcUrl(database), "--variant", "single",
                "--var", "KAFKA_BROKERS=" + KAFKA.bootstrapServers(), "--var", "KAFKA_GROUP_PREFIX=" + database + "_");

        Run first = run(jar, args);
        assertThat(first.exitCode()).as(first.output()).isZero();
        assertThat(first.output()).contains("applied 0001_session_replay_events", migrations + " migration(s) applied, 0 already there")
                .as("no logging noise").doesNotContain("SLF4J");
        assertThat(CLICKHOUSE.query("SELECT count() FROM " + database + ".schema_migrations")).isEqualTo(migrations + "\n");
        assertThat(CLICKHOUSE.query("SELECT engine FROM system.tables WHERE database = '" + database + "' AND name = 'events'"))
                .isEqualTo("ReplacingMergeTree\n");

        Run second = run(jar, args);
        assertThat(second.exitCode()).as(second.output()).isZero();
        assertThat(second.output()).contains("0 migration(s) applied, " + migrations + " already there");

        Run sharded = run(jar, List.of("--dry-run", "--variant", "sharded", "--var", "KAFKA_BROKERS=kafka:9092", "--var", "CLUSTER=prod"));
        assertThat(sharded.exitCode()).as(sharded.output()).isZero();
        assertThat(sharded.output()).contains("ENGINE = ReplicatedReplacingMergeTree(", "ENGINE = Distributed('prod', currentDatabase(), 'sharded_events', sipHash64(distinct_id))");

        assertThat(run(jar, List.of("--no-such-flag")).exitCode()).isEqualTo(2);
    }

    private record Run(int exitCode, String output) {}

    private Run run(Path jar, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        command.addAll(args);
        Path log = elsewhere.resolve("migrator-" + UUID.randomUUID() + ".log");
        Process process = new ProcessBuilder(command).directory(elsewhere.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the migrator finished").isTrue();
            return new Run(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            process.destroyForcibly();
        }
    }
}

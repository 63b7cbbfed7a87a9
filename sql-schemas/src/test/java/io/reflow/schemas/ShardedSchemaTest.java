package io.reflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The derivation of the sharded variant, on the bundled migrations and on small made-up ones. */
class ShardedSchemaTest {
    private static final Pattern MERGE_TREE_TABLE = Pattern.compile(
            "(?is)^CREATE TABLE IF NOT EXISTS (\\w+)\\s*\\(.*\\)\\s*ENGINE = (\\w*MergeTree)");

    @Test
    void everyBundledMergeTreeTableIsPlacedAndEveryShardedOneGetsALocalTableAndTwoDistributedOnes() {
        List<Migration> sources = MigrationFiles.sources();
        ShardedLayout layout = ShardedLayout.bundled();
        List<String> sharded = statements(ShardedSchema.derive(sources, layout, vars(Map.of())));

        List<String> singleTables = new ArrayList<>();
        for (Migration m : sources) {
            for (String statement : SqlStatements.split(m.template())) {
                Matcher table = MERGE_TREE_TABLE.matcher(statement);
                if (table.find()) {
                    singleTables.add(table.group(1));
                }
            }
        }
        assertThat(singleTables).contains("session_replay_events", "events", "person", "person_distinct_id2",
                "person_distinct_id_overrides", "ingestion_warnings", "dead_letters", "events_hourly", "session_replay_hourly");
        for (String table : singleTables) {
            ShardedLayout.Placement placement = layout.placement(table).orElseThrow();
            switch (placement.kind()) {
                case SHARDED -> {
                    assertThat(sharded).anySatisfy(s -> assertThat(s)
                            .startsWith("CREATE TABLE IF NOT EXISTS sharded_" + table + "\n(")
                            .containsPattern("ENGINE = Replicated\\w*MergeTree\\('/clickhouse/tables/\\{shard}/\\{database}/\\{table}', '\\{replica}'"));
                    String distributed = "ENGINE = Distributed('${CLUSTER}', currentDatabase(), 'sharded_" + table + "', "
                            + placement.shardingKey() + ")";
                    assertThat(sharded).contains(
                            "CREATE TABLE IF NOT EXISTS writable_" + table + " AS sharded_" + table + "\n" + distributed,
                            "CREATE TABLE IF NOT EXISTS " + table + " AS sharded_" + table + "\n" + distributed);
                }
                case REPLICATED -> assertThat(sharded).anySatisfy(s -> assertThat(s)
                        .startsWith("CREATE TABLE IF NOT EXISTS " + table + "\n(")
                        .contains("'/clickhouse/tables/noshard/{database}/{table}', '{shard}-{replica}'"));
                case LOCAL -> assertThat(sharded).anySatisfy(s -> assertThat(s)
                        .startsWith("CREATE TABLE IF NOT EXISTS " + table + "\n(").contains("ENGINE = MergeTree"));
            }
        }
        assertThat(layout.placement("events").orElseThrow().shardingKey()).isEqualTo("sipHash64(distinct_id)");
        assertThat(layout.placement("session_replay_events").orElseThrow().shardingKey()).isEqualTo("sipHash64(session_id)");
    }

    @Test
    void viewsFedByKafkaWriteIntoTheWritableTableAndAltersReachTheLocalOne() {
        List<String> sharded = statements(ShardedSchema.derive(MigrationFiles.sources(), ShardedLayout.bundled(), vars(Map.of())));

        assertThat(sharded).anySatisfy(s -> assertThat(s).startsWith(
                "CREATE MATERIALIZED VIEW IF NOT EXISTS events_mv TO writable_events AS\nSELECT").contains("FROM kafka_events_json"));
        assertThat(sharded).anySatisfy(s -> assertThat(s).startsWith(
                "CREATE MATERIALIZED VIEW IF NOT EXISTS session_replay_events_mv TO writable_session_replay_events AS"));
        assertThat(sharded).anySatisfy(s -> assertThat(s).startsWith(
                "CREATE MATERIALIZED VIEW IF NOT EXISTS events_hourly_mv TO writable_events_hourly AS"));
        assertThat(sharded).as("replicated tables are written where the Kafka consumer runs").anySatisfy(s -> assertThat(s)
                .startsWith("CREATE MATERIALIZED VIEW IF NOT EXISTS person_mv TO person AS"));
        assertThat(sharded).as("node-local error tables stay as they are").anySatisfy(s -> assertThat(s)
                .startsWith("CREATE MATERIALIZED VIEW IF NOT EXISTS events_errors_mv TO events_errors AS"));
        assertThat(sharded).anySatisfy(s -> assertThat(s).startsWith("ALTER TABLE sharded_session_replay_events\n    MODIFY TTL"));
        assertThat(String.join("\n", sharded)).doesNotContain("--").doesNotContain("ON CLUSTER");
    }

    @Test
    void aViewOnAShardedTableRunsOnEveryShardFromLocalToLocal() {
        List<Migration> sources = List.of(Migration.of("0001_a.sql", """
                CREATE TABLE IF NOT EXISTS a (k String, n UInt64) ENGINE = MergeTree ORDER BY k;
                CREATE TABLE IF NOT EXISTS a_rollup (k String, n SimpleAggregateFunction(sum, UInt64)) ENGINE = AggregatingMergeTree ORDER BY k;
                CREATE MATERIALIZED VIEW IF NOT EXISTS a_rollup_mv TO a_rollup AS SELECT k, sum(n) AS n FROM a GROUP BY k;
                ALTER TABLE a ADD COLUMN IF NOT EXISTS m UInt8;
                ALTER TABLE a ADD INDEX IF NOT EXISTS k_bloom k TYPE bloom_filter GRANULARITY 1, MATERIALIZE INDEX k_bloom
                """));
        ShardedLayout layout = ShardedLayout.parse("a = sharded sipHash64(k)\na_rollup = sharded sipHash64(k)\n", "test");

        List<String> sharded = statements(ShardedSchema.derive(sources, layout, vars(Map.of())));

        assertThat(sharded).contains(
                "CREATE MATERIALIZED VIEW IF NOT EXISTS a_rollup_mv TO sharded_a_rollup AS\nSELECT k, sum(n) AS n FROM sharded_a GROUP BY k",
                "ALTER TABLE sharded_a\n    ADD COLUMN IF NOT EXISTS m UInt8",
                "ALTER TABLE writable_a\n    ADD COLUMN IF NOT EXISTS m UInt8",
                "ALTER TABLE a\n    ADD COLUMN IF NOT EXISTS m UInt8",
                "ALTER TABLE sharded_a\n    ADD INDEX IF NOT EXISTS k_bloom k TYPE bloom_filter GRANULARITY 1, MATERIALIZE INDEX k_bloom");
        assertThat(sharded).noneMatch(s -> s.startsWith("ALTER TABLE a\n    ADD INDEX"));
    }

    @Test
    void withoutReplicationTheEnginesArePlainAndReplicatedTablesGetAConsumerGroupPerShard() {
        List<String> sharded = statements(ShardedSchema.derive(MigrationFiles.sources(), ShardedLayout.bundled(),
                vars(Map.of("REPLICATION", "none"))));

        assertThat(String.join("\n", sharded)).doesNotContain("Replicated").doesNotContain("/clickhouse/tables");
        assertThat(sharded).anySatisfy(s -> assertThat(s).startsWith("CREATE TABLE IF NOT EXISTS sharded_events\n(")
                .contains("ENGINE = ReplacingMergeTree(_timestamp)"));
        assertThat(sharded).anySatisfy(s -> assertThat(s).contains("kafka_group_name = '${KAFKA_GROUP_PREFIX}person_{shard}'"));
        assertThat(sharded).anySatisfy(s -> assertThat(s).contains("kafka_group_name = '${KAFKA_GROUP_PREFIX}person_distinct_id_{shard}'"));
        assertThat(sharded).anySatisfy(s -> assertThat(s).contains("kafka_group_name = '${KAFKA_GROUP_PREFIX}events'"));
    }

    @Test
    void coldStorageAddsAMoveToTheTtlAndTheStoragePolicy() {
        List<String> sharded = statements(ShardedSchema.derive(MigrationFiles.sources(), ShardedLayout.bundled(),
                vars(Map.of("COLD_STORAGE", "on"))));

        assertThat(sharded).anySatisfy(s -> assertThat(s).startsWith("CREATE TABLE IF NOT EXISTS sharded_events\n(")
                .endsWith("TTL toDateTime(timestamp) + INTERVAL ${COLD_AFTER_DAYS} DAY TO VOLUME '${COLD_VOLUME}'\n"
                        + "SETTINGS storage_policy = '${COLD_STORAGE_POLICY}'"));
        assertThat(sharded).anySatisfy(s -> assertThat(s).startsWith("CREATE TABLE IF NOT EXISTS sharded_session_replay_events\n(")
                .endsWith("SETTINGS index_granularity = 512, storage_policy = '${COLD_STORAGE_POLICY}'"));
        assertThat(sharded).anySatisfy(s -> assertThat(s).startsWith("CREATE TABLE IF NOT EXISTS sharded_log_entries\n(")
                .contains("TTL toDateTime(timestamp) + toIntervalDay(retention_period_days),\n"
                        + "    toDateTime(timestamp) + INTERVAL ${COLD_AFTER_DAYS} DAY TO VOLUME '${COLD_VOLUME}'"));
        assertThat(sharded).as("a later MODIFY TTL keeps the move").anySatisfy(s -> assertThat(s)
                .startsWith("ALTER TABLE sharded_session_replay_events\n    MODIFY TTL")
                .endsWith("toDateTime(min_first_timestamp) + INTERVAL ${COLD_AFTER_DAYS} DAY TO VOLUME '${COLD_VOLUME}'"));
        assertThat(sharded).as("tables without cold_ttl stay on the default policy").anySatisfy(s -> assertThat(s)
                .startsWith("CREATE TABLE IF NOT EXISTS sharded_dead_letters\n(").doesNotContain("storage_policy"));
    }

    @Test
    void theChecksumIsOfTheDerivedSqlSoShapeOptionsCount() {
        List<Migration> single = MigrationFiles.sources();
        List<Migration> plain = ShardedSchema.derive(single, ShardedLayout.bundled(), vars(Map.of()));
        List<Migration> again = ShardedSchema.derive(single, ShardedLayout.bundled(), vars(Map.of("CLUSTER", "other")));
        List<Migration> cold = ShardedSchema.derive(single, ShardedLayout.bundled(), vars(Map.of("COLD_STORAGE", "on")));

        assertThat(plain).extracting(Migration::id).isEqualTo(single.stream().map(Migration::id).toList());
        assertThat(plain).extracting(Migration::checksum).as("variables are not part of the template")
                .isEqualTo(again.stream().map(Migration::checksum).toList());
        assertThat(plain.get(2).checksum()).isNotEqualTo(cold.get(2).checksum()).isNotEqualTo(single.get(2).checksum());
    }

    @Test
    void refusesWhatItCannotDerive() {
        ShardedLayout layout = ShardedLayout.parse("a = sharded rand()\n", "test");
        assertThatThrownBy(() -> ShardedSchema.derive(List.of(Migration.of("0001_b.sql",
                "CREATE TABLE IF NOT EXISTS b (k String) ENGINE = MergeTree ORDER BY k")), layout, vars(Map.of())))
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining("0001_b creates b, which test does not place");
        assertThatThrownBy(() -> ShardedSchema.derive(List.of(Migration.of("0001_b.sql", "DROP TABLE a")), layout, vars(Map.of())))
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining("0001_b: the sharded variant cannot be derived from this statement");
        assertThatThrownBy(() -> ShardedSchema.derive(List.of(Migration.of("0001_b.sql", """
                CREATE TABLE IF NOT EXISTS a (k String) ENGINE = MergeTree ORDER BY k;
                ALTER TABLE a ADD COLUMN x UInt8, MODIFY SETTING index_granularity = 1024
                """)), layout, vars(Map.of())))
                .isInstanceOf(MigrationException.class).hasMessageContaining("an ALTER mixing column changes");
        assertThatThrownBy(() -> ShardedSchema.derive(MigrationFiles.sources(), ShardedLayout.bundled(),
                vars(Map.of("REPLICATION", "maybe")))).isInstanceOf(MigrationException.class).hasMessageContaining("REPLICATION");
        assertThatThrownBy(() -> ShardedLayout.parse("a = sharded\n", "test"))
                .isInstanceOf(MigrationException.class).hasMessageContaining("needs a sharding key");
        assertThatThrownBy(() -> ShardedLayout.parse("a = local\na.cold_ttl = x\n", "test"))
                .isInstanceOf(MigrationException.class).hasMessageContaining("only for sharded tables");
    }

    private static Map<String, String> vars(Map<String, String> given) {
        Map<String, String> all = new HashMap<>(SqlTemplate.defaults());
        all.putAll(given);
        return all;
    }

    private static List<String> statements(List<Migration> migrations) {
        List<String> all = new ArrayList<>();
        migrations.forEach(m -> all.addAll(SqlStatements.split(m.template())));
        return all;
    }
}

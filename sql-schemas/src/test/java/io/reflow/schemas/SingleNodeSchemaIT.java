package io.reflow.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflow.testsupport.clickhouse.ClickHouseExtension;
import io.reflow.testsupport.kafka.KafkaExtension;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every single-node migration, through the migrator and the real JDBC driver, on ClickHouse 26.x (chDB), twice. */
class SingleNodeSchemaIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();
    @RegisterExtension
    static final ClickHouseExtension CLICKHOUSE = new ClickHouseExtension();

    @Test
    void everyMigrationAppliesTwiceAndTheSecondRunChangesNothing() {
        String database = "single_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        CLICKHOUSE.query("CREATE DATABASE " + database);
        Map<String, String> vars = Map.of("KAFKA_BROKERS", KAFKA.bootstrapServers(), "KAFKA_GROUP_PREFIX", database + "_");
        List<String> all = MigrationFiles.sources().stream().map(Migration::id).toList();

        MigrationResult first = Migrator.apply(CLICKHOUSE.jdbcUrl(database), Variant.SINGLE, vars, false);
        assertThat(first.applied()).extracting(Migration::id).isEqualTo(all);
        String schema = schema(database);

        // forget that they ran: every statement of every migration runs a second time on the existing schema
        CLICKHOUSE.query("TRUNCATE TABLE " + database + ".schema_migrations");
        MigrationResult second = Migrator.apply(CLICKHOUSE.jdbcUrl(database), Variant.SINGLE, vars, false);
        assertThat(second.applied()).extracting(Migration::id).isEqualTo(all);
        assertThat(schema(database)).isEqualTo(schema);

        assertThat(Migrator.apply(CLICKHOUSE.jdbcUrl(database), Variant.SINGLE, vars, false).applied()).isEmpty();
        assertThat(CLICKHOUSE.query("SELECT name, engine FROM system.tables WHERE database = '" + database + "'"
                + " AND engine != 'MaterializedView' AND name NOT LIKE '%\\_errors' AND name NOT LIKE '%log\\_entries' ORDER BY name"))
                .isEqualTo("""
                        dead_letters	MergeTree
                        events	ReplacingMergeTree
                        events_by_session	AggregatingMergeTree
                        events_hourly	AggregatingMergeTree
                        ingestion_warnings	MergeTree
                        kafka_dead_letters	Kafka
                        kafka_events_json	Kafka
                        kafka_ingestion_warnings	Kafka
                        kafka_person	Kafka
                        kafka_person_distinct_id	Kafka
                        kafka_session_keys	Kafka
                        kafka_session_replay_events	Kafka
                        person	ReplacingMergeTree
                        person_distinct_id2	ReplacingMergeTree
                        person_distinct_id_overrides	ReplacingMergeTree
                        schema_migrations	MergeTree
                        session_keys	ReplacingMergeTree
                        session_replay_events	AggregatingMergeTree
                        session_replay_hourly	AggregatingMergeTree
                        """);
        assertThat(CLICKHOUSE.query("SELECT count() FROM system.tables WHERE database = '" + database + "' AND name LIKE '%\\_errors'"))
                .as("every Kafka table keeps what it cannot parse")
                .isEqualTo(CLICKHOUSE.query("SELECT count() FROM system.tables WHERE database = '" + database + "' AND engine = 'Kafka'"));
        assertThat(CLICKHOUSE.query("SELECT engine_full LIKE '%TTL toDateTime(min_first_timestamp) + toIntervalDay(ifNull(retention_period_days, 30))%'"
                + " FROM system.tables WHERE database = '" + database + "' AND name = 'session_replay_events'")).isEqualTo("1\n");
    }

    @Test
    void aSessionRowCanBeInsertedWithOnlySomeColumns() {
        String database = "partial_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        CLICKHOUSE.query("CREATE DATABASE " + database);
        Migrator.apply(CLICKHOUSE.jdbcUrl(database), Variant.SINGLE,
                Map.of("KAFKA_BROKERS", KAFKA.bootstrapServers(), "KAFKA_GROUP_PREFIX", database + "_"), false);

        // a backfill writing a few columns (0009: LowCardinality aggregate states have explicit defaults); recent
        // times, or the retention TTL deletes the rows
        String hour = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC)
                .format(Instant.now().truncatedTo(ChronoUnit.HOURS).minusSeconds(1800));
        String secondBefore = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC)
                .format(Instant.now().truncatedTo(ChronoUnit.HOURS).minusSeconds(1801));
        CLICKHOUSE.query("INSERT INTO " + database + ".session_replay_events (team_id, session_id, min_first_timestamp, click_count)"
                + " VALUES (1, 's1', '" + hour + "', 2)");
        // and a row with the states set, as the view writes them, one second earlier
        CLICKHOUSE.query("INSERT INTO " + database + ".session_replay_events (team_id, session_id, min_first_timestamp, click_count,"
                + " snapshot_source, snapshot_library) SELECT 1, 's1', toDateTime64('" + secondBefore + "', 3, 'UTC'), 3,"
                + " argMinState(CAST('web', 'LowCardinality(Nullable(String))'), toDateTime64('" + secondBefore + "', 3, 'UTC')),"
                + " argMinState(CAST('posthog-js', 'LowCardinality(Nullable(String))'), toDateTime64('" + secondBefore + "', 3, 'UTC'))");

        String merged = "SELECT session_id, min(min_first_timestamp), sum(click_count), argMinMerge(snapshot_source),"
                + " argMinMerge(snapshot_library), argMinMerge(first_url) FROM " + database + ".session_replay_events GROUP BY session_id";
        String expected = "s1\t" + secondBefore + ".000\t5\tweb\tposthog-js\t\\N\n";
        assertThat(CLICKHOUSE.query(merged)).isEqualTo(expected);
        CLICKHOUSE.query("OPTIMIZE TABLE " + database + ".session_replay_events FINAL");
        assertThat(CLICKHOUSE.query("SELECT count() FROM " + database + ".session_replay_events")).isEqualTo("1\n");
        assertThat(CLICKHOUSE.query(merged)).as("the defaults merge away like absent blocks").isEqualTo(expected);
        CLICKHOUSE.query("DROP DATABASE " + database + " SYNC");
    }

    private static String schema(String database) {
        return CLICKHOUSE.query("SELECT name, engine_full, create_table_query FROM system.tables WHERE database = '" + database
                + "' AND name != 'schema_migrations' ORDER BY name");
    }
}

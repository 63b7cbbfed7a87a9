package io.reflow.schemas.bench;

import io.reflow.schemas.Migrator;
import io.reflow.schemas.Variant;
import io.reflow.testsupport.clickhouse.ClickHouseServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.function.Function;

/**
 * Query latency of the single-node schema on generated data (docs/BENCHMARKS.md, "ClickHouse schema"). Not a test:
 * {@code mvn -B -pl sql-schemas test-compile exec:exec [-Dbench.args="--events 50000000 ..."]}.
 *
 * <p>Starts ClickHouse (chDB behind the HTTP interface, as in the tests) on {@code --data-dir}, applies the migrations
 * with the real migrator, generates sessions, blocks, persons and events straight into the target tables (the Kafka
 * tables are detached: this measures reads), merges, then times each query through the real JDBC driver and reports
 * p50/p99 and storage per row from system.parts / system.columns. A later run on the same data dir reuses the data
 * of the same size unless {@code --regenerate}.
 *
 * <p>Data: teams skewed like real projects (team 1 holds 25% of everything, team 2 10%, 98 small teams share the
 * rest); each session belongs to one person and has {@code --blocks-per-session} blocks 30 s apart; each event belongs
 * to a session (and its person), lies within the session's span, carries ~500 bytes of posthog-js-like properties and
 * ~120 bytes of person properties. Event mix: 40% $pageview, 25% $autocapture, 10% $pageleave, 2% $purchase, 0.2%
 * checkout_completed, 20 custom events.
 */
public final class ClickHouseQueryBenchmark {
    private static final String DATABASE = "bench";
    private static final String NOW = "toStartOfHour(now64(3, 'UTC'))";
    private static final String EVENT_MIX = "multiIf(r < 4000, '$pageview', r < 6500, '$autocapture', r < 7500, '$pageleave',"
            + " r < 7700, '$rageclick', r < 7800, '$identify', r < 7820, 'checkout_completed', r < 8020, '$purchase',"
            + " r < 8220, '$web_vitals', concat('custom_event_', toString(r % 20)))";

    private final Args args;
    private final Connection connection;
    private final StringBuilder report = new StringBuilder();

    private ClickHouseQueryBenchmark(Args args, Connection connection) {
        this.args = args;
        this.connection = connection;
    }

    record Args(Path dataDir, long sessions, int blocksPerSession, long events, long persons, int iterations,
                boolean regenerate, boolean merge, Path reportFile) {
        static Args parse(String[] argv) {
            Map<String, String> given = new LinkedHashMap<>();
            List<String> flags = new ArrayList<>();
            for (int i = 0; i < argv.length; i++) {
                if (List.of("--regenerate", "--no-merge").contains(argv[i])) {
                    flags.add(argv[i]);
                } else if (argv[i].startsWith("--") && i + 1 < argv.length) {
                    given.put(argv[i], argv[++i]);
                } else {
                    throw new IllegalArgumentException("unknown argument " + argv[i]);
                }
            }
            return new Args(Path.of(given.getOrDefault("--data-dir", "target/clickhouse-bench")),
                    Long.parseLong(given.getOrDefault("--sessions", "1000000")),
                    Integer.parseInt(given.getOrDefault("--blocks-per-session", "10")),
                    Long.parseLong(given.getOrDefault("--events", "50000000")),
                    Long.parseLong(given.getOrDefault("--persons", "300000")),
                    Integer.parseInt(given.getOrDefault("--iterations", "100")),
                    flags.contains("--regenerate"), !flags.contains("--no-merge"),
                    Path.of(given.getOrDefault("--report", "target/clickhouse-bench-report.md")));
        }
    }

    public static void main(String[] argv) throws Exception {
        Args args = Args.parse(argv);
        long started = System.nanoTime();
        try (ClickHouseServer server = ClickHouseServer.start(args.dataDir(), 0)) {
            Properties properties = new Properties();
            properties.setProperty("socket_timeout", "7200000");
            server.query("CREATE DATABASE IF NOT EXISTS " + DATABASE);
            try (Connection connection = DriverManager.getConnection(server.jdbcUrl(DATABASE), properties)) {
                ClickHouseQueryBenchmark bench = new ClickHouseQueryBenchmark(args, connection);
                bench.prepare(server);
                bench.measure();
                bench.storage();
            }
            server.stop();
        }
        System.out.printf("total %.1f min%n", (System.nanoTime() - started) / 60e9);
    }

    private void prepare(ClickHouseServer server) throws SQLException {
        String generated = scalar("SELECT count() FROM system.tables WHERE database = '" + DATABASE + "' AND name = 'bench_meta'");
        boolean sameSize = generated.equals("1") && scalar("SELECT concat(toString(sessions), '/', toString(events)) FROM bench_meta")
                .equals(args.sessions() + "/" + args.events());
        if (!args.regenerate() && sameSize) {
            String meta = scalar("SELECT concat(toString(sessions), ' sessions, ', toString(events), ' events, generated ',"
                    + " toString(generated_at)) FROM bench_meta");
            line("reusing data in %s: %s", args.dataDir(), meta);
            return;
        }
        server.query("DROP DATABASE IF EXISTS " + DATABASE + " SYNC");
        server.query("CREATE DATABASE " + DATABASE);
        // the Kafka tables need a broker only to consume; nothing listens at this address and they are detached at once
        Migrator.apply(server.jdbcUrl(DATABASE), Variant.SINGLE, Map.of("KAFKA_BROKERS", "127.0.0.1:9"), false);
        for (String kafka : scalar("SELECT arrayStringConcat(groupArray(name), ' ') FROM system.tables WHERE database = '"
                + DATABASE + "' AND engine = 'Kafka'").split(" ")) {
            execute("DETACH TABLE " + kafka + " PERMANENTLY");
        }
        generate();
    }

    private void generate() throws SQLException {
        long s = args.sessions();
        long p = args.persons();
        line("generating %,d persons, %,d sessions x %d blocks, %,d events", p, s, args.blocksPerSession(), args.events());
        execute("CREATE FUNCTION IF NOT EXISTS bench_uuid AS (x, salt) -> toUUID(UUIDNumToString(toFixedString(unhex(concat("
                + "hex(cityHash64(x, salt)), hex(cityHash64(x, salt + 1)))), 16)))");
        execute("CREATE FUNCTION IF NOT EXISTS bench_team AS (x) -> multiIf(cityHash64(x, 'team') % 100 < 25, 1,"
                + " cityHash64(x, 'team') % 100 < 35, 2, 3 + intDiv(cityHash64(x, 'team'), 100) % 98)");
        execute("CREATE FUNCTION IF NOT EXISTS bench_plan AS (x) -> multiIf(cityHash64(x, 'plan') % 100 < 70, 'free',"
                + " cityHash64(x, 'plan') % 100 < 95, 'pro', 'enterprise')");
        execute("CREATE OR REPLACE FUNCTION bench_person_of AS (s) -> cityHash64(s, 'person') % " + p);
        execute("CREATE FUNCTION IF NOT EXISTS bench_start AS (s) -> " + NOW
                + " - toIntervalMillisecond(cityHash64(s, 'start') % (30 * 86400000))");
        execute("CREATE FUNCTION IF NOT EXISTS bench_session_id AS (s) -> UUIDNumToString(toFixedString(unhex(concat("
                + "hex(cityHash64(s, 3)), hex(cityHash64(s, 4)))), 16))");
        String personProperties = "concat('{\"email\":\"d-', toString(q), '@example.com\",\"plan\":\"', bench_plan(q),"
                + " '\",\"country\":\"', ['DE','US','FR','GB','BR','IN'][1 + cityHash64(q, 'c') % 6],"
                + " '\",\"$initial_browser\":\"Chrome\",\"name\":\"Person ', toString(q), '\"}')";

        timed("persons", () -> execute("INSERT INTO person SELECT bench_uuid(q, 10), bench_team(q), " + personProperties
                + ", 1, " + NOW + " - toIntervalDay(60), 0, 0, now(), q, 0 FROM (SELECT number AS q FROM numbers(" + p + "))"));
        timed("person_distinct_id2", () -> execute("INSERT INTO person_distinct_id2 SELECT bench_team(number),"
                + " concat('d-', toString(number)), bench_uuid(number, 10), 0, 0, now(), number, 0 FROM numbers(" + p + ")"));
        // one insert per block index: like Kafka batches, each holds at most one block of a session, so parts start
        // with one row per block and merges fold them per session
        for (int k = 0; k < args.blocksPerSession(); k++) {
            int block = k;
            timed("session blocks " + (k + 1) + "/" + args.blocksPerSession(), () -> execute("""
                    INSERT INTO session_replay_events
                    SELECT team_id, session_id, distinct_id, first, last, [first], [last],
                      [concat('s3://reflow-recordings/30d/', toString(toDate(first)), '/batch-', toString(cityHash64(s, k) % 100000),
                              '.jsonl.zst?range=bytes=', toString(k * 20000), '-', toString(k * 20000 + 19999))],
                      initializeAggregation('argMinState', CAST(url AS Nullable(String)), first),
                      [url, concat(url, '/next')],
                      toInt64(cityHash64(s, k, 'c') % 20), toInt64(cityHash64(s, k, 'k') % 50), toInt64(cityHash64(s, k, 'm') % 200),
                      toInt64(cityHash64(s, k, 'a') % 25000), toInt64(cityHash64(s, k, 'l') % 5), toInt64(cityHash64(s, k, 'w') % 3 = 0),
                      toInt64(cityHash64(s, k, 'e') % 10 = 0), toInt64(20000 + cityHash64(s, k, 'z') % 40000),
                      toInt64(50 + cityHash64(s, k, 'n') % 400), 1,
                      initializeAggregation('argMinState', CAST('web' AS LowCardinality(Nullable(String))), first),
                      initializeAggregation('argMinState', CAST('posthog-js/1.200.0' AS LowCardinality(Nullable(String))), first),
                      toInt64(30), toDateTime(last) + 5
                    FROM (SELECT number AS s, {k} AS k, bench_person_of(s) AS p, bench_team(p) AS team_id, bench_session_id(s) AS session_id,
                                 concat('d-', toString(p)) AS distinct_id, bench_start(s) + toIntervalSecond(k * 30) AS first,
                                 first + toIntervalSecond(25) AS last,
                                 concat('https://app-', toString(team_id), '.example.com/page-', toString(cityHash64(s, 'u') % 50)) AS url
                          FROM numbers({sessions}))
                    WHERE first <= now64(3, 'UTC')""".replace("{k}", String.valueOf(block)).replace("{sessions}", String.valueOf(s))));
        }
        long chunk = 2_000_000;
        for (long start = 0; start < args.events(); start += chunk) {
            long n = Math.min(chunk, args.events() - start);
            long from = start;
            timed("events " + (start + n) / 1_000_000 + "M", () -> execute("""
                    INSERT INTO events (uuid, event, properties, timestamp, team_id, distinct_id, elements_chain, created_at,
                                        session_id, person_id, person_properties, person_created_at, person_mode, _timestamp, _offset, _partition)
                    SELECT generateUUIDv4(number), event,
                      concat('{"$current_url":"', url, '","$host":"app-', toString(team_id), '.example.com","$pathname":"/page-',
                             toString(page), '","$browser":"', browser, '","$browser_version":', toString(100 + cityHash64(q, 'bv') %% 30),
                             ',"$os":"', os, '","$device_type":"Desktop","$lib":"web","$lib_version":"1.200.0","$session_id":"', session_id,
                             '","$window_id":"', toString(cityHash64(s, 'w')), '","$screen_height":1080,"$screen_width":1920,',
                             '"$referrer":"$direct","$insert_id":"', toString(cityHash64(number, 'i')), '","token":"phc_team_',
                             toString(team_id), '"}'),
                      ts, team_id, concat('d-', toString(q)),
                      if(event = '$autocapture', concat('button.btn.btn-primary:nth-child="', toString(page %% 5),
                         '"nth-of-type="1"text="Buy now";div.row:nth-child="2";body'), ''),
                      ts + toIntervalMillisecond(cityHash64(number, 'ca') %% 2000), session_id, bench_uuid(q, 10), %s,
                      %s - toIntervalDay(60), 'full', toDateTime(ts) + 2, number, 0
                    FROM (SELECT number, cityHash64(number, 'es') %% %d AS s, bench_person_of(s) AS q, bench_team(q) AS team_id,
                                 bench_session_id(s) AS session_id,
                                 bench_start(s) + toIntervalMillisecond(cityHash64(number, 't') %% %d) AS ts,
                                 cityHash64(number, 'ev') %% 10000 AS r, %s AS event, cityHash64(number, 'pg') %% 50 AS page,
                                 concat('https://app-', toString(team_id), '.example.com/page-', toString(page)) AS url,
                                 ['Chrome','Firefox','Safari','Edge'][1 + cityHash64(q, 'b') %% 4] AS browser,
                                 ['Mac OS X','Windows','Linux','iOS','Android'][1 + cityHash64(q, 'o') %% 5] AS os
                          FROM numbers(%d, %d))
                    WHERE ts <= now64(3, 'UTC')""".formatted(personProperties, NOW, s, args.blocksPerSession() * 30_000L,
                    EVENT_MIX, from, n)));
        }
        // the rollups the views would have built from the same rows
        for (int day = 0; day <= 30; day++) {
            String sameDay = "toDate(timestamp) = toDate(" + NOW + ") - " + day;
            timed(day == 0 ? "event rollups (31 days)" : null, () -> {
                execute("INSERT INTO events_hourly SELECT team_id, event, toStartOfHour(timestamp), count(), uniqState(person_id),"
                        + " uniqStateIf(session_id, session_id != '') FROM events WHERE " + sameDay
                        + " GROUP BY team_id, event, toStartOfHour(timestamp)");
                execute("INSERT INTO events_by_session SELECT team_id, event, toDate(timestamp), session_id, count(), min(timestamp),"
                        + " max(timestamp), anyLast(person_id), anyLast(distinct_id) FROM events WHERE " + sameDay
                        + " AND session_id != '' GROUP BY team_id, event, toDate(timestamp), session_id");
            });
        }
        timed("session_replay_hourly", () -> execute("INSERT INTO session_replay_hourly SELECT team_id, toStartOfHour(first),"
                + " uniqState(session_id), count(), 0, 0, 0, 0, 0, 30 FROM (SELECT team_id, session_id,"
                + " arrayJoin(block_first_timestamps) AS first FROM session_replay_events) GROUP BY team_id, toStartOfHour(first)"));
        if (args.merge()) {
            for (String table : List.of("session_replay_events", "events_by_session", "events_hourly", "session_replay_hourly")) {
                timed("OPTIMIZE " + table + " FINAL", () -> execute("OPTIMIZE TABLE " + table + " FINAL"));
            }
        }
        execute("CREATE TABLE bench_meta ENGINE = MergeTree ORDER BY tuple() AS SELECT " + s + " AS sessions, "
                + args.events() + " AS events, now() AS generated_at");
    }

    /** A query, how to fill its parameters for iteration i, and what it is. */
    private record Query(String id, String title, String sql, Function<Integer, List<Object>> parameters) {}

    private void measure() throws SQLException {
        int bigTeam = 1;
        int smallTeam = 50;
        List<String> sessions = column("SELECT session_id FROM session_replay_events WHERE team_id = 1"
                + " AND min_first_timestamp >= now() - INTERVAL 7 DAY GROUP BY session_id ORDER BY cityHash64(session_id) LIMIT 500");
        List<String> persons = column("SELECT toString(id) FROM person WHERE team_id = 1 ORDER BY cityHash64(id) LIMIT 500");
        List<String> smallPersons = column("SELECT toString(id) FROM person WHERE team_id = 50 ORDER BY cityHash64(id) LIMIT 500");
        String sessionColumns = "session_id, any(distinct_id) AS distinct_id, min(min_first_timestamp) AS start_time,"
                + " max(max_last_timestamp) AS end_time, dateDiff('second', start_time, end_time) AS duration,"
                + " argMinMerge(first_url) AS first_url, sum(click_count) AS clicks, sum(keypress_count) AS keypresses,"
                + " sum(mouse_activity_count) AS mouse_activity, intDiv(sum(active_milliseconds), 1000) AS active_seconds,"
                + " sum(console_error_count) AS console_errors";
        // the list reads two things: which 50 sessions started last (session ids and start times only), then the
        // columns of those 50; one GROUP BY over every session of the range with all columns costs several times more
        String newestSessions = "SELECT session_id FROM session_replay_events WHERE team_id = ? AND min_first_timestamp >= now64(3)"
                + " - INTERVAL 7 DAY %s GROUP BY session_id ORDER BY min(min_first_timestamp) DESC LIMIT 50";
        String list = "SELECT " + sessionColumns + " FROM session_replay_events WHERE team_id = ? AND min_first_timestamp >= now64(3)"
                + " - INTERVAL 7 DAY AND session_id IN (" + newestSessions + ") GROUP BY session_id ORDER BY start_time DESC LIMIT 50";
        String filtered = "AND session_id IN (SELECT session_id FROM events_by_session WHERE team_id = ? AND event = ?"
                + " AND day >= today() - 7 AND person_id IN (SELECT id FROM person FINAL WHERE team_id = ?"
                + " AND properties_json.plan::Nullable(String) = ?))";
        String[][] eventFilters = {{"$pageview", "pro"}, {"checkout_completed", "pro"}, {"$purchase", "enterprise"}};

        List<Query> queries = List.of(
                new Query("a", "recordings list, team 1 (25% of data), 7 days, newest 50", list.formatted(""),
                        i -> List.of(bigTeam, bigTeam)),
                new Query("a", "recordings list, team 50 (0.7% of data), 7 days, newest 50", list.formatted(""),
                        i -> List.of(smallTeam, smallTeam)),
                new Query("a", "recordings list, team 1, one GROUP BY over all columns (single phase)",
                        "SELECT " + sessionColumns + " FROM session_replay_events WHERE team_id = ? AND min_first_timestamp >= now64(3)"
                                + " - INTERVAL 7 DAY GROUP BY session_id ORDER BY start_time DESC LIMIT 50",
                        i -> List.of(bigTeam)),
                new Query("b", "one session's blocks (team 1)",
                        "SELECT arraySort(groupArrayArray(block_first_timestamps)) AS starts, groupArrayArray(block_urls) AS urls,"
                                + " groupArrayArray(block_last_timestamps) AS ends FROM session_replay_events"
                                + " WHERE team_id = ? AND session_id = ? GROUP BY session_id",
                        i -> List.of(bigTeam, sessions.get(i % sessions.size()))),
                new Query("c", "one person's events, 30 days, newest 100 (team 1)",
                        "SELECT uuid, event, timestamp, session_id, current_url FROM events WHERE team_id = ? AND person_id = ?"
                                + " AND timestamp >= now64(3) - INTERVAL 30 DAY ORDER BY timestamp DESC LIMIT 100",
                        i -> List.of(bigTeam, persons.get(i % persons.size()))),
                new Query("c", "one person's events, 30 days, newest 100 (team 50)",
                        "SELECT uuid, event, timestamp, session_id, current_url FROM events WHERE team_id = ? AND person_id = ?"
                                + " AND timestamp >= now64(3) - INTERVAL 30 DAY ORDER BY timestamp DESC LIMIT 100",
                        i -> List.of(smallTeam, smallPersons.get(i % smallPersons.size()))),
                new Query("d", "events per hour, team 1, 30 days, from events_hourly",
                        "SELECT hour, sum(events) FROM events_hourly WHERE team_id = ? AND hour >= now() - INTERVAL 30 DAY"
                                + " GROUP BY hour ORDER BY hour",
                        i -> List.of(bigTeam)),
                new Query("d", "$pageview per hour and unique persons, team 1, 30 days",
                        "SELECT hour, sum(events), uniqMerge(persons) FROM events_hourly WHERE team_id = ? AND event = '$pageview'"
                                + " AND hour >= now() - INTERVAL 30 DAY GROUP BY hour ORDER BY hour",
                        i -> List.of(bigTeam)),
                new Query("e", "recordings list, team 1, with event X and person plan = Y (3 combinations)",
                        list.formatted(filtered),
                        i -> { String[] f = eventFilters[i % eventFilters.length];
                               return List.of(bigTeam, bigTeam, bigTeam, f[0], bigTeam, f[1]); }),
                new Query("e", "recordings list, team 50, with event X and person plan = Y",
                        list.formatted(filtered),
                        i -> { String[] f = eventFilters[i % eventFilters.length];
                               return List.of(smallTeam, smallTeam, smallTeam, f[0], smallTeam, f[1]); }));

        line("");
        line("| query | what | p50 ms | p99 ms | max ms | rows (last) |");
        line("|---|---|---:|---:|---:|---:|");
        for (Query query : queries) {
            for (int i = 0; i < 10; i++) {
                run(query, i); // warm-up: marks, caches and the JIT of the server's HTTP side
            }
            long[] nanos = new long[args.iterations()];
            int rows = 0;
            for (int i = 0; i < args.iterations(); i++) {
                long t = System.nanoTime();
                rows = run(query, i + 10);
                nanos[i] = System.nanoTime() - t;
            }
            Arrays.sort(nanos);
            line("| %s | %s | %.1f | %.1f | %.1f | %d |", query.id(), query.title(), pct(nanos, 50), pct(nanos, 99),
                    nanos[nanos.length - 1] / 1e6, rows);
        }
    }

    private int run(Query query, int i) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(query.sql())) {
            List<Object> parameters = query.parameters().apply(i);
            for (int p = 0; p < parameters.size(); p++) {
                ps.setObject(p + 1, parameters.get(p));
            }
            int rows = 0;
            try (ResultSet rs = ps.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    for (int c = 1; c <= columns; c++) {
                        rs.getObject(c);
                    }
                    rows++;
                }
            }
            return rows;
        }
    }

    private void storage() throws SQLException {
        line("");
        line("| table | rows | parts | compressed | uncompressed | ratio | bytes/row on disk |");
        line("|---|---:|---:|---:|---:|---:|---:|");
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT table, sum(rows), count(), sum(data_compressed_bytes) + sum(secondary_indices_compressed_bytes),
                       sum(data_uncompressed_bytes)
                FROM system.parts WHERE database = currentDatabase() AND active AND table NOT LIKE 'bench%'
                GROUP BY table HAVING sum(rows) > 0 ORDER BY sum(data_compressed_bytes) DESC""")) {
            while (rs.next()) {
                long rows = rs.getLong(2);
                long compressed = rs.getLong(4);
                long uncompressed = rs.getLong(5);
                line("| %s | %,d | %d | %s | %s | %.1f | %.1f |", rs.getString(1), rows, rs.getInt(3), size(compressed),
                        size(uncompressed), (double) uncompressed / Math.max(1, compressed), (double) compressed / rows);
            }
        }
        for (String table : List.of("events", "session_replay_events")) {
            line("");
            line("%s, per column (system.columns): | column | codec | compressed | uncompressed | ratio | bytes/row |", table);
            line("|---|---|---:|---:|---:|---:|");
            long rows = Long.parseLong(scalar("SELECT sum(rows) FROM system.parts WHERE database = currentDatabase() AND active"
                    + " AND table = '" + table + "'"));
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT name, compression_codec, data_compressed_bytes, data_uncompressed_bytes FROM system.columns"
                            + " WHERE database = currentDatabase() AND table = '" + table + "' ORDER BY data_compressed_bytes DESC")) {
                while (rs.next()) {
                    long compressed = rs.getLong(3);
                    long uncompressed = rs.getLong(4);
                    line("| %s | %s | %s | %s | %.1f | %.2f |", rs.getString(1), rs.getString(2).isEmpty() ? "LZ4 (default)"
                            : rs.getString(2), size(compressed), size(uncompressed), (double) uncompressed / Math.max(1, compressed),
                            (double) compressed / Math.max(1, rows));
                }
            }
        }
        try {
            Files.createDirectories(args.reportFile().toAbsolutePath().getParent());
            Files.writeString(args.reportFile(), report.toString(), StandardCharsets.UTF_8);
            System.out.println("report written to " + args.reportFile().toAbsolutePath());
        } catch (java.io.IOException e) {
            System.err.println("cannot write " + args.reportFile() + ": " + e);
        }
    }

    private interface SqlAction {
        void run() throws SQLException;
    }

    private void timed(String what, SqlAction action) throws SQLException {
        long t = System.nanoTime();
        action.run();
        if (what != null) {
            System.out.printf("  %-40s %8.1f s%n", what, (System.nanoTime() - t) / 1e9);
        }
    }

    private void execute(String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }

    private String scalar(String sql) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : "";
        }
    }

    private List<String> column(String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        if (values.isEmpty()) {
            throw new IllegalStateException("no rows for " + sql);
        }
        return values;
    }

    private static double pct(long[] sortedNanos, int percentile) {
        int index = (int) Math.ceil(percentile / 100.0 * sortedNanos.length) - 1;
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, index))] / 1e6;
    }

    private static String size(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }

    private void line(String format, Object... values) {
        String text = String.format(Locale.ROOT, format, values);
        System.out.println(text);
        report.append(text).append('\n');
    }
}

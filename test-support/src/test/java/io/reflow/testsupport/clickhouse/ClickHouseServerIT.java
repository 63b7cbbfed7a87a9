package io.reflow.testsupport.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.clickhouse.client.api.ServerException;
import io.reflow.testsupport.ChildProcess;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The real ClickHouse JDBC driver and plain HTTP against ClickHouse 26.x (chDB) behind {@link ClickHouseServer}. */
class ClickHouseServerIT {
    @RegisterExtension
    static final ClickHouseExtension CLICKHOUSE = new ClickHouseExtension();

    private final HttpClient http = HttpClient.newHttpClient();

    /** One row as the driver returns it. */
    record Row(long id, String name, Instant at, List<String> tags, String kind, Long maybe, double ratio,
               LocalDate day, UUID uuid) {}

    @Test
    void jdbcWritesAndReadsCommonColumnTypes() throws SQLException {
        try (Connection c = DriverManager.getConnection(CLICKHOUSE.jdbcUrl())) {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE typed (id UInt32, name String, at DateTime64(3, 'UTC'), tags Array(String),"
                        + " kind LowCardinality(String), maybe Nullable(Int64), ratio Float64, day Date, uuid UUID)"
                        + " ENGINE = MergeTree ORDER BY id");
                int inserted = s.executeUpdate("INSERT INTO typed VALUES"
                        + " (1, 'one', 1700000000123, ['a', 'b'], 'x', NULL, 1.5, '2024-01-02', '11111111-2222-3333-4444-555555555555'),"
                        + " (2, 'two', '2024-05-06 07:08:09.010', [], 'y', 42, -2.25, '2024-01-03', '00000000-0000-0000-0000-000000000002')");
                assertThat(inserted).isEqualTo(2);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO typed (id, name, at, tags, kind, maybe, ratio, day, uuid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setInt(1, 3);
                ps.setString(2, "tab\there 'quoted' ünï");
                ps.setTimestamp(3, Timestamp.from(Instant.parse("2025-03-04T05:06:07.891Z")));
                ps.setArray(4, c.createArrayOf("String", new String[] {"p", "q", "r"}));
                ps.setString(5, "x");
                ps.setNull(6, Types.BIGINT);
                ps.setDouble(7, 0.25);
                ps.setDate(8, java.sql.Date.valueOf("2025-03-04"));
                ps.setObject(9, UUID.fromString("33333333-3333-3333-3333-333333333333"));
                ps.addBatch();
                assertThat(ps.executeBatch()).containsExactly(1);
            }
            List<Row> rows = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM typed ORDER BY id")) {
                assertThat(rs.getMetaData().getColumnTypeName(3)).isEqualTo("DateTime64(3, 'UTC')");
                while (rs.next()) {
                    Array tags = rs.getArray("tags");
                    long maybe = rs.getLong("maybe");
                    boolean maybeIsNull = rs.wasNull();
                    rows.add(new Row(rs.getLong("id"), rs.getString("name"), rs.getTimestamp("at").toInstant(),
                            List.of((Object[]) tags.getArray()).stream().map(String::valueOf).toList(),
                            rs.getString("kind"), maybeIsNull ? null : maybe, rs.getDouble("ratio"),
                            rs.getDate("day").toLocalDate(), rs.getObject("uuid", UUID.class)));
                }
            }
            assertThat(rows).containsExactly(
                    new Row(1, "one", Instant.parse("2023-11-14T22:13:20.123Z"), List.of("a", "b"), "x", null, 1.5,
                            LocalDate.parse("2024-01-02"), UUID.fromString("11111111-2222-3333-4444-555555555555")),
                    new Row(2, "two", Instant.parse("2024-05-06T07:08:09.010Z"), List.of(), "y", 42L, -2.25,
                            LocalDate.parse("2024-01-03"), UUID.fromString("00000000-0000-0000-0000-000000000002")),
                    new Row(3, "tab\there 'quoted' ünï", Instant.parse("2025-03-04T05:06:07.891Z"), List.of("p", "q", "r"),
                            "x", null, 0.25, LocalDate.parse("2025-03-04"), UUID.fromString("33333333-3333-3333-3333-333333333333")));
        }
    }

    /** The driver's default is compress=1 (ClickHouse's compressed blocks); the others must work as well. */
    @ParameterizedTest
    @ValueSource(strings = {"", "?compress=false", "?decompress=true", "?client.use_http_compression=true",
            "?client.use_http_compression=true&decompress=true"})
    void jdbcWorksInEveryCompressionMode(String options) throws SQLException {
        String table = "compressed_" + Integer.toHexString(options.hashCode() & 0xfffffff);
        try (Connection c = DriverManager.getConnection(CLICKHOUSE.jdbcUrl() + options); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + table + " (n UInt64, s String) ENGINE = MergeTree ORDER BY n");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?)")) {
                for (int i = 0; i < 500; i++) {
                    ps.setLong(1, i);
                    ps.setString(2, "value-" + i);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (ResultSet rs = s.executeQuery("SELECT count(), sum(n), max(s) FROM " + table)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(500);
                assertThat(rs.getLong(2)).isEqualTo(499L * 500 / 2);
                assertThat(rs.getString(3)).isEqualTo("value-99");
            }
        }
    }

    @Test
    void anErrorSurfacesAsSqlExceptionWithTheServersMessageAndCode() throws SQLException {
        try (Connection c = DriverManager.getConnection(CLICKHOUSE.jdbcUrl()); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELECT * FROM no_such_table"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("Code: 60. DB::Exception:")
                    .hasMessageContaining("UNKNOWN_TABLE")
                    .cause().isInstanceOfSatisfying(ServerException.class, e -> assertThat(e.getCode()).isEqualTo(60));
            // the connection stays usable
            try (ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void plainHttpSpeaksClickHouse() throws Exception {
        assertThat(get("/ping").body()).isEqualTo("Ok.\n");

        CLICKHOUSE.query("CREATE TABLE http_rows (k String, v UInt32) ENGINE = MergeTree ORDER BY k");
        HttpResponse<String> insert = post("/?query=" + encode("INSERT INTO http_rows FORMAT JSONEachRow"),
                "{\"k\":\"a\",\"v\":1}\n{\"k\":\"b\",\"v\":2}\n");
        assertThat(insert.statusCode()).isEqualTo(200);
        assertThat(insert.headers().firstValue("X-ClickHouse-Summary").orElseThrow()).contains("\"written_rows\":\"2\"");

        assertThat(CLICKHOUSE.query("SELECT k, v FROM http_rows ORDER BY k")).isEqualTo("a\t1\nb\t2\n");
        HttpResponse<String> json = post("/?default_format=JSONEachRow&param_min=2", "SELECT k FROM http_rows WHERE v >= {min:UInt32}");
        assertThat(json.body()).isEqualTo("{\"k\":\"b\"}\n");
        assertThat(json.headers().firstValue("X-ClickHouse-Format")).hasValue("JSONEachRow");
        assertThat(json.headers().firstValue("X-ClickHouse-Timezone")).hasValue("UTC");
        assertThat(json.headers().firstValue("X-ClickHouse-Query-Id")).isPresent();
        assertThat(post("/?max_threads=1", "SELECT getSetting('max_threads')").body()).isEqualTo("1\n");
        assertThat(post("/", "SELECT getSetting('max_threads') = 1").body()).as("settings do not leak").isEqualTo("0\n");
        assertThat(post("/?database=system", "SELECT currentDatabase()").body()).isEqualTo("system\n");

        HttpResponse<String> readOnly = get("/?query=" + encode("DROP TABLE http_rows"));
        assertThat(readOnly.statusCode()).isEqualTo(500);
        assertThat(readOnly.body()).contains("READONLY");
        assertThat(readOnly.headers().firstValue("X-ClickHouse-Exception-Code")).hasValue("164");

        assertThat(post("/?readonly=1", "CREATE TABLE refused (x UInt8) ENGINE = Memory").body()).contains("READONLY");
        CLICKHOUSE.query("CREATE TABLE accepted (x UInt8) ENGINE = Memory"); // the previous request's readonly is gone

        HttpResponse<byte[]> gzipped = http.send(HttpRequest.newBuilder(URI.create(CLICKHOUSE.httpUrl() + "/?enable_http_compression=1"))
                .header("Accept-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofString("SELECT 'zipped'")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(new String(new GZIPInputStream(new ByteArrayInputStream(gzipped.body())).readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo("zipped\n");

        assertThatThrownBy(() -> CLICKHOUSE.query("SELEC 1"))
                .isInstanceOfSatisfying(ClickHouseQueryException.class, e -> assertThat(e.code()).isEqualTo(62))
                .hasMessageStartingWith("Code: 62. DB::Exception: Syntax error");
    }

    @Test
    void restartingOnTheSameDataDirKeepsTablesAndData(@TempDir Path dataDir) throws SQLException {
        long started = System.nanoTime();
        ClickHouseServer first = ClickHouseServer.start(dataDir, 0);
        long firstStartMillis = (System.nanoTime() - started) / 1_000_000;
        try {
            try (Connection c = DriverManager.getConnection(first.jdbcUrl()); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE kept (id UInt32, at DateTime64(3, 'UTC')) ENGINE = MergeTree ORDER BY id");
                s.executeUpdate("INSERT INTO kept VALUES (1, 1700000000001), (2, 1700000000002)");
            }
        } finally {
            started = System.nanoTime();
            first.stop();
        }
        long stopMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(first.isRunning()).isFalse();

        started = System.nanoTime();
        ClickHouseServer second = ClickHouseServer.start(dataDir, 0);
        long restartMillis = (System.nanoTime() - started) / 1_000_000;
        try {
            assertThat(second.query("SELECT id, at FROM kept ORDER BY id"))
                    .isEqualTo("1\t2023-11-14 22:13:20.001\n2\t2023-11-14 22:13:20.002\n");
            second.query("INSERT INTO kept VALUES (3, 1700000000003)");
        } finally {
            second.kill();
        }
        assertThat(second.isRunning()).isFalse();

        try (ClickHouseServer third = ClickHouseServer.start(dataDir, 0)) {
            assertThat(third.query("SELECT count() FROM kept")).as("data survives a SIGKILL").isEqualTo("3\n");
        }
        System.out.printf("ClickHouse (chDB) start: first %d ms, restart %d ms; stop (SIGTERM) %d ms%n",
                firstStartMillis, restartMillis, stopMillis);
    }

    @Test
    void theServerDoesNotOutliveAKilledParent(@TempDir Path dir) throws Exception {
        try (ChildProcess parent = ChildProcess.startJava("server-parent", System.getProperty("java.class.path"), List.of(),
                ServerParent.class.getName(), List.of(dir.resolve("data").toString()), dir.resolve("parent.log"))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.readString(parent.log()).contains("STARTED") && System.nanoTime() < deadline) {
                assertThat(parent.isAlive()).as(parent.logTail(20)).isTrue();
                Thread.sleep(50);
            }
            List<ProcessHandle> servers = ProcessHandle.of(parent.pid()).orElseThrow().descendants().toList();
            assertThat(servers).isNotEmpty();

            ProcessHandle.of(parent.pid()).orElseThrow().destroyForcibly(); // SIGKILL: no shutdown hooks run

            for (ProcessHandle server : servers) {
                server.onExit().get(20, TimeUnit.SECONDS);
            }
        }
    }

    /** A JVM that starts a server and is then killed by {@link #theServerDoesNotOutliveAKilledParent}. */
    public static final class ServerParent {
        public static void main(String[] args) throws InterruptedException {
            ClickHouseServer.start(Path.of(args[0]), 0);
            System.out.println("STARTED");
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(CLICKHOUSE.httpUrl() + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String pathAndQuery, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(CLICKHOUSE.httpUrl() + pathAndQuery))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}

package io.reflow.testsupport.clickhouse;

import io.reflow.testsupport.ChildProcess;
import io.reflow.testsupport.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A ClickHouse server for tests and local runs: ClickHouse's HTTP interface served from chDB
 * ({@link ChdbHttpServerMain}) in a child JVM. The real ClickHouse JDBC driver and curl talk to it as to a
 * ClickHouse server. Tables and data live in the data directory: a server started again on it finds them.
 */
public final class ClickHouseServer implements AutoCloseable {
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(120);
    private static final List<String> JVM_ARGS = List.of("-Dsun.net.httpserver.nodelay=true", "-Xmx256m",
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final ChildProcess process;
    private final Path dataDir;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private ClickHouseServer(ChildProcess process, Path dataDir, int port) {
        this.process = process;
        this.dataDir = dataDir;
        this.port = port;
    }

    /**
     * Starts a server on {@code dataDir} (created if missing) listening on 127.0.0.1:{@code port} (0: a free
     * port) and returns once it answers {@code /ping}. The first start on a machine fetches chDB (see
     * {@link ChdbLibrary}).
     */
    public static ClickHouseServer start(Path dataDir, int port) {
        Path library = ChdbLibrary.path();
        int actualPort = Ports.orFree(port);
        Path absoluteDataDir = dataDir.toAbsolutePath();
        ChildProcess process = ChildProcess.startJava("clickhouse-chdb:" + actualPort,
                System.getProperty("java.class.path"), JVM_ARGS, ChdbHttpServerMain.class.getName(),
                List.of("--port", String.valueOf(actualPort), "--data-dir", absoluteDataDir.toString(),
                        "--library", library.toString(), "--exit-with-parent"),
                absoluteDataDir.resolve(ChdbHttpServerMain.STATE_DIR).resolve("server.log"));
        ClickHouseServer server = new ClickHouseServer(process, absoluteDataDir, actualPort);
        try {
            server.awaitPing();
        } catch (RuntimeException e) {
            process.kill();
            throw e;
        }
        return server;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The server's output (the HTTP request log and chDB's warnings). */
    public Path log() {
        return process.log();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    public String httpUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** For the ClickHouse JDBC driver (com.clickhouse:clickhouse-jdbc), database {@code default}. */
    public String jdbcUrl() {
        return jdbcUrl("default");
    }

    public String jdbcUrl(String database) {
        return "jdbc:clickhouse://127.0.0.1:" + port + "/" + database;
    }

    /** Runs {@code sql} over HTTP and returns its result as TabSeparated text ("" for statements without output). */
    public String query(String sql) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(httpUrl() + "/?default_format=TabSeparated"))
                .timeout(QUERY_TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString(sql, StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response = send(request);
        if (response.statusCode() != 200) {
            int code = response.headers().firstValue("X-ClickHouse-Exception-Code").map(Integer::parseInt).orElse(0);
            throw new ClickHouseQueryException(code, response.body().strip());
        }
        return response.body();
    }

    /** SIGTERM: the server closes chDB cleanly (Kafka consumers leave, parts are flushed). */
    public void stop() {
        process.stop(30);
    }

    /** SIGKILL: no chance to clean up, as in a crash. */
    public void kill() {
        process.kill();
    }

    @Override
    public void close() {
        process.close();
    }

    private void awaitPing() {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        HttpRequest ping = HttpRequest.newBuilder(URI.create(httpUrl() + "/ping")).timeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("ClickHouse (chDB) exited with " + process.exitValue()
                        + " before answering /ping; log " + process.log() + ":\n" + process.logTail(40));
            }
            try {
                HttpResponse<String> response = http.send(ping, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().equals("Ok.\n")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            sleep(50);
        }
        throw new IllegalStateException("ClickHouse (chDB) did not answer /ping on " + httpUrl() + " within "
                + STARTUP_TIMEOUT + "; log " + process.log() + ":\n" + process.logTail(40));
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("ClickHouse at " + httpUrl() + " unreachable", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

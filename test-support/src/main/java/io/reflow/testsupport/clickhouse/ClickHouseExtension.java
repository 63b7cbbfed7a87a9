package io.reflow.testsupport.clickhouse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link ClickHouseServer} per test class, on a fresh temporary data directory that is deleted afterwards:
 * {@code @RegisterExtension static final ClickHouseExtension CLICKHOUSE = new ClickHouseExtension();}
 */
public final class ClickHouseExtension implements BeforeAllCallback, AfterAllCallback {
    // @Nested classes run the callbacks again; only the outermost class starts and stops the server
    private int activeClasses;
    private Path dataDir;
    private ClickHouseServer server;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        if (activeClasses++ > 0) {
            return;
        }
        dataDir = Files.createTempDirectory("reflow-clickhouse-");
        server = ClickHouseServer.start(dataDir, 0);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (--activeClasses > 0) {
            return;
        }
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            server = null;
            deleteRecursively(dataDir);
            dataDir = null;
        }
    }

    public ClickHouseServer server() {
        if (server == null) {
            throw new IllegalStateException("ClickHouseExtension is not running: register it as a static @RegisterExtension field");
        }
        return server;
    }

    public String jdbcUrl() {
        return server().jdbcUrl();
    }

    public String jdbcUrl(String database) {
        return server().jdbcUrl(database);
    }

    public String httpUrl() {
        return server().httpUrl();
    }

    public String query(String sql) {
        return server().query(sql);
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}

package io.reflow.testsupport.clickhouse;

import io.reflow.testsupport.ComponentExtension;
import java.nio.file.Path;

/**
 * One {@link ClickHouseServer} per test class, on a fresh temporary data directory that is deleted afterwards:
 * {@code @RegisterExtension static final ClickHouseExtension CLICKHOUSE = new ClickHouseExtension();}
 */
public final class ClickHouseExtension extends ComponentExtension<ClickHouseServer> {

    public ClickHouseExtension() {
        super("clickhouse");
    }

    @Override
    protected ClickHouseServer start(Path dataDir) {
        return ClickHouseServer.start(dataDir, 0);
    }

    @Override
    protected void stop(ClickHouseServer server) {
        server.close();
    }

    public ClickHouseServer server() {
        return component();
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
}

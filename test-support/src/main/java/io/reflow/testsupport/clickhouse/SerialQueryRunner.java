package io.reflow.testsupport.clickhouse;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

/**
 * Runs HTTP queries on chDB one at a time, on one thread. Each query gets a fresh, short-lived connection to the
 * engine (cheap, ~0.3 ms), so its database, settings and readonly mode cannot leak into the next request — the
 * same isolation ClickHouse's HTTP interface gives sessionless requests. The engine itself, with its storage and
 * its background work (Kafka consumers, merges), lives on the server's persistent connection.
 */
final class SerialQueryRunner implements AutoCloseable {
    private static final Pattern SETTING_NAME = Pattern.compile("[A-Za-z0-9_.]+");
    private final Chdb chdb;
    private final Path dataDir;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "chdb-queries");
        t.setDaemon(true);
        return t;
    });

    SerialQueryRunner(Chdb chdb, Path dataDir) {
        this.chdb = chdb;
        this.dataDir = dataDir;
    }

    ChdbResult run(HttpQuery query) throws ChdbQueryException, InterruptedException {
        Future<ChdbResult> result = thread.submit(() -> runNow(query));
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ChdbQueryException q) {
                throw q;
            }
            throw new ChdbQueryException("Code: 1001. DB::Exception: " + e.getCause());
        }
    }

    private ChdbResult runNow(HttpQuery query) throws ChdbQueryException {
        try (ChdbConnection connection = chdb.connect(List.of("--path=" + dataDir))) {
            connection.query("USE " + quoteIdentifier(query.database()));
            for (Map.Entry<String, String> setting : query.settings().entrySet()) {
                if (!SETTING_NAME.matcher(setting.getKey()).matches()) {
                    throw new ChdbQueryException("Code: 115. DB::Exception: Unknown setting '" + setting.getKey() + "'. (UNKNOWN_SETTING)");
                }
                connection.query("SET " + setting.getKey() + " = " + quoteString(setting.getValue()));
            }
            return connection.query(query.sql(), query.outputFormat(), query.parameters());
        }
    }

    static String quoteIdentifier(String name) {
        return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`";
    }

    static String quoteString(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}

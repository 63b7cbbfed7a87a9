package io.reflow.testsupport.clickhouse;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A connection (session) to the chDB engine. Not thread-safe: a connection runs one statement at a time. */
final class ChdbConnection implements AutoCloseable {
    private final ChdbApi api;
    private Pointer handle;
    private final Pointer connection;

    ChdbConnection(ChdbApi api, Pointer handle) {
        this.api = api;
        this.handle = handle;
        this.connection = handle.getPointer(0);
    }

    ChdbResult query(String sql) throws ChdbQueryException {
        return query(sql.getBytes(StandardCharsets.UTF_8), "TabSeparated", Map.of());
    }

    /** Runs {@code sql} (binary-safe, may carry inline INSERT data); {@code format} applies unless it has a FORMAT clause. */
    ChdbResult query(byte[] sql, String format, Map<String, String> parameters) throws ChdbQueryException {
        if (handle == null) {
            throw new IllegalStateException("connection closed");
        }
        byte[] formatBytes = format.getBytes(StandardCharsets.UTF_8);
        long started = System.nanoTime();
        Pointer result;
        if (parameters.isEmpty()) {
            result = api.chdb_query_n(connection, sql, sql.length, formatBytes, formatBytes.length);
        } else {
            int n = parameters.size();
            Pointer[] names = new Pointer[n];
            long[] nameLengths = new long[n];
            Pointer[] values = new Pointer[n];
            long[] valueLengths = new long[n];
            int i = 0;
            for (Map.Entry<String, String> p : parameters.entrySet()) {
                byte[] name = p.getKey().getBytes(StandardCharsets.UTF_8);
                byte[] value = p.getValue().getBytes(StandardCharsets.UTF_8);
                names[i] = memory(name);
                nameLengths[i] = name.length;
                values[i] = memory(value);
                valueLengths[i] = value.length;
                i++;
            }
            result = api.chdb_query_with_params_n(connection, sql, sql.length, formatBytes, formatBytes.length,
                    names, nameLengths, values, valueLengths, n);
        }
        if (result == null) {
            throw new ChdbQueryException("Code: 1001. DB::Exception: chDB returned no result");
        }
        try {
            Pointer error = api.chdb_result_error(result);
            if (error != null) {
                throw new ChdbQueryException(error.getString(0, StandardCharsets.UTF_8.name()).strip());
            }
            long length = api.chdb_result_length(result);
            byte[] data = length == 0 ? new byte[0] : api.chdb_result_buffer(result).getByteArray(0, Math.toIntExact(length));
            double elapsed = api.chdb_result_elapsed(result);
            return new ChdbResult(data,
                    api.chdb_result_rows_read(result), api.chdb_result_bytes_read(result),
                    api.chdb_result_storage_rows_read(result), api.chdb_result_storage_bytes_read(result),
                    api.chdb_result_rows_written(result), api.chdb_result_bytes_written(result),
                    elapsed > 0 ? (long) (elapsed * 1e9) : System.nanoTime() - started);
        } finally {
            api.chdb_destroy_query_result(result);
        }
    }

    private static Memory memory(byte[] bytes) {
        Memory m = new Memory(Math.max(1, bytes.length)); // JNA refuses zero-length Memory; lengths travel separately
        m.write(0, bytes, 0, bytes.length);
        return m;
    }

    @Override
    public void close() {
        if (handle != null) {
            api.chdb_close_conn(handle);
            handle = null;
        }
    }
}

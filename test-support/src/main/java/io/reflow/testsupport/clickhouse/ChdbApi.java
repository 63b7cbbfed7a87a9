package io.reflow.testsupport.clickhouse;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/** The part of chDB's C API (chdb.h) used here; size_t is 64-bit on the only platform the library ships for. */
interface ChdbApi extends Library {
    void chdb_set_signal_handlers_enabled(int enabled);

    /** Returns a pointer to the connection handle (chdb_connection *), NULL on failure. */
    Pointer chdb_connect(int argc, String[] argv);

    void chdb_close_conn(Pointer connectionHandle);

    Pointer chdb_query_n(Pointer connection, byte[] query, long queryLength, byte[] format, long formatLength);

    Pointer chdb_query_with_params_n(Pointer connection, byte[] query, long queryLength, byte[] format, long formatLength,
                                     Pointer[] names, long[] nameLengths, Pointer[] values, long[] valueLengths, long count);

    Pointer chdb_result_buffer(Pointer result);

    long chdb_result_length(Pointer result);

    double chdb_result_elapsed(Pointer result);

    long chdb_result_rows_read(Pointer result);

    long chdb_result_bytes_read(Pointer result);

    long chdb_result_storage_rows_read(Pointer result);

    long chdb_result_storage_bytes_read(Pointer result);

    long chdb_result_rows_written(Pointer result);

    long chdb_result_bytes_written(Pointer result);

    Pointer chdb_result_error(Pointer result);

    void chdb_destroy_query_result(Pointer result);

    Pointer chdb_version();
}

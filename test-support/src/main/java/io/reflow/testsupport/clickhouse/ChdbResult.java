package io.reflow.testsupport.clickhouse;

/**
 * The output of one statement as chDB reports it. {@code resultRows}/{@code resultBytes} describe the result
 * set, {@code readRows}/{@code readBytes} what was read from storage, written counts include materialized views.
 */
record ChdbResult(byte[] data, long resultRows, long resultBytes, long readRows, long readBytes,
                  long writtenRows, long writtenBytes, long elapsedNanos) {
}

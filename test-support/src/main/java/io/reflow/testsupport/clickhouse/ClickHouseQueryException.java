package io.reflow.testsupport.clickhouse;

/** ClickHouse refused a statement; the message is the server's "Code: N. DB::Exception: …" text. */
public final class ClickHouseQueryException extends RuntimeException {
    private final int code;

    public ClickHouseQueryException(int code, String message) {
        super(message);
        this.code = code;
    }

    /** ClickHouse's error code (e.g. 60 for UNKNOWN_TABLE), from X-ClickHouse-Exception-Code. */
    public int code() {
        return code;
    }
}

package io.reflow.testsupport.clickhouse;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An error chDB returned for a statement, with ClickHouse's numeric error code (0 if the text carries none). */
final class ChdbQueryException extends Exception {
    private static final Pattern CODE = Pattern.compile("Code: (\\d+)\\.");
    private final int code;

    ChdbQueryException(String message) {
        super(message);
        Matcher m = CODE.matcher(message);
        this.code = m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    int code() {
        return code;
    }
}

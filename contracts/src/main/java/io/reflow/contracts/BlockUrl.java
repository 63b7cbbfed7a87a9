package io.reflow.contracts;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where one session block lives: {@code s3://bucket/key?range=bytes=START-END} (END inclusive, as in an
 * HTTP Range header), so a player fetches just that block with one ranged GET. Blocks written to a
 * local filesystem (tests, single-machine runs) read {@code file:///path?range=bytes=START-END}.
 */
public record BlockUrl(String scheme, String bucket, String key, long start, long endInclusive) {
    private static final Pattern FORMAT = Pattern.compile("^(s3|s3a|file)://([^/]*)/(.+)\\?range=bytes=(\\d+)-(\\d+)$");

    public BlockUrl {
        if (start < 0 || endInclusive < start) {
            throw new IllegalArgumentException("bad byte range " + start + "-" + endInclusive);
        }
    }

    public static BlockUrl parse(String url) {
        Matcher m = FORMAT.matcher(url);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a block url (s3://bucket/key?range=bytes=START-END): " + url);
        }
        return new BlockUrl(m.group(1), m.group(2), m.group(3), Long.parseLong(m.group(4)), Long.parseLong(m.group(5)));
    }

    public long length() {
        return endInclusive - start + 1;
    }

    public String rangeHeader() {
        return "bytes=" + start + "-" + endInclusive;
    }

    @Override
    public String toString() {
        return scheme + "://" + bucket + "/" + key + "?range=" + rangeHeader();
    }
}

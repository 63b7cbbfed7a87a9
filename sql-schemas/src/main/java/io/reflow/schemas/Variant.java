package io.reflow.schemas;

import java.util.Locale;

/** Which schema a ClickHouse deployment gets: one node, or shards behind Distributed tables. */
public enum Variant {
    SINGLE,
    SHARDED;

    /** The folder under {@code clickhouse/} holding this variant's migrations. */
    public String directory() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Variant parse(String text) {
        for (Variant v : values()) {
            if (v.directory().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown variant '" + text + "' (single or sharded)");
    }
}

package io.reflow.contracts;

import java.util.Locale;

/** Retention classes a team can be on; the name is the S3 path segment, the days go into summary rows. */
public enum RetentionClass {
    D30("30d", 30), D90("90d", 90), Y1("1y", 365), Y5("5y", 1825);

    private final String pathSegment;
    private final int days;

    RetentionClass(String pathSegment, int days) {
        this.pathSegment = pathSegment;
        this.days = days;
    }

    public String pathSegment() {
        return pathSegment;
    }

    public int days() {
        return days;
    }

    public static RetentionClass parse(String value) {
        if (value == null || value.isBlank()) {
            return D30;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (RetentionClass c : values()) {
            if (c.pathSegment.equals(v)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown retention class '" + value + "' (expected 30d, 90d, 1y or 5y)");
    }
}

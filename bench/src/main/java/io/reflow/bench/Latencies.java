package io.reflow.bench;

import java.util.Arrays;

/** Recorded latencies (nanoseconds), for percentiles; filled by one thread, read after it finished. */
final class Latencies {
    private long[] values = new long[1 << 16];
    private int count;

    void add(long nanos) {
        if (count == values.length) {
            values = Arrays.copyOf(values, 2 * values.length);
        }
        values[count++] = nanos;
    }

    void addAll(Latencies other) {
        for (int i = 0; i < other.count; i++) {
            add(other.values[i]);
        }
    }

    int count() {
        return count;
    }

    /** The {@code p}-th percentile (0..100) in milliseconds, or NaN without values. */
    double percentileMillis(double p) {
        if (count == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(values, count);
        Arrays.sort(sorted);
        int index = (int) Math.min(count - 1, Math.max(0, Math.ceil(p / 100.0 * count) - 1));
        return sorted[index] / 1e6;
    }
}

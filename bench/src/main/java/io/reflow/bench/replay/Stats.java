package io.reflow.bench.replay;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Percentiles and medians of measured values. */
final class Stats {
    private Stats() {}

    /** The {@code p}-th percentile (0..100, nearest rank), or NaN without values. */
    static double percentile(List<? extends Number> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values.size());
        values.forEach(v -> sorted.add(v.doubleValue()));
        Collections.sort(sorted);
        int index = (int) Math.min(sorted.size() - 1, Math.max(0, Math.ceil(p / 100.0 * sorted.size()) - 1));
        return sorted.get(index);
    }

    static double median(List<Double> values) {
        return percentile(values.stream().filter(v -> !v.isNaN()).toList(), 50);
    }
}

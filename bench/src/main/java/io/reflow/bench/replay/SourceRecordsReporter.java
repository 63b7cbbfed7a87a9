package io.reflow.bench.replay;

import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Keeps the {@code numRecordsOut} counters of the source tasks (Kafka source and decode, chained) so
 * {@link ReplayJobHost}, in the same JVM, can read how many records they have emitted without asking the REST API:
 * the REST metric fetcher serialises every metric of the cluster on each refresh, which cost the job JVM a fifth of
 * its CPU at the sampling rate the benchmark needs.
 */
public final class SourceRecordsReporter implements MetricReporter {
    private static final Queue<Counter> SOURCE_COUNTERS = new ConcurrentLinkedQueue<>();

    /** Records the source tasks have emitted so far, summed over subtasks. */
    static long sourceRecordsOut() {
        long sum = 0;
        for (Counter c : SOURCE_COUNTERS) {
            sum += c.getCount();
        }
        return sum;
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        Map<String, String> variables = group.getAllVariables();
        if ("numRecordsOut".equals(name) && metric instanceof Counter counter && !variables.containsKey("<operator_name>")
                && variables.getOrDefault("<task_name>", "").startsWith("Source: recordings")) {
            SOURCE_COUNTERS.add(counter);
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        if (metric instanceof Counter counter) {
            SOURCE_COUNTERS.remove(counter);
        }
    }

    /** Named in the MiniCluster's configuration ({@code metrics.reporter.source-records.factory.class}). */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new SourceRecordsReporter();
        }
    }
}

package io.reflow.bench.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * How many records a job has written to its output topic over time, from the partitions' end offsets (read
 * uncommitted: records count as soon as the job's transactional producers wrote them, not when the checkpoint
 * commits them, so the rate is not quantised by the checkpoint interval). Each transaction adds one commit marker
 * per partition it wrote to; with a few per checkpoint interval that is well under 0.1% of the counts measured here.
 */
final class OutputProgress {
    /** A reading: nanoTime, records so far and the CPU counters at that moment. */
    record Sample(long nanos, long records, CpuTicks.Reading cpu) {}

    /**
     * @param rate records/s between the first readings at or past 10% and 90% of the expected records
     * @param elapsed from the job's submission until every expected record was written
     * @param cpu cores used over the same window as {@code rate}
     */
    record Result(double rate, Duration elapsed, CpuTicks.Usage cpu) {}

    private OutputProgress() {}

    /**
     * Polls until the topic holds {@code expected} records; {@code failed} is asked on every poll and ends the wait
     * with an exception when the job is gone.
     */
    static Result await(Admin admin, String topic, int partitions, long expected, long submittedNanos, Duration timeout,
                        CpuTicks cpu, BooleanSupplier failed) throws InterruptedException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        ListOffsetsOptions uncommitted = new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED);
        List<Sample> samples = new ArrayList<>();
        long deadline = submittedNanos + timeout.toNanos();
        while (true) {
            long records;
            try {
                records = admin.listOffsets(request, uncommitted).all().get().values().stream()
                        .mapToLong(o -> o.offset()).sum();
            } catch (ExecutionException e) {
                throw new IllegalStateException("cannot read the end offsets of " + topic, e.getCause());
            }
            CpuTicks.Reading reading = cpu.read();
            long last = samples.isEmpty() ? 0 : samples.get(samples.size() - 1).records();
            if (crossed(last, records, expected / 10) || crossed(last, records, expected * 9 / 10)) {
                reading = reading.withCompilers(); // where the window starts or ends
            }
            long now = reading.nanos();
            samples.add(new Sample(now, records, reading));
            if (records >= expected) {
                Sample from = firstAtLeast(samples, expected / 10);
                Sample to = firstAtLeast(samples, expected * 9 / 10);
                return new Result(rate(from, to), Duration.ofNanos(now - submittedNanos), CpuTicks.between(from.cpu(), to.cpu()));
            }
            if (failed.getAsBoolean()) {
                throw new IllegalStateException("the job stopped after writing " + records + " of " + expected + " records");
            }
            if (now > deadline) {
                throw new IllegalStateException("timed out after writing " + records + " of " + expected + " records to " + topic);
            }
            Thread.sleep(100);
        }
    }

    static double rate(Sample from, Sample to) {
        if (to.nanos() == from.nanos()) {
            return Double.NaN;
        }
        return (to.records() - from.records()) / ((to.nanos() - from.nanos()) / 1e9);
    }

    private static boolean crossed(long before, long now, long mark) {
        return before < mark && now >= mark;
    }

    private static Sample firstAtLeast(List<Sample> samples, long records) {
        for (Sample s : samples) {
            if (s.records() >= records) {
                return s;
            }
        }
        return null;
    }
}

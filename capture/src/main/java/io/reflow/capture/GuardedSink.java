package io.reflow.capture;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounds how long a request waits for its records to be acknowledged, turns any sink failure into a 503,
 * and counts what was written (by kind, dead letters by reason) and how long the acknowledgement took.
 */
final class GuardedSink {
    private final RecordSink sink;
    private final Duration timeout;
    private final CaptureConfig config;
    private final CaptureMetrics metrics;

    GuardedSink(RecordSink sink, Duration timeout, CaptureConfig config, CaptureMetrics metrics) {
        this.sink = sink;
        this.timeout = timeout;
        this.config = config;
        this.metrics = metrics;
    }

    CompletableFuture<Void> send(List<SinkRecord> records) {
        long start = System.nanoTime();
        CompletableFuture<Void> sent;
        try {
            sent = sink.send(records);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((ok, failure) -> {
                    long nanos = System.nanoTime() - start;
                    if (failure == null) {
                        metrics.sinkAck("ok", nanos);
                        count(records);
                        return null;
                    }
                    Throwable cause = ErrorMapper.unwrap(failure);
                    if (cause instanceof TimeoutException) {
                        metrics.sinkAck("timeout", nanos);
                        throw CaptureException.unavailable("sink_timeout",
                                "the records were not acknowledged within " + timeout.toMillis() + " ms; retry later", cause);
                    }
                    metrics.sinkAck("failed", nanos);
                    throw CaptureException.unavailable("sink_unavailable", "the records could not be written; retry later", cause);
                });
    }

    private void count(List<SinkRecord> records) {
        int events = 0;
        int recordings = 0;
        long eventBytes = 0;
        long recordingBytes = 0;
        for (SinkRecord r : records) {
            if (r.topic().equals(config.eventsTopic())) {
                events++;
                eventBytes += r.value().length;
            } else if (r.topic().equals(config.recordingsTopic())) {
                recordings++;
                recordingBytes += r.value().length;
            } else if (r.topic().equals(config.deadLetterTopic())) {
                metrics.deadLettered(r.headers().getOrDefault(SinkRecord.HEADER_REASON, "unknown"));
                metrics.written("dead_letter", 1, r.value().length);
            }
        }
        if (events > 0) {
            metrics.written("events", events, eventBytes);
        }
        if (recordings > 0) {
            metrics.written("recordings", recordings, recordingBytes);
        }
    }
}

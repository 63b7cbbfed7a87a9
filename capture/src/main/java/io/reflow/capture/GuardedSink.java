package io.reflow.capture;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Bounds how long a request waits for its records to be acknowledged, and turns any sink failure into a 503. */
final class GuardedSink {
    private final RecordSink sink;
    private final Duration timeout;

    GuardedSink(RecordSink sink, Duration timeout) {
        this.sink = sink;
        this.timeout = timeout;
    }

    CompletableFuture<Void> send(List<SinkRecord> records) {
        CompletableFuture<Void> sent;
        try {
            sent = sink.send(records);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((ok, failure) -> {
                    if (failure == null) {
                        return null;
                    }
                    Throwable cause = ErrorMapper.unwrap(failure);
                    if (cause instanceof TimeoutException) {
                        throw CaptureException.unavailable("sink_timeout",
                                "the records were not acknowledged within " + timeout.toMillis() + " ms; retry later", cause);
                    }
                    throw CaptureException.unavailable("sink_unavailable", "the records could not be written; retry later", cause);
                });
    }
}

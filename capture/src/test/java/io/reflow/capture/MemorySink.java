package io.reflow.capture;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** A sink that keeps what it is sent; its answer can be changed to fail or to never acknowledge. */
final class MemorySink implements RecordSink {
    static final Function<List<SinkRecord>, CompletableFuture<Void>> ACK = r -> CompletableFuture.completedFuture(null);
    static final Function<List<SinkRecord>, CompletableFuture<Void>> FAIL =
            r -> CompletableFuture.failedFuture(new IllegalStateException("broker down"));
    static final Function<List<SinkRecord>, CompletableFuture<Void>> HANG = r -> new CompletableFuture<>();

    private final List<SinkRecord> records = new CopyOnWriteArrayList<>();
    private volatile Function<List<SinkRecord>, CompletableFuture<Void>> answer = ACK;
    volatile int flushes;

    @Override
    public CompletableFuture<Void> send(List<SinkRecord> batch) {
        records.addAll(batch);
        return answer.apply(batch);
    }

    @Override
    public void flush() {
        flushes++;
    }

    void answer(Function<List<SinkRecord>, CompletableFuture<Void>> answer) {
        this.answer = answer;
    }

    void reset() {
        records.clear();
        answer = ACK;
    }

    List<SinkRecord> on(String topic) {
        return records.stream().filter(r -> r.topic().equals(topic)).toList();
    }

    List<SinkRecord> all() {
        return List.copyOf(records);
    }

    static String value(SinkRecord r) {
        return new String(r.value(), StandardCharsets.UTF_8);
    }
}

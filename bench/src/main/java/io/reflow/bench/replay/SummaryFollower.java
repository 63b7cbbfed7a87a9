package io.reflow.bench.replay;

import io.reflow.contracts.BlockUrl;
import io.reflow.contracts.Json;
import io.reflow.contracts.SessionBlockSummary;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Follows the summary topic read_committed from its start, as ClickHouse would, and takes for every row: the block's
 * uncompressed size (its {@code size}) and compressed size (its byte range), the batch file it is in (first seen
 * when), and, for the sessions whose messages were announced with {@link #expect}, the capture-to-committed
 * latency of every message the block holds: the time the row became readable minus the message's
 * {@code received_at_ms}. A message is in the block when its last event timestamp (= its {@code received_at_ms},
 * see {@link RecordingWorkload}) is at most the block's {@code last_timestamp}: a session's messages are in one
 * partition, in order, and its blocks are written in order.
 */
final class SummaryFollower implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final Map<String, ArrayDeque<Long>> expected = new ConcurrentHashMap<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean running = true;

    // written by the follower thread, read under this object's lock
    private final Map<String, Long> fileFirstSeen = new HashMap<>();
    private final Set<String> sessions = new HashSet<>();
    private final List<Long> latenciesMs = new ArrayList<>();
    private final List<Long> messagesPerBlock = new ArrayList<>();
    private long rows;
    private long events;
    private long uncompressedBytes;
    private long compressedBytes;
    private long expectedCount;
    private long lastRowAtMs;

    SummaryFollower(String bootstrapServers, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-follower-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumer.subscribe(List.of(topic));
        thread = new Thread(this::run, "summary-follower-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    /** A message of {@code sessionId} received at {@code receivedAtMs} is on its way (call before sending it). */
    void expect(String sessionId, long receivedAtMs) {
        ArrayDeque<Long> queue = expected.computeIfAbsent(sessionId, k -> new ArrayDeque<>());
        synchronized (queue) {
            queue.addLast(receivedAtMs);
        }
        synchronized (this) {
            expectedCount++;
        }
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                    row(Json.decode(r.value(), SessionBlockSummary.class), System.currentTimeMillis());
                }
            }
        } catch (Throwable t) {
            failure.set(t);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void row(SessionBlockSummary row, long now) {
        BlockUrl url = BlockUrl.parse(row.blockUrl());
        List<Long> committed = new ArrayList<>();
        ArrayDeque<Long> queue = expected.get(row.sessionId());
        if (queue != null) {
            synchronized (queue) {
                while (!queue.isEmpty() && queue.peekFirst() <= row.lastTimestamp()) {
                    committed.add(now - queue.pollFirst());
                }
            }
        }
        synchronized (this) {
            rows++;
            events += row.eventCount();
            uncompressedBytes += row.size();
            compressedBytes += url.endInclusive() - url.start() + 1;
            fileFirstSeen.putIfAbsent(url.key(), now);
            sessions.add(row.sessionId());
            messagesPerBlock.add(row.messageCount());
            latenciesMs.addAll(committed);
            lastRowAtMs = now;
        }
    }

    private void check() {
        if (failure.get() != null) {
            throw new IllegalStateException("summary follower failed", failure.get());
        }
    }

    /** What was read so far. */
    synchronized Snapshot snapshot() {
        check();
        return new Snapshot(rows, events, uncompressedBytes, compressedBytes, Map.copyOf(fileFirstSeen), sessions.size(),
                List.copyOf(latenciesMs), expectedCount, List.copyOf(messagesPerBlock), lastRowAtMs);
    }

    /** Rows read so far, with the latencies of the announced messages committed so far. */
    record Snapshot(long rows, long events, long uncompressedBytes, long compressedBytes, Map<String, Long> fileFirstSeen,
                    int sessions, List<Long> latenciesMs, long expected, List<Long> messagesPerBlock, long lastRowAtMs) {

        long committedMessages() {
            return latenciesMs.size();
        }

        double compressionRatio() {
            return compressedBytes == 0 ? Double.NaN : (double) uncompressedBytes / compressedBytes;
        }

        /** Batch files first referenced by a row in [from, to] (epoch ms), per minute of that window. */
        double filesPerMinute(long fromMs, long toMs) {
            long files = fileFirstSeen.values().stream().filter(t -> t >= fromMs && t <= toMs).count();
            return files * 60_000.0 / Math.max(1, toMs - fromMs);
        }

        double latencyPercentileMs(double p) {
            return Stats.percentile(latenciesMs, p);
        }

        /** Messages in the blocks of the rows read so far. */
        long messagesInRows() {
            return messagesPerBlock.stream().mapToLong(Long::longValue).sum();
        }

        double medianMessagesPerBlock() {
            return Stats.percentile(messagesPerBlock, 50);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}

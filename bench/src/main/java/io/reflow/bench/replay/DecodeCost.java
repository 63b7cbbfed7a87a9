package io.reflow.bench.replay;

import io.reflow.contracts.BlockDictionaries;
import io.reflow.contracts.BlockDictionary;
import io.reflow.contracts.RecordingBlock;
import io.reflow.jobs.common.ConsumedRecord;
import io.reflow.jobs.replay.DecodeRecordings;
import io.reflow.jobs.replay.RecordingDecoder;
import io.reflow.jobs.replay.SessionChunk;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * CPU cost of the replay job's per-message work on one thread, without Flink or Kafka: decoding the benchmark's
 * recording messages into chunks, and compressing each session's lines into a block as the writer does. A quick
 * way to see what a change to the decode path is worth before running {@link ReplayBenchmark}.
 *
 * <p>Arguments: {@code [sessions (500)] [messages per session (40)] [rounds (5)]}.
 */
public final class DecodeCost {
    private DecodeCost() {}

    public static void main(String[] args) {
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int perSession = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        RecordingWorkload workload = new RecordingWorkload(sessions, "decode-cost");
        Random random = new Random(7);
        long now = System.currentTimeMillis();
        List<ConsumedRecord> records = new ArrayList<>();
        long bytes = 0;
        for (int m = 0; m < perSession; m++) {
            for (int s = 0; s < sessions; s++) {
                byte[] value = workload.message(s, m, now - (perSession - m) * 1000L, random);
                records.add(new ConsumedRecord("recordings", 0, records.size(), now, null, value));
                bytes += value.length;
            }
        }
        BlockDictionary dictionary = BlockDictionaries.standard().named("rrweb-1").orElseThrow();
        RecordingDecoder decoder = new RecordingDecoder(DecodeRecordings.DEFAULT_MAX_DECOMPRESSED_EVENT_BYTES);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        System.out.printf("%d messages, %.1f MB%n", records.size(), bytes / 1e6);
        for (int round = 0; round < rounds; round++) {
            long cpu0 = threads.getCurrentThreadCpuTime();
            Map<String, ByteArrayOutputStream> lines = new HashMap<>();
            long dead = 0;
            long lineBytes = 0;
            for (ConsumedRecord r : records) {
                long[] deadCount = {0};
                SessionChunk chunk = decoder.decode(r, now, d -> deadCount[0]++);
                dead += deadCount[0];
                if (chunk != null) {
                    lines.computeIfAbsent(chunk.sessionKey(), k -> new ByteArrayOutputStream()).writeBytes(chunk.lines());
                    lineBytes += chunk.lines().length;
                }
            }
            long cpu1 = threads.getCurrentThreadCpuTime();
            long compressed = 0;
            for (ByteArrayOutputStream session : lines.values()) {
                compressed += RecordingBlock.compressForStorage(session.toByteArray(), 3, dictionary).length;
            }
            long cpu2 = threads.getCurrentThreadCpuTime();
            System.out.printf("round %d: decode %.1f ns/B (%.0f MB/s), compress %.1f ns/B of input; %.1f MB lines, %.1f MB compressed, %d dead%n",
                    round + 1, (cpu1 - cpu0) / (double) bytes, bytes / ((cpu1 - cpu0) / 1e3), (cpu2 - cpu1) / (double) bytes,
                    lineBytes / 1e6, compressed / 1e6, dead);
        }
    }
}

package io.reflow.bench;

import com.github.luben.zstd.Zstd;
import io.reflow.contracts.BlockDictionaries;
import io.reflow.contracts.BlockDictionary;
import io.reflow.contracts.RecordingBlock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * Compression of recording blocks, per block size class, on three corpora: the fixtures' posthog-js sessions
 * (about 12 KB each, whole and cut as the job cuts them), multi-minute sessions of a dashboard with live widgets
 * (recorded with the real SDK in Chromium; not used to train the dictionary) and, for reference, the shop sessions
 * the dictionary was trained on. Each block is compressed alone, as the job stores it, with zstd level 3, zstd
 * level 3 with the shipped dictionary, lz4 (the snappy class PostHog stores blocks with), and as the job stores it
 * (the dictionary for small blocks only); in the same run.
 *
 * <pre>mvn -B -q install -DskipTests -pl bench -am &amp;&amp; mvn -B -pl bench exec:exec \
 *     -Dbench.main=io.reflow.bench.CompressionBenchmark -Dbench.args=""</pre>
 */
public final class CompressionBenchmark {
    private static final Duration FLUSH_AGE = Duration.ofSeconds(10);
    private static final int LEVEL = 3;
    private static final int SPEED_PASSES = 5;
    private static final long[] CLASS_LIMITS = {4 << 10, 16 << 10, 64 << 10, 256 << 10, Long.MAX_VALUE};
    private static final String[] CLASS_NAMES = {"< 4 KB", "4-16 KB", "16-64 KB", "64-256 KB", ">= 256 KB"};

    private CompressionBenchmark() {}

    record Codec(String name, Function<byte[], byte[]> compress) {}

    public static void main(String[] args) {
        BlockDictionary dictionary = BlockDictionaries.standard().current();
        LZ4Compressor lz4 = LZ4Factory.fastestInstance().fastCompressor();
        List<Codec> codecs = List.of(
                new Codec("zstd-" + LEVEL, b -> Zstd.compress(b, LEVEL)),
                new Codec("zstd-" + LEVEL + " + " + dictionary.name(), b -> RecordingBlock.compress(b, LEVEL, dictionary)),
                new Codec("lz4", lz4::compress),
                new Codec("as stored (dictionary below " + RecordingBlock.DICTIONARY_MAX_BLOCK_BYTES / 1024 + " KB)",
                        b -> RecordingBlock.compressForStorage(b, LEVEL, dictionary)));

        List<RrwebCorpus.Session> fixtures = RrwebCorpus.fixtureSessions();
        List<RrwebCorpus.Session> dashboard = RrwebCorpus.sessions("dashboard", 3, TrainDictionary.SESSION_SECONDS, 101);
        List<RrwebCorpus.Session> shop = RrwebCorpus.sessions("shop", TrainDictionary.SHOP_SESSIONS, TrainDictionary.SESSION_SECONDS, 1);

        System.out.printf("zstd-jni %s, dictionary %s (id %d, %d bytes), blocks cut at a %d s flush age, each compressed alone%n",
                Zstd.class.getPackage().getImplementationVersion(), dictionary.name(), dictionary.id(), dictionary.bytes().length,
                FLUSH_AGE.toSeconds());
        report("fixture sessions, each whole (the issue's 12 KB sessions)", SessionBlocks.whole(fixtures), codecs, dictionary);
        report("fixture sessions, cut into blocks", SessionBlocks.of(fixtures, FLUSH_AGE), codecs, dictionary);
        report(String.format("dashboard: %d sessions of %d s (%.1f MB), not seen in training", dashboard.size(),
                TrainDictionary.SESSION_SECONDS, mb(dashboard)), SessionBlocks.of(dashboard, FLUSH_AGE), codecs, dictionary);
        report(String.format("shop: %d sessions of %d s (%.1f MB), the dictionary's training set (reference only)", shop.size(),
                TrainDictionary.SESSION_SECONDS, mb(shop)), SessionBlocks.of(shop, FLUSH_AGE), codecs, dictionary);
    }

    private static void report(String title, List<byte[]> blocks, List<Codec> codecs, BlockDictionary dictionary) {
        System.out.printf("%n### %s%n%n| blocks | count | mean size |", title);
        codecs.forEach(c -> System.out.printf(" %s |", c.name()));
        System.out.println();
        System.out.println("|---|---|---|" + "---|".repeat(codecs.size()));
        Map<String, List<byte[]>> classes = new LinkedHashMap<>();
        for (String name : CLASS_NAMES) {
            classes.put(name, new ArrayList<>());
        }
        for (byte[] b : blocks) {
            int i = 0;
            while (b.length >= CLASS_LIMITS[i]) {
                i++;
            }
            classes.get(CLASS_NAMES[i]).add(b);
        }
        classes.put("all", blocks);
        for (Map.Entry<String, List<byte[]>> c : classes.entrySet()) {
            if (c.getValue().isEmpty()) {
                continue;
            }
            long raw = c.getValue().stream().mapToLong(b -> b.length).sum();
            System.out.printf("| %s | %d | %.1f KB |", c.getKey(), c.getValue().size(), raw / 1024.0 / c.getValue().size());
            for (Codec codec : codecs) {
                long compressed = c.getValue().stream().mapToLong(b -> codec.compress().apply(b).length).sum();
                System.out.printf(" %.2f:1 |", (double) raw / compressed);
            }
            System.out.println();
        }
        long raw = blocks.stream().mapToLong(b -> b.length).sum();
        System.out.print("\ncompression speed, one thread, median of " + SPEED_PASSES + " passes:");
        for (Codec codec : codecs) {
            double[] mbps = new double[SPEED_PASSES];
            for (int p = 0; p < SPEED_PASSES; p++) {
                long start = System.nanoTime();
                for (byte[] b : blocks) {
                    codec.compress().apply(b);
                }
                mbps[p] = raw / 1e6 / ((System.nanoTime() - start) / 1e9);
            }
            Arrays.sort(mbps);
            System.out.printf(" %s %.0f MB/s;", codec.name(), mbps[SPEED_PASSES / 2]);
        }
        // a check, not a measurement: every dictionary block decodes back to its lines
        for (byte[] b : blocks) {
            if (!Arrays.equals(b, RecordingBlock.decompress(RecordingBlock.compress(b, LEVEL, dictionary)))) {
                throw new IllegalStateException("a block did not survive compression with " + dictionary.name());
            }
        }
        System.out.println();
    }

    private static double mb(List<RrwebCorpus.Session> sessions) {
        return sessions.stream().mapToLong(RrwebCorpus.Session::bytes).sum() / 1e6;
    }
}

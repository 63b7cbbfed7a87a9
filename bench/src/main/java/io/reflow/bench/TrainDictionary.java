package io.reflow.bench;

import io.reflow.contracts.BlockDictionary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Trains the shipped rrweb dictionary on the corpus's shop sessions (the compression benchmark measures it on other
 * recordings: the fixtures' page and the dashboard site).
 *
 * <pre>mvn -B -pl bench exec:exec -Dbench.main=io.reflow.bench.TrainDictionary \
 *     -Dbench.args="--name rrweb-1 --id 1 --out contracts/src/main/resources/io/reflow/contracts/zstd/rrweb-1.dict"</pre>
 */
public final class TrainDictionary {
    static final int SHOP_SESSIONS = 6;
    static final int SESSION_SECONDS = 150;
    static final int DICTIONARY_BYTES = 110 * 1024;

    private TrainDictionary() {}

    public static void main(String[] args) throws Exception {
        String name = "rrweb-1";
        long id = 1;
        Path out = null;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--name" -> name = args[i + 1];
                case "--id" -> id = Long.parseLong(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("--out FILE is required");
        }
        List<byte[]> samples = SessionBlocks.of(RrwebCorpus.sessions("shop", SHOP_SESSIONS, SESSION_SECONDS, 1), Duration.ofSeconds(10));
        BlockDictionary dictionary = BlockDictionary.train(name, id, samples, DICTIONARY_BYTES);
        Files.write(out, dictionary.bytes());
        System.out.printf("trained %s (id %d, %d bytes) on %d blocks of %d shop sessions; written to %s%n", name, dictionary.id(),
                dictionary.bytes().length, samples.size(), SHOP_SESSIONS, out);
    }
}

package io.reflow.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockDictionaryTest {

    /** rrweb-like blocks: mouse moves, mutations and inputs with varying numbers and ids. */
    static List<byte[]> blocks(long seed, int count) {
        Random random = new Random(seed);
        List<byte[]> blocks = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            ByteArrayOutputStream block = new ByteArrayOutputStream();
            long ts = 1_795_300_000_000L + b * 10_000L;
            for (int e = 0; e < 20 + random.nextInt(40); e++) {
                String event = switch (random.nextInt(3)) {
                    case 0 -> "{\"type\":3,\"data\":{\"source\":1,\"positions\":[{\"x\":" + random.nextInt(1280) + ",\"y\":"
                            + random.nextInt(800) + ",\"id\":" + random.nextInt(400) + ",\"timeOffset\":-" + random.nextInt(500)
                            + "}]},\"timestamp\":" + (ts + e * 37) + "}";
                    case 1 -> "{\"type\":3,\"data\":{\"source\":0,\"texts\":[{\"id\":" + random.nextInt(400)
                            + ",\"value\":\"" + random.nextInt(100000) + "\"}],\"attributes\":[],\"removes\":[],\"adds\":[]},\"timestamp\":"
                            + (ts + e * 37) + "}";
                    default -> "{\"type\":3,\"data\":{\"source\":5,\"text\":\"note " + random.nextInt(1000)
                            + "\",\"isChecked\":false,\"id\":" + random.nextInt(400) + "},\"timestamp\":" + (ts + e * 37) + "}";
                };
                block.writeBytes(("[\"window-1\"," + event + "]\n").getBytes(StandardCharsets.UTF_8));
            }
            blocks.add(block.toByteArray());
        }
        return blocks;
    }

    @Test
    void aTrainedDictionaryCarriesItsIdIntoEveryFrameAndCompressesSmallBlocksBetter(@TempDir Path dir) throws Exception {
        BlockDictionary dictionary = BlockDictionary.train("test-7", 7, blocks(1, 400), 16 * 1024);
        Files.write(dir.resolve("test-7.dict"), dictionary.bytes());
        BlockDictionaries dictionaries = BlockDictionaries.load(dir);

        long plain = 0;
        long trained = 0;
        for (byte[] block : blocks(2, 50)) {
            byte[] compressed = RecordingBlock.compress(block, 3, dictionary);
            assertThat(Zstd.getDictIdFromFrame(compressed)).isEqualTo(7);
            assertThat(RecordingBlock.decompress(compressed, dictionaries)).isEqualTo(block);
            assertThat(RecordingBlock.decompressing(new ByteArrayInputStream(compressed), dictionaries).readAllBytes()).isEqualTo(block);
            plain += RecordingBlock.compress(block, 3).length;
            trained += compressed.length;
        }
        assertThat(trained).isLessThan(plain * 3 / 4);
        assertThat(dictionaries.named("test-7")).contains(dictionaries.forFrame(RecordingBlock.compress(blocks(3, 1).get(0), 3, dictionary)));
    }

    @Test
    void aPlainBlockNeedsNoDictionaryAndAnUnknownOneIsNamedInTheError() {
        BlockDictionary unknown = BlockDictionary.train("elsewhere", 99, blocks(4, 200), 8 * 1024);
        byte[] block = blocks(5, 1).get(0);

        assertThat(RecordingBlock.decompress(RecordingBlock.compress(block, 3, null), BlockDictionaries.load(null))).isEqualTo(block);
        assertThatThrownBy(() -> RecordingBlock.decompress(RecordingBlock.compress(block, 3, unknown), BlockDictionaries.load(null)))
                .hasMessageContaining("dictionary 99");
    }

    @Test
    void theShippedDictionaryIsCurrentAndReadsItsOwnBlocks() {
        BlockDictionaries shipped = BlockDictionaries.load(null);
        BlockDictionary current = shipped.current();
        byte[] block = blocks(6, 1).get(0);

        assertThat(current.name()).isEqualTo("rrweb-1");
        assertThat(RecordingBlock.decompress(RecordingBlock.compress(block, 3, current), shipped)).isEqualTo(block);
        assertThat(shipped.named("none")).isEmpty();
        assertThatThrownBy(() -> shipped.named("rrweb-0")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void storageUsesTheDictionaryForSmallBlocksOnly() {
        BlockDictionary current = BlockDictionaries.load(null).current();
        byte[] small = blocks(7, 1).get(0);
        byte[] large = String.join("", java.util.Collections.nCopies(20, new String(small, StandardCharsets.UTF_8)))
                .getBytes(StandardCharsets.UTF_8);
        assertThat(small.length).isLessThan(RecordingBlock.DICTIONARY_MAX_BLOCK_BYTES);
        assertThat(large.length).isGreaterThanOrEqualTo(RecordingBlock.DICTIONARY_MAX_BLOCK_BYTES);

        assertThat(Zstd.getDictIdFromFrame(RecordingBlock.compressForStorage(small, 3, current))).isEqualTo(current.id());
        assertThat(Zstd.getDictIdFromFrame(RecordingBlock.compressForStorage(large, 3, current))).isZero();
        assertThat(RecordingBlock.decompress(RecordingBlock.compressForStorage(large, 3, current))).isEqualTo(large);
    }

    @Test
    void somethingThatIsNotADictionaryIsRefused() {
        assertThatThrownBy(() -> new BlockDictionary("junk", new byte[64])).isInstanceOf(IllegalArgumentException.class);
    }
}

package io.reflow.jobs.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.contracts.BlockDictionaries;
import io.reflow.contracts.BlockDictionary;
import io.reflow.contracts.Json;
import io.reflow.contracts.RecordingBlock;
import io.reflow.testsupport.Fixtures;
import io.reflow.testsupport.s3.S3Extension;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/** bin/retrain-dictionary's tool against a real S3 API server: batch files of mixed plain and dictionary blocks. */
class RetrainDictionaryIT {
    @RegisterExtension
    static final S3Extension S3 = new S3Extension();

    @Test
    void trainsADictionaryFromTheBlocksOfABucketsBatchFiles(@TempDir Path dir) throws Exception {
        List<byte[]> lines = new ArrayList<>();
        for (JsonNode event : Json.mapper().readTree(Fixtures.posthogJs("run1_configjs_all_rrweb_events_decompressed.json").toFile())) {
            lines.add(RecordingBlock.line("w", event));
        }
        BlockDictionary current = BlockDictionaries.standard().current();
        for (int file = 0; file < 4; file++) {
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            for (int block = 0; block < 12; block++) {
                ByteArrayOutputStream content = new ByteArrayOutputStream();
                for (int i = (block + file) % 3; i < lines.size(); i += 3) {
                    content.writeBytes(lines.get(i));
                }
                batch.writeBytes(RecordingBlock.compress(content.toByteArray(), 3, block % 2 == 0 ? current : null));
            }
            String key = "retrain/30d/2026-11-24/f" + file + ".jsonl.zst";
            S3.client().putObject(b -> b.bucket(S3.bucket()).key(key), RequestBody.fromBytes(batch.toByteArray()));
        }
        Path out = dir.resolve("rrweb-9.dict");

        RetrainDictionary.main(new String[] {"--s3-endpoint", S3.endpoint(), "--access-key", S3.accessKey(),
                "--secret-key", S3.secretKey(), "--bucket", S3.bucket(), "--prefix", "retrain/", "--name", "rrweb-9",
                "--id", "9", "--out", out.toString()});

        BlockDictionary trained = new BlockDictionary("rrweb-9", Files.readAllBytes(out));
        assertThat(trained.id()).isEqualTo(9);
        byte[] sample = RecordingBlock.compress(lines.get(5), 3, trained);
        assertThat(RecordingBlock.decompress(sample, BlockDictionaries.load(dir))).isEqualTo(lines.get(5));
    }
}

package io.reflow.jobs.tools;

import com.github.luben.zstd.Zstd;
import io.reflow.contracts.BlockDictionaries;
import io.reflow.contracts.BlockDictionary;
import io.reflow.contracts.RecordingBlock;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Trains a new zstd dictionary from a bucket's most recent batch files: every block (zstd frame) of the newest
 * files under a prefix, up to a byte budget, becomes a training sample. Prints how the new dictionary compares with
 * the current one on the newest tenth of the blocks, which it leaves out of training.
 *
 * <pre>bin/retrain-dictionary --bucket reflow --prefix recordings --name rrweb-2 --id 2 --out rrweb-2.dict \
 *     [--s3-endpoint http://127.0.0.1:9000 --access-key K --secret-key S] [--max-bytes 200000000]</pre>
 *
 * Put the file in the directory {@code REFLOW_ZSTD_DICTIONARIES} names for the job and every reader, then set the
 * job's {@code block.dictionary} to its name. Keep every dictionary stored blocks still use.
 */
public final class RetrainDictionary {
    private static final int DICTIONARY_BYTES = 110 * 1024;

    private RetrainDictionary() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("--max-bytes", "200000000", "--prefix", ""));
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        for (String required : List.of("--bucket", "--name", "--id", "--out")) {
            if (!a.containsKey(required)) {
                System.err.println("usage: RetrainDictionary --bucket B [--prefix P] --name NAME --id N --out FILE"
                        + " [--s3-endpoint URL --access-key K --secret-key S] [--max-bytes N]  (missing " + required + ")");
                System.exit(2);
            }
        }
        BlockDictionaries dictionaries = BlockDictionaries.standard();
        List<byte[]> blocks = new ArrayList<>();
        try (S3Client s3 = client(a)) {
            List<S3Object> files = new ArrayList<>();
            s3.listObjectsV2Paginator(b -> b.bucket(a.get("--bucket")).prefix(a.get("--prefix")))
                    .contents().forEach(files::add);
            files.sort(Comparator.comparing(S3Object::lastModified).reversed());
            long budget = Long.parseLong(a.get("--max-bytes"));
            long read = 0;
            for (S3Object file : files) {
                if (read >= budget || !file.key().endsWith(".zst")) {
                    continue;
                }
                byte[] bytes = s3.getObjectAsBytes(b -> b.bucket(a.get("--bucket")).key(file.key())).asByteArray();
                for (int at = 0; at < bytes.length; ) {
                    int size = (int) Zstd.findFrameCompressedSize(bytes, at);
                    byte[] frame = java.util.Arrays.copyOfRange(bytes, at, at + size);
                    byte[] lines = RecordingBlock.decompress(frame, dictionaries);
                    blocks.add(lines);
                    read += lines.length;
                    at += size;
                }
            }
        }
        if (blocks.size() < 20) {
            throw new IllegalStateException("only " + blocks.size() + " blocks found: too few to train a dictionary");
        }
        int heldOut = Math.max(1, blocks.size() / 10); // the newest files come first
        List<byte[]> test = blocks.subList(0, heldOut);
        List<byte[]> training = blocks.subList(heldOut, blocks.size());
        BlockDictionary trained = BlockDictionary.train(a.get("--name"), Long.parseLong(a.get("--id")), training, DICTIONARY_BYTES);
        Files.write(Path.of(a.get("--out")), trained.bytes());
        System.out.printf("trained %s (id %d) on %d blocks; on %d newer blocks: plain zstd %.2f:1, %s %.2f:1, %s %.2f:1%n",
                trained.name(), trained.id(), training.size(), test.size(), ratio(test, null),
                dictionaries.current().name(), ratio(test, dictionaries.current()), trained.name(), ratio(test, trained));
    }

    private static double ratio(List<byte[]> blocks, BlockDictionary dictionary) {
        long raw = 0;
        long compressed = 0;
        for (byte[] b : blocks) {
            raw += b.length;
            compressed += RecordingBlock.compress(b, 3, dictionary).length;
        }
        return (double) raw / compressed;
    }

    private static S3Client client(Map<String, String> a) {
        S3ClientBuilder b = S3Client.builder().region(Region.US_EAST_1);
        if (a.containsKey("--s3-endpoint")) {
            b.endpointOverride(URI.create(a.get("--s3-endpoint"))).forcePathStyle(true);
        }
        if (a.containsKey("--access-key")) {
            b.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(a.get("--access-key"), a.get("--secret-key"))));
        } else {
            b.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return b.build();
    }
}

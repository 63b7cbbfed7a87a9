package io.reflow.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class GunzipTest {
    private static final int LIMIT = 25 * 1024 * 1024;

    @Test
    void inflatesWhatTheJdkInflatesWhateverTheSizeAnnounced() throws IOException {
        Random random = new Random(7);
        for (int size : new int[] {0, 1, 100, 4096, 65_535, 65_536, 65_537, 300_000, 3_000_000}) {
            byte[] data = new byte[size];
            for (int i = 0; i < size; i++) {
                data[i] = (byte) (random.nextInt(8) == 0 ? random.nextInt(256) : 'a' + i % 7); // somewhat compressible
            }
            byte[] gz = gzip(data);
            assertThat(Gunzip.inflate(gz, LIMIT)).as("size %d", size).isEqualTo(data).isEqualTo(jdk(gz));
            // a lying size in the trailer is caught by the size check, not believed
            byte[] lying = gz.clone();
            lying[lying.length - 1] ^= 0x01;
            assertThatThrownBy(() -> Gunzip.inflate(lying, LIMIT)).hasMessageContaining("size");
        }
    }

    @Test
    void readsOptionalHeaderFieldsAndConcatenatedMembers() throws IOException {
        byte[] a = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        byte[] b = "{\"b\":2}".getBytes(StandardCharsets.UTF_8);
        byte[] plain = gzip(a);
        // FEXTRA, FNAME, FCOMMENT and FHCRC, written by hand: the JDK never writes them
        ByteArrayOutputStream withFields = new ByteArrayOutputStream();
        withFields.write(new byte[] {0x1f, (byte) 0x8b, 8, 4 | 8 | 16 | 2, 0, 0, 0, 0, 0, 3, 3, 0, 'x', 'y', 'z'});
        withFields.writeBytes("name.json\0a comment\0".getBytes(StandardCharsets.ISO_8859_1));
        CRC32 headerCrc = new CRC32();
        headerCrc.update(withFields.toByteArray());
        withFields.write((int) headerCrc.getValue() & 0xff);
        withFields.write((int) (headerCrc.getValue() >> 8) & 0xff);
        withFields.write(plain, 10, plain.length - 10);
        byte[] fields = withFields.toByteArray();
        assertThat(Gunzip.inflate(fields, LIMIT)).isEqualTo(a).isEqualTo(jdk(fields));

        byte[] twoMembers = concat(gzip(a), gzip(b));
        assertThat(Gunzip.inflate(twoMembers, LIMIT)).isEqualTo(concat(a, b)).isEqualTo(jdk(twoMembers));
        byte[] trailingGarbage = concat(gzip(a), new byte[] {0, 0, 0});
        assertThat(Gunzip.inflate(trailingGarbage, LIMIT)).isEqualTo(a);
    }

    @Test
    void brokenGzipIsAClientError() throws IOException {
        byte[] gz = gzip(new byte[10_000]);
        for (byte[] bad : new byte[][] {Arrays.copyOf(gz, 5), Arrays.copyOf(gz, 20), Arrays.copyOf(gz, gz.length - 3),
                corrupt(gz, gz.length - 6), corrupt(gz, 2), corrupt(gz, 12)}) {
            assertThatThrownBy(() -> Gunzip.inflate(bad, LIMIT)).isInstanceOfSatisfying(CaptureException.class, e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.code()).isEqualTo("invalid_gzip");
            });
        }
    }

    @Test
    void aBombIsRefusedOnceItsOutputPassesTheLimitLongBeforeItsEnd() throws IOException {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(compressed)) {
            byte[] zeros = new byte[1024 * 1024];
            for (int i = 0; i < 512; i++) {
                gz.write(zeros);
            }
        }
        byte[] bomb = compressed.toByteArray(); // 512 MiB of zeros in ~500 KiB
        // corrupt the stream far behind the limit: reaching it would answer invalid_gzip, not 413
        byte[] corruptTail = corrupt(bomb, bomb.length * 9 / 10);
        for (byte[] b : new byte[][] {bomb, corruptTail}) {
            assertThatThrownBy(() -> Gunzip.inflate(b, 1024 * 1024)).isInstanceOfSatisfying(CaptureException.class, e -> {
                assertThat(e.status()).isEqualTo(413);
                assertThat(e.code()).isEqualTo("payload_too_large");
            });
        }
        byte[] exact = gzip(new byte[1024 * 1024]);
        assertThat(Gunzip.inflate(exact, 1024 * 1024)).hasSize(1024 * 1024);
        assertThatThrownBy(() -> Gunzip.inflate(exact, 1024 * 1024 - 1)).hasMessageContaining("limit");
    }

    private static byte[] gzip(byte[] data) throws IOException {
        return BodyDecoderTest.gzip(data);
    }

    private static byte[] jdk(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    private static byte[] corrupt(byte[] b, int at) {
        byte[] c = b.clone();
        c[at] ^= 0x5a;
        return c;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}

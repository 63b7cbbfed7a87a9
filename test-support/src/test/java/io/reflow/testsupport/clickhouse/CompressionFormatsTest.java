package io.reflow.testsupport.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.clickhouse.client.api.internal.ClickHouseLZ4InputStream;
import com.clickhouse.client.api.internal.ClickHouseLZ4OutputStream;
import com.clickhouse.client.internal.net.jpountz.lz4.LZ4Factory;
import com.clickhouse.client.internal.org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;
import com.clickhouse.client.internal.org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Our encoders against the JDBC driver's decoders and vice versa: the driver is the reference here. */
class CompressionFormatsTest {
    private static final LZ4Factory LZ4 = LZ4Factory.fastestJavaInstance();

    @Test
    void compressedBlocksWeWriteAreReadByTheDriver() throws IOException {
        for (byte[] data : samples()) {
            ByteArrayOutputStream framed = new ByteArrayOutputStream();
            CompressedBlocks.write(data, framed);
            try (InputStream in = new ClickHouseLZ4InputStream(new ByteArrayInputStream(framed.toByteArray()),
                    LZ4.fastDecompressor(), 8192)) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
        }
    }

    @Test
    void compressedBlocksTheDriverWritesAreReadByUs() throws IOException {
        for (byte[] data : samples()) {
            ByteArrayOutputStream framed = new ByteArrayOutputStream();
            try (OutputStream out = new ClickHouseLZ4OutputStream(framed, LZ4.fastCompressor(), 64 * 1024)) {
                out.write(data);
            }
            assertThat(CompressedBlocks.read(new ByteArrayInputStream(framed.toByteArray()))).isEqualTo(data);
        }
    }

    @Test
    void aCorruptedBlockIsRefused() throws IOException {
        ByteArrayOutputStream framed = new ByteArrayOutputStream();
        CompressedBlocks.write("SELECT 1".getBytes(StandardCharsets.UTF_8), framed);
        byte[] bytes = framed.toByteArray();
        bytes[bytes.length - 1] ^= 1;
        assertThatThrownBy(() -> CompressedBlocks.read(new ByteArrayInputStream(bytes)))
                .isInstanceOf(IOException.class).hasMessageContaining("checksum");
    }

    @Test
    void lz4FramesRoundTripWithCommonsCompress() throws IOException {
        for (byte[] data : samples()) {
            ByteArrayOutputStream ours = new ByteArrayOutputStream();
            Lz4Frames.write(data, ours);
            try (InputStream in = new FramedLZ4CompressorInputStream(new ByteArrayInputStream(ours.toByteArray()))) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
            ByteArrayOutputStream theirs = new ByteArrayOutputStream();
            try (OutputStream out = new FramedLZ4CompressorOutputStream(theirs)) {
                out.write(data);
            }
            assertThat(Lz4Frames.read(new ByteArrayInputStream(theirs.toByteArray()))).isEqualTo(data);
        }
    }

    private static byte[][] samples() {
        Random random = new Random(7);
        byte[] noise = new byte[3 * 1024 * 1024 + 17];
        random.nextBytes(noise);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 200_000; i++) {
            text.append("row ").append(i % 97).append('\t').append("https://example.com/page/").append(i % 13).append('\n');
        }
        return new byte[][] {new byte[0], "x".getBytes(StandardCharsets.UTF_8), "fifteen chars!!".getBytes(StandardCharsets.UTF_8),
                text.toString().getBytes(StandardCharsets.UTF_8), noise};
    }
}

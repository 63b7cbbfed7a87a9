package io.reflow.contracts.reader;

import io.reflow.contracts.BlockUrl;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Where {@link SessionRecordingReader} gets a block's bytes: one ranged read per block, as a stream the reader
 * consumes while it decompresses. An implementation returns exactly the bytes of {@link BlockUrl#start()} to
 * {@link BlockUrl#endInclusive()} (and fails rather than return more or fewer), for example an S3
 * {@code GetObject} with {@code Range: bytes=START-END}.
 */
@FunctionalInterface
public interface BlockSource {
    InputStream open(BlockUrl block) throws IOException;

    /** Blocks written to a local filesystem ({@code file:///path?range=bytes=START-END}), read with a positioned channel. */
    static BlockSource files() {
        return block -> {
            if (!block.scheme().equals("file")) {
                throw new IOException("not a file block url: " + block);
            }
            FileChannel channel = FileChannel.open(Path.of("/" + block.key()), StandardOpenOption.READ);
            try {
                if (channel.size() <= block.endInclusive()) {
                    throw new IOException(block + " lies beyond the end of the " + channel.size() + "-byte file");
                }
                channel.position(block.start());
                return new ExactLength(Channels.newInputStream(channel), block.length(), block.toString());
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        };
    }
}

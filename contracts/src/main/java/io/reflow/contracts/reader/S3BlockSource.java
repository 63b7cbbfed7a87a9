package io.reflow.contracts.reader;

import io.reflow.contracts.BlockUrl;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Set;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Blocks on S3 for {@link io.reflow.contracts.reader.SessionRecordingReader}: one {@code GetObject} with
 * {@code Range: bytes=START-END} per block, streamed. The bucket comes from the block url ({@code s3://} or
 * {@code s3a://}). A response that is not exactly the requested range (a server ignoring Range answers with the
 * whole object) is refused rather than read as a block.
 *
 * <p>The AWS SDK's S3 client is an optional dependency of contracts: capture and the Flink jobs do not read blocks and
 * do not carry it; a reader (the viewer, bin/local, tools, tests) depends on {@code software.amazon.awssdk:s3} itself.
 * A block whose object does not exist after the wait is a {@link java.io.FileNotFoundException}.
 */
public final class S3BlockSource implements BlockSource {
    private static final Set<String> SCHEMES = Set.of("s3", "s3a");

    /** A summary row can be read moments before its file's commit completes (see docs/ARCHITECTURE.md). */
    public static final Duration DEFAULT_FRESH_BLOCK_WAIT = Duration.ofSeconds(5);
    private static final long RETRY_PAUSE_MS = 100;

    private final S3Client s3;
    private final Duration freshBlockWait;

    public S3BlockSource(S3Client s3) {
        this(s3, DEFAULT_FRESH_BLOCK_WAIT);
    }

    /** {@code freshBlockWait}: how long a block whose object does not exist (yet) is asked for again. */
    public S3BlockSource(S3Client s3, Duration freshBlockWait) {
        this.s3 = s3;
        this.freshBlockWait = freshBlockWait;
    }

    @Override
    public InputStream open(BlockUrl block) throws IOException {
        if (!SCHEMES.contains(block.scheme())) {
            throw new IOException("not an S3 block url: " + block);
        }
        ResponseInputStream<GetObjectResponse> response = get(block);
        Long length = response.response().contentLength();
        String range = response.response().contentRange();
        String expectedRange = "bytes " + block.start() + "-" + block.endInclusive() + "/";
        if (length == null || length != block.length() || range == null || !range.startsWith(expectedRange)) {
            response.abort();
            response.close();
            throw new IOException("GET " + block + " answered " + length + " bytes, Content-Range " + range
                    + " instead of exactly the block (beyond the end of the object?)");
        }
        return new ExactLength(response, block.length(), block.toString());
    }

    private ResponseInputStream<GetObjectResponse> get(BlockUrl block) throws IOException {
        long deadline = System.nanoTime() + freshBlockWait.toNanos();
        while (true) {
            try {
                return s3.getObject(b -> b.bucket(block.bucket()).key(block.key()).range(block.rangeHeader()));
            } catch (NoSuchKeyException e) {
                if (System.nanoTime() >= deadline) {
                    throw new FileNotFoundException("GET " + block + ": no such object (waited " + freshBlockWait + ")");
                }
            } catch (SdkException e) {
                throw new IOException("GET " + block + ": " + e.getMessage(), e);
            }
            try {
                Thread.sleep(RETRY_PAUSE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for " + block);
            }
        }
    }
}

package io.reflow.viewer;

import io.reflow.contracts.BlockUrl;
import io.reflow.contracts.reader.BlockSource;
import io.reflow.contracts.reader.ExactLength;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * A block's bytes with one ranged S3 GET. A block that is not there yet is retried for a while: its summary row
 * can become visible in ClickHouse a few milliseconds before its batch file is committed (see docs/ARCHITECTURE.md).
 */
final class S3BlockSource implements BlockSource, AutoCloseable {
    private static final long RETRY_PAUSE_MILLIS = 100;
    private final S3Client s3;
    private final long retryMillis;

    S3BlockSource(S3Client s3, long retryMillis) {
        this.s3 = s3;
        this.retryMillis = retryMillis;
    }

    static S3BlockSource create(ViewerConfig config) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(config.s3Region()))
                .forcePathStyle(config.s3PathStyle())
                .httpClientBuilder(UrlConnectionHttpClient.builder());
        config.s3Endpoint().ifPresent(builder::endpointOverride);
        if (config.s3AccessKey().isPresent() && config.s3SecretKey().isPresent()) {
            builder.credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(config.s3AccessKey().get(), config.s3SecretKey().get())));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
        }
        return new S3BlockSource(builder.build(), config.blockRetryMillis());
    }

    @Override
    public InputStream open(BlockUrl block) throws IOException {
        if (!block.scheme().startsWith("s3")) {
            throw new IOException("not an s3 block url: " + block);
        }
        long deadline = System.nanoTime() + retryMillis * 1_000_000;
        while (true) {
            try {
                InputStream in = s3.getObject(b -> b.bucket(block.bucket()).key(block.key()).range(block.rangeHeader()));
                return new ExactLength(in, block.length(), block.toString());
            } catch (NoSuchKeyException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new MissingBlockException(block, e);
                }
                try {
                    Thread.sleep(RETRY_PAUSE_MILLIS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for " + block);
                }
            } catch (SdkException e) {
                throw new IOException("cannot read " + block + ": " + e.getMessage(), e);
            }
        }
    }

    @Override
    public void close() {
        s3.close();
    }

    /** The block's object does not exist (after retrying). */
    static final class MissingBlockException extends IOException {
        MissingBlockException(BlockUrl block, Exception cause) {
            super("block " + block + " does not exist", cause);
        }
    }
}

package io.reflow.testsupport.s3;

import io.reflow.testsupport.ComponentExtension;
import java.nio.file.Path;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One S3 server per test class, in a temp dir that is deleted afterwards, with a bucket already created.
 * Register it on a static field:
 * <pre>{@code @RegisterExtension static final S3Extension S3 = new S3Extension();}</pre>
 */
public final class S3Extension extends ComponentExtension<S3Server> {
    public static final String DEFAULT_BUCKET = "reflow-test";
    public static final String ACCESS_KEY = "reflow-test-access-key";
    public static final String SECRET_KEY = "reflow-test-secret-key";

    private final String bucket;

    public S3Extension() {
        this(DEFAULT_BUCKET);
    }

    public S3Extension(String bucket) {
        super("s3");
        this.bucket = bucket;
    }

    @Override
    protected S3Server start(Path dataDir) {
        S3Server server = S3Server.start(dataDir, 0, ACCESS_KEY, SECRET_KEY);
        server.createBucket(bucket);
        return server;
    }

    @Override
    protected void stop(S3Server server) {
        // its files are deleted next, so a graceful stop (about 2 s) would buy nothing
        server.kill();
    }

    public S3Server server() {
        return component();
    }

    /** The bucket created before the tests. */
    public String bucket() {
        return bucket;
    }

    /** The server's client: do not close it. */
    public S3Client client() {
        return server().client();
    }

    public String endpoint() {
        return server().endpoint();
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }
}

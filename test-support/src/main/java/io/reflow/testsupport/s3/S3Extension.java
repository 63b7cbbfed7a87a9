package io.reflow.testsupport.s3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One S3 server per test class, in a temp dir that is deleted afterwards, with a bucket already created.
 * Register it on a static field:
 * <pre>{@code @RegisterExtension static final S3Extension S3 = new S3Extension();}</pre>
 */
public final class S3Extension implements BeforeAllCallback, AfterAllCallback {
    public static final String DEFAULT_BUCKET = "reflow-test";
    public static final String ACCESS_KEY = "reflow-test-access-key";
    public static final String SECRET_KEY = "reflow-test-secret-key";

    private final String bucket;
    // @Nested classes run the callbacks again; only the outermost class starts and stops the server
    private int activeClasses;
    private Path dataDir;
    private S3Server server;

    public S3Extension() {
        this(DEFAULT_BUCKET);
    }

    public S3Extension(String bucket) {
        this.bucket = bucket;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        if (activeClasses++ > 0) {
            return;
        }
        dataDir = Files.createTempDirectory("reflow-s3-");
        server = S3Server.start(dataDir, 0, ACCESS_KEY, SECRET_KEY);
        server.createBucket(bucket);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (--activeClasses > 0) {
            return;
        }
        try {
            if (server != null) {
                // its files are deleted next, so a graceful stop (about 2 s) would buy nothing
                server.kill();
            }
        } finally {
            server = null;
            if (dataDir != null) {
                deleteRecursively(dataDir);
                dataDir = null;
            }
        }
    }

    public S3Server server() {
        if (server == null) {
            throw new IllegalStateException("no S3 server: register the S3Extension on a static field");
        }
        return server;
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

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}

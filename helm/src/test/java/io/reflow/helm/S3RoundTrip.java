package io.reflow.helm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Run in a child JVM by {@link S3CredentialsFromEnvironmentIT}: writes and reads back one object through Flink's
 * S3 filesystem, configured only by {@code key=value} arguments (no credentials among them), and exits 0 when the
 * round trip worked. The credentials, if any, come from the process environment, as in a Flink pod.
 */
public final class S3RoundTrip {
    private S3RoundTrip() {}

    public static void main(String[] args) throws IOException {
        String target = args[0];
        Configuration conf = new Configuration();
        for (int i = 1; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            conf.setString(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        FileSystem.initialize(conf, null);
        Path path = new Path(target);
        byte[] written = ("written at " + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
        try {
            FileSystem fs = path.getFileSystem();
            try (OutputStream out = fs.create(path, FileSystem.WriteMode.OVERWRITE)) {
                out.write(written);
            }
            byte[] read;
            try (InputStream in = fs.open(path)) {
                read = in.readAllBytes();
            }
            if (!java.util.Arrays.equals(written, read)) {
                System.out.println("ROUND TRIP MISMATCH");
                System.exit(2);
            }
            System.out.println("ROUND TRIP OK");
            System.exit(0);
        } catch (IOException | RuntimeException e) {
            System.out.println("ROUND TRIP FAILED: " + e);
            System.exit(1);
        }
    }
}

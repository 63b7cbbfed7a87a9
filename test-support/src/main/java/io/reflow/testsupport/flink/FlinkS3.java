package io.reflow.testsupport.flink;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;

/**
 * Points Flink's S3 filesystem (the hadoop one: it has the recoverable writer that exactly-once file
 * writing needs) at an S3 API server. In a MiniCluster the filesystem comes from the classpath, so
 * {@link #initialize} must run in the JVM that hosts the cluster before a job opens s3:// paths.
 */
public final class FlinkS3 {
    private FlinkS3() {}

    public static Configuration configuration(String endpoint, String accessKey, String secretKey) {
        Configuration conf = new Configuration();
        conf.setString("s3.endpoint", endpoint);
        conf.setString("s3.path.style.access", "true");
        conf.setString("s3.access-key", accessKey);
        conf.setString("s3.secret-key", secretKey);
        // S3Proxy and small local setups: no SSL, few connections, fail fast instead of retrying for minutes
        conf.setString("s3.connection.ssl.enabled", "false");
        conf.setString("s3.attempts.maximum", "3");
        conf.setString("s3.retry.limit", "3");
        return conf;
    }

    public static void initialize(Configuration conf) {
        FileSystem.initialize(conf, null);
    }
}

package io.reflow.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.reflow.testsupport.ExitWhenParentDies;
import io.reflow.testsupport.s3.S3Extension;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart gives Flink its S3 keys only as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY from a Secret and keeps them
 * out of flinkConfiguration. This checks that Flink's S3 filesystem (flink-s3-fs-hadoop 2.2.0, the plugin in the
 * jobs image) really authenticates with them: the s3.* settings the chart renders, a real S3 API (S3Proxy, which
 * checks signatures), keys in the environment only.
 */
class S3CredentialsFromEnvironmentIT {
    @RegisterExtension
    static final S3Extension S3 = new S3Extension();

    @Test
    void flinksS3FilesystemAuthenticatesWithTheKeysFromTheEnvironment(@TempDir Path tmp) throws Exception {
        List<String> conf = renderedS3Settings();

        Result ok = roundTrip(tmp, "ok", conf, Map.of("AWS_ACCESS_KEY_ID", S3.accessKey(), "AWS_SECRET_ACCESS_KEY", S3.secretKey()));
        Result wrongKey = roundTrip(tmp, "wrong", conf, Map.of("AWS_ACCESS_KEY_ID", S3.accessKey(), "AWS_SECRET_ACCESS_KEY", "not-the-key"));

        assertThat(ok.exitCode()).as(ok.output()).isZero();
        assertThat(ok.output()).contains("ROUND TRIP OK");
        assertThat(wrongKey.exitCode()).as("a wrong key is refused, so the right one was what signed: %s", wrongKey.output()).isEqualTo(1);
        assertThat(wrongKey.output()).containsAnyOf("403", "SignatureDoesNotMatch", "AccessDenied", "Forbidden");
    }

    /** The s3.* entries of the replay job's flinkConfiguration, rendered for an S3-compatible store at S3Proxy. */
    private static List<String> renderedS3Settings() {
        JsonNode conf = Chart.render(null, Map.of("s3.endpoint", S3.endpoint(), "s3.pathStyleAccess", true))
                .one("FlinkDeployment", "reflow-replay").at("/spec/flinkConfiguration");
        List<String> settings = new ArrayList<>();
        conf.fields().forEachRemaining(e -> {
            if (e.getKey().startsWith("s3.")) {
                settings.add(e.getKey() + "=" + e.getValue().asText());
            }
        });
        assertThat(settings).contains("s3.endpoint=" + S3.endpoint(), "s3.path.style.access=true")
                .noneMatch(s -> s.contains("key"));
        // fail fast in the negative case instead of retrying for minutes
        settings.add("s3.attempts.maximum=1");
        settings.add("s3.retry.limit=1");
        return settings;
    }

    private record Result(int exitCode, String output) {}

    private static Result roundTrip(Path tmp, String name, List<String> settings, Map<String, String> env) throws Exception {
        Path log = tmp.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path") + File.pathSeparator + guardLocation(),
                ExitWhenParentDies.class.getName(), S3RoundTrip.class.getName(),
                "s3://" + S3.bucket() + "/helm-it/" + name + ".txt"));
        command.addAll(settings);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        builder.environment().putAll(env);
        Process p = builder.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("S3 round trip '" + name + "' did not finish within 120 s:\n" + Files.readString(log));
        }
        return new Result(p.exitValue(), Files.readString(log));
    }

    private static String guardLocation() throws Exception {
        return Path.of(ExitWhenParentDies.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}

package io.reflow.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.reflow.testsupport.ExitWhenParentDies;
import io.reflow.testsupport.Ports;
import io.reflow.testsupport.kafka.KafkaExtension;
import java.io.File;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable jar capture/Dockerfile ships (target/reflow-capture-*-service.jar): its manifest names the main class,
 * and it alone (no other classpath) serves the health endpoints the Helm chart probes and writes to a real broker.
 */
class CaptureServiceJarIT {
    @RegisterExtension
    static final KafkaExtension KAFKA = new KafkaExtension();

    @Test
    void theServiceJarRunsCaptureFromTheEnvironment(@TempDir Path tmp) throws Exception {
        Path jar = serviceJar();
        String mainClass;
        try (JarFile j = new JarFile(jar.toFile())) {
            mainClass = j.getManifest().getMainAttributes().getValue("Main-Class");
        }
        assertThat(mainClass).isEqualTo(Main.class.getName());

        Path teams = tmp.resolve("teams.json");
        Files.writeString(teams, "{\"teams\":[{\"team_id\":7,\"name\":\"smoke\",\"api_token\":\"phc_smoke\","
                + "\"recordings_enabled\":true,\"retention\":\"30d\",\"anonymize_ips\":false}]}");
        int port = Ports.free();
        String eventsTopic = KAFKA.freshTopic("events", 1);
        // the jar and nothing else, behind the guard that ends the child with this JVM
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", jar + File.pathSeparator + guardLocation(), ExitWhenParentDies.class.getName(), mainClass));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("capture.log").toFile());
        builder.environment().putAll(Map.of(
                "CAPTURE_HOST", "127.0.0.1",
                "CAPTURE_PORT", String.valueOf(port),
                "KAFKA_BOOTSTRAP_SERVERS", KAFKA.bootstrapServers(),
                "KAFKA_EVENTS_TOPIC", eventsTopic,
                "KAFKA_RECORDINGS_TOPIC", KAFKA.freshTopic("recordings", 1),
                "KAFKA_DEAD_LETTER_TOPIC", KAFKA.freshTopic("dead-letter", 1),
                "TEAM_REGISTRY", teams.toString(),
                "CAPTURE_TRUSTED_PROXIES", "10.0.0.0/8"));
        Process capture = builder.start();
        try {
            HttpTestClient http = new HttpTestClient(port);
            awaitReady(http, capture, tmp.resolve("capture.log"));

            assertThat(http.get("/_liveness", Map.of()).statusCode()).isEqualTo(200);
            String event = "{\"api_key\":\"phc_smoke\",\"event\":\"smoke\",\"properties\":{\"distinct_id\":\"d1\"}}";
            HttpResponse<String> posted = http.post("/e/", event.getBytes(StandardCharsets.UTF_8), Map.of());
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
            assertThat(TopicContents.read(KAFKA.bootstrapServers(), eventsTopic)).hasSize(1);
            assertThat(http.get("/metrics", Map.of()).body()).contains("# TYPE");
        } finally {
            capture.destroy();
            if (!capture.waitFor(20, TimeUnit.SECONDS)) {
                capture.destroyForcibly();
            }
        }
        assertThat(capture.exitValue()).as("capture stops cleanly on SIGTERM").isIn(0, 143);
    }

    private static void awaitReady(HttpTestClient http, Process capture, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(capture.isAlive()).as("capture exited:\n%s", Files.readString(log)).isTrue();
            try {
                if (http.get("/_readiness", Map.of()).statusCode() == 200) {
                    return;
                }
            } catch (RuntimeException notListeningYet) {
                // the port opens a moment after the JVM starts
            }
            Thread.sleep(200);
        }
        throw new AssertionError("capture was not ready within 60 s:\n" + Files.readString(log));
    }

    private static Path serviceJar() throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(Path.of("target"), "reflow-capture-*-service.jar")) {
            for (Path jar : jars) {
                return jar.toAbsolutePath();
            }
        }
        throw new AssertionError("no target/reflow-capture-*-service.jar: the shade plugin runs in the package phase");
    }

    private static String guardLocation() throws Exception {
        return Path.of(ExitWhenParentDies.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}

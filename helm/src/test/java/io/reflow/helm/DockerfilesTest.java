package io.reflow.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The images the chart runs and the Dockerfiles that build them agree: jar paths, users, ports. (No Docker daemon
 * is needed for this; the images themselves are built by release tooling.)
 */
class DockerfilesTest {

    @Test
    void theJobsImageIsFlink22WithTheS3PluginAndTheJarTheFlinkDeploymentsStart() throws IOException {
        String dockerfile = read("jobs/Dockerfile");
        JsonNode replay = Chart.render(null).one("FlinkDeployment", "reflow-replay");
        String jarPath = replay.at("/spec/job/jarURI").asText().replaceFirst("^local://", "");

        assertThat(dockerfile).containsPattern("(?m)^FROM flink:2\\.2\\.[0-9]+-scala_2\\.12-java17$");
        assertThat(dockerfile).contains("/opt/flink/plugins/s3-fs-hadoop/");
        assertThat(dockerfile).contains("flink-s3-fs-hadoop-2.2.0.jar");
        assertThat(dockerfile).containsPattern("(?m)^COPY .*target/reflow-jobs-\\$\\{VERSION}-job\\.jar " + jarPath + "$");
        assertThat(read("jobs/pom.xml")).contains("<shadedClassifierName>job</shadedClassifierName>");
    }

    @Test
    void theCaptureImageRunsTheServiceJarAsTheUserAndOnThePortTheChartExpects() throws IOException {
        String dockerfile = read("capture/Dockerfile");
        JsonNode values = Chart.readYaml(Chart.dir().resolve("values.yaml"));
        JsonNode pod = Chart.render(null).one("Deployment", "reflow-capture").at("/spec/template/spec");

        assertThat(dockerfile).containsPattern("(?m)^COPY target/reflow-capture-\\$\\{VERSION}-service\\.jar /opt/reflow/capture\\.jar$");
        assertThat(dockerfile).containsPattern("(?m)^ENTRYPOINT \\[\"java\", \"-jar\", \"/opt/reflow/capture\\.jar\"]$");
        assertThat(dockerfile).containsPattern("(?m)^EXPOSE " + values.at("/capture/port").asInt() + "$");
        assertThat(dockerfile).containsPattern("(?m)^USER " + pod.at("/securityContext/runAsUser").asInt() + "$");
        String pom = read("capture/pom.xml");
        assertThat(pom).contains("<shadedClassifierName>service</shadedClassifierName>").contains("<mainClass>io.reflow.capture.Main</mainClass>");
    }

    @Test
    void theMigratorImageRunsTheMigratorCli() throws IOException {
        String dockerfile = read("sql-schemas/Dockerfile");

        assertThat(dockerfile).containsPattern("(?m)^COPY target/reflow-sql-schemas-\\$\\{VERSION}-migrator\\.jar /opt/reflow/migrator\\.jar$");
        assertThat(dockerfile).contains("\"io.reflow.schemas.Migrator\"");
        assertThat(dockerfile).containsPattern("(?m)^USER 10001$");
        assertThat(Chart.root().resolve("sql-schemas/src/main/java/io/reflow/schemas/Migrator.java")).exists();
    }

    private static String read(String path) throws IOException {
        return Files.readString(Chart.root().resolve(path));
    }
}

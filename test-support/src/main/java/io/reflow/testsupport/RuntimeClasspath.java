package io.reflow.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The classpath of a component that runs in its own JVM (Kafka broker, S3Proxy), recorded as the resource
 * {@code reflow-runtime/<name>.classpath} by the {@code runtimes/<name>} module when it was built, so its
 * dependencies never meet ours.
 */
public final class RuntimeClasspath {
    private RuntimeClasspath() {}

    public static String load(String runtime) {
        String resource = "reflow-runtime/" + runtime + ".classpath";
        String classpath;
        try (InputStream in = RuntimeClasspath.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath: depend on"
                        + " io.reflow:reflow-runtime-" + runtime + " (mvn install -pl runtimes/" + runtime + ")");
            }
            classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        // the recorded paths point into the local Maven repository of the machine that built the module
        for (String entry : classpath.split(File.pathSeparator)) {
            if (!Files.exists(Path.of(entry))) {
                throw new IllegalStateException(entry + " from " + resource + " does not exist:"
                        + " rebuild it here with mvn install -pl runtimes/" + runtime);
            }
        }
        return classpath;
    }
}

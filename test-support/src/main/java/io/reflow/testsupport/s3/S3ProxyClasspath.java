package io.reflow.testsupport.s3;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** S3Proxy's classpath, recorded by the reflow-runtime-s3proxy module at build time. */
final class S3ProxyClasspath {
    static final String RESOURCE = "reflow-runtime/s3proxy.classpath";

    private S3ProxyClasspath() {}

    static String load() {
        String classpath;
        try (InputStream in = S3ProxyClasspath.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the classpath: depend on"
                        + " io.reflow:reflow-runtime-s3proxy (mvn install -pl runtimes/s3proxy)");
            }
            classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        // the recorded paths point into the local Maven repository of the machine that built the module
        for (String entry : classpath.split(File.pathSeparator)) {
            if (!Files.exists(Path.of(entry))) {
                throw new IllegalStateException(entry + " from " + RESOURCE + " does not exist:"
                        + " rebuild it here with mvn install -pl runtimes/s3proxy");
            }
        }
        return classpath;
    }
}

package io.reflow.ops;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repo's files the ops tests use are (set by the failsafe configuration of this module). */
final class OpsPaths {
    private OpsPaths() {}

    static Path flinkConf() {
        return existing("reflow.flink.conf", "../flink-conf");
    }

    static Path flinkSql() {
        return existing("reflow.flink.sql", "../sql-schemas/flink");
    }

    /** The shaded jobs jar, built by the jobs module in {@code package}. */
    static Path jobsJar() {
        Path jar = Path.of(System.getProperty("reflow.jobs.jar", "../jobs/target/reflow-jobs-0.1.0-SNAPSHOT-job.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: build it with mvn -pl ops -am verify (jobs is packaged first)");
        }
        return jar.toAbsolutePath().normalize();
    }

    private static Path existing(String property, String fallback) {
        Path p = Path.of(System.getProperty(property, fallback)).toAbsolutePath().normalize();
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException(p + " does not exist");
        }
        return p;
    }
}

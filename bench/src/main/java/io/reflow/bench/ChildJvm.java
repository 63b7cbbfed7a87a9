package io.reflow.bench;

import io.reflow.testsupport.ChildProcess;
import io.reflow.testsupport.ExitWhenParentDies;
import io.reflow.testsupport.Ports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A main class of this classpath in its own JVM, with its own environment and heap, listening on {@code port};
 * it exits when this JVM does.
 */
final class ChildJvm {
    private static final Duration STARTUP = Duration.ofSeconds(60);

    private ChildJvm() {}

    static ChildProcess start(String name, String mainClass, List<String> args, List<String> jvmArgs, Map<String, String> env,
                              int port, Path log) {
        List<String> command = new ArrayList<>();
        command.add("/usr/bin/env");
        env.forEach((k, v) -> command.add(k + "=" + v));
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ExitWhenParentDies.class.getName(), mainClass));
        command.addAll(args);
        ChildProcess process = ChildProcess.start(name, command, log);
        Ports.awaitAccepting("127.0.0.1", port, STARTUP, process);
        return process;
    }

    /** The peak resident set size of a process, in MiB, from {@code /proc} (NaN where there is none). */
    static double peakRssMib(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or the process is gone
        }
        return Double.NaN;
    }
}

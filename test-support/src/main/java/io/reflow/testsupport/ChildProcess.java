package io.reflow.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A component running in its own JVM (so its dependencies never clash with ours), with its output
 * in a log file. It is destroyed, with its descendants, on {@link #close()} and when this JVM exits.
 */
public final class ChildProcess implements AutoCloseable {
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private final String name;
    private final Process process;
    private final Path log;
    private final Thread shutdownHook;

    private ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.shutdownHook = new Thread(this::destroyNow, "stop-" + name);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts {@code java [jvmArgs] -cp classpath mainClass [args]}, appending output to {@code log}. The
     * child exits by itself when this JVM dies (see {@link ExitWhenParentDies}).
     */
    public static ChildProcess startJava(String name, String classpath, List<String> jvmArgs, String mainClass,
                                         List<String> args, Path log) {
        return startJava(name, classpath, jvmArgs, mainClass, args, log, Map.of());
    }

    /** As {@link #startJava(String, String, List, String, List, Path)}, with extra environment variables. */
    public static ChildProcess startJava(String name, String classpath, List<String> jvmArgs, String mainClass,
                                         List<String> args, Path log, Map<String, String> environment) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classpath + File.pathSeparator + ownLocation());
        command.add(ExitWhenParentDies.class.getName());
        command.add(mainClass);
        command.addAll(args);
        return start(name, command, log, environment);
    }

    /**
     * Starts a command in its own session (when {@code setsid} exists), so that a Ctrl-C in the terminal
     * reaches only this JVM, which then stops its children in order.
     */
    public static ChildProcess start(String name, List<String> command, Path log) {
        return start(name, command, log, Map.of());
    }

    /** As {@link #start(String, List, Path)}, with extra environment variables. */
    public static ChildProcess start(String name, List<String> command, Path log, Map<String, String> environment) {
        List<String> full = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
            full.add(SETSID.toString());
        }
        full.addAll(command);
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(full);
            builder.environment().putAll(environment);
            Process p = builder
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            return new ChildProcess(name, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    private static String ownLocation() {
        try {
            return Path.of(ExitWhenParentDies.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a command to completion (for one-shot tools such as storage formatting); fails on a non-zero exit. */
    public static void runToCompletion(String name, List<String> command, Path log, long timeoutSeconds) {
        try (ChildProcess p = start(name, command, log)) {
            if (!p.process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " did not finish in " + timeoutSeconds + " s; log tail:\n" + p.logTail(40));
            }
            if (p.process.exitValue() != 0) {
                throw new IllegalStateException(name + " exited with " + p.process.exitValue() + "; log tail:\n" + p.logTail(40));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits up to {@code timeout} for the process to exit; true if it did. */
    public boolean waitFor(java.time.Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public int exitValue() {
        return process.exitValue();
    }

    public Path log() {
        return log;
    }

    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, then SIGKILL after {@code graceSeconds}. */
    public void stop(long graceSeconds) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
                destroyNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            destroyNow();
        }
    }

    /** SIGKILL: the process gets no chance to clean up (crash tests). */
    public void kill() {
        destroyNow();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void destroyNow() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    @Override
    public void close() {
        stop(15);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // JVM already shutting down: the hook runs anyway
        }
    }
}

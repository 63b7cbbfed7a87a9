package io.reflow.testsupport.browser;

import io.reflow.testsupport.Cache;
import io.reflow.testsupport.ChildProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The system Chromium the browser tests drive: {@code $REFLOW_CHROMIUM} when set, else Debian's
 * {@value #DEBIAN_PATH}, which is installed with apt-get ({@code apt-get update}, then
 * {@code apt-get install -y chromium}; through {@code sudo -n} when not root) the first time it is missing.
 * Playwright's own browser downloads are never used.
 *
 * <p>Concurrent JVMs install at most once: the install runs under a file lock in {@code Cache.dir()}; its
 * output goes to {@code Cache.dir()/chromium-install.log}.
 */
public final class Chromium {
    public static final String DEBIAN_PATH = "/usr/bin/chromium";
    /** Environment variable naming another Chromium/Chrome executable (non-Debian machines). */
    public static final String OVERRIDE_ENV = "REFLOW_CHROMIUM";
    private static final Logger LOG = LoggerFactory.getLogger(Chromium.class);
    private static final long APT_TIMEOUT_SECONDS = 1200;

    private Chromium() {}

    /** The Chromium executable, installed with apt-get first when it is missing; fails saying why it cannot be. */
    public static synchronized Path executable() {
        String override = System.getenv(OVERRIDE_ENV);
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override.trim());
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException(OVERRIDE_ENV + "=" + override + " is not an executable file");
            }
            return p;
        }
        Path debian = Path.of(DEBIAN_PATH);
        if (Files.isExecutable(debian)) {
            return debian;
        }
        try {
            Files.createDirectories(Cache.dir());
            try (FileChannel lockFile = FileChannel.open(Cache.dir().resolve("chromium-install.lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                if (!Files.isExecutable(debian)) {
                    installWithApt(Cache.dir().resolve("chromium-install.log"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install Chromium", e);
        }
        if (!Files.isExecutable(debian)) {
            throw new IllegalStateException("apt-get installed 'chromium' but there is no " + DEBIAN_PATH
                    + "; on this distribution set " + OVERRIDE_ENV + " to a Chromium executable");
        }
        return debian;
    }

    /** What {@code chromium --version} prints, e.g. {@code Chromium 150.0.7871.100 built on Debian ...}. */
    public static String version(Path executable) {
        try {
            Process p = new ProcessBuilder(executable.toString(), "--version").redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            // Debian's launcher script may print shell warnings first; the version is the last line
            String[] lines = out.split("\\R");
            return lines[lines.length - 1].trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + executable + " --version", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void installWithApt(Path log) {
        String why = "The browser tests need Debian's Chromium at " + DEBIAN_PATH + ". ";
        Path aptGet = NodePackages.findOnPath("apt-get", why + "This is not a Debian/Ubuntu machine: install Chromium"
                + " and set " + OVERRIDE_ENV + " to its executable.");
        List<String> prefix = new ArrayList<>();
        if (!isRoot()) {
            Path sudo;
            try {
                sudo = NodePackages.findOnPath("sudo", "");
            } catch (IllegalStateException e) {
                throw new IllegalStateException(why + "It is missing and cannot be installed: this user is not root"
                        + " and there is no sudo. Run as root: apt-get update && apt-get install -y chromium"
                        + " (or bin/setup-machine), or set " + OVERRIDE_ENV + ".");
            }
            prefix.add(sudo.toString());
            prefix.add("-n"); // never wait for a password prompt
        }
        prefix.addAll(List.of("/usr/bin/env", "DEBIAN_FRONTEND=noninteractive", aptGet.toString()));
        LOG.info("{} is missing: installing Debian's chromium with apt-get (log: {})", DEBIAN_PATH, log);
        long started = System.nanoTime();
        try {
            apt(prefix, List.of("update", "-q"), log);
            apt(prefix, List.of("install", "-y", "-q", "chromium"), log);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(why + "It is missing and installing it with apt-get failed"
                    + (isRoot() ? "" : " (not root: sudo -n must be allowed without a password)")
                    + ". Run: apt-get update && apt-get install -y chromium (or bin/setup-machine). " + e.getMessage(), e);
        }
        LOG.info("installed {} in {} s", DEBIAN_PATH, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    }

    private static void apt(List<String> prefix, List<String> args, Path log) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(args);
        ChildProcess.runToCompletion("apt-get " + String.join(" ", args), command, log, APT_TIMEOUT_SECONDS);
    }

    private static boolean isRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}

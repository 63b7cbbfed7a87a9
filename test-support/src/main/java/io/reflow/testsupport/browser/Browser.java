package io.reflow.testsupport.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A headless system {@link Chromium} running one {@link BrowserScenario}, driven by playwright-core
 * ({@link NodePackages#PLAYWRIGHT_CORE}) from a Node script shipped with this class. Each run gets a fresh
 * profile directory, deleted on {@link #close()}.
 *
 * <p>Run to the end: {@code BrowserResult r = Browser.run(scenario, workDir, Duration.ofMinutes(2));}. Or
 * interact while it runs (the scenario {@linkplain BrowserScenario#mark marks} a point and
 * {@linkplain BrowserScenario#awaitSignal waits} for the test):
 * <pre>{@code
 * try (Browser browser = Browser.start(scenario, Path.of("target/browser"))) {
 *     Instant actionsDone = browser.awaitMark("done", Duration.ofSeconds(60));
 *     ... // check Kafka while the page stays open
 *     browser.signal("finish");
 *     BrowserResult result = browser.awaitResult(Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * <p>The Node process and Chromium never outlive the test: {@link #close()} stops them (and a JVM shutdown
 * hook does), and the Node script closes the browser and exits as soon as its stdin (a pipe from this JVM)
 * closes, which also covers a JVM killed with SIGKILL. Chromium is launched with
 * {@link #CHROMIUM_FLAGS} (and Playwright's {@code --headless}).
 */
public final class Browser implements AutoCloseable {
    /** Flags every run passes to Chromium; the fresh {@code --user-data-dir} is added by Playwright. */
    public static final List<String> CHROMIUM_FLAGS = List.of("--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            // containers often have a 64 MB /dev/shm, too small for renderers
            "--disable-dev-shm-usage");
    private static final String SCRIPT = "browser-scenario.cjs";
    private static final String PROTOCOL = "@@reflow ";
    private static final String PROFILE = "profile-";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Process process;
    private final Path log;
    private final Path profile;
    private final OutputStream toNode;
    private final Thread reader;
    private final Thread shutdownHook;
    private final Map<String, CompletableFuture<Instant>> marks = new ConcurrentHashMap<>();
    private final CompletableFuture<BrowserResult> result = new CompletableFuture<>();
    private boolean closed;

    private Browser(Process process, Path log, Path profile) {
        this.process = process;
        this.log = log;
        this.profile = profile;
        this.toNode = process.getOutputStream();
        this.shutdownHook = new Thread(this::destroyNow, "stop-browser-" + process.pid());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        this.reader = new Thread(this::readOutput, "browser-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts the scenario in the background. {@code workDir} receives the run's files: the scenario JSON, the
     * Node log ({@code browser-<run>.log}) and, while it runs, the profile. Installs Chromium and playwright-core
     * first when they are missing (minutes, once per machine).
     */
    public static Browser start(BrowserScenario scenario, Path workDir) {
        Path chromium = Chromium.executable();
        NodePackages playwright = NodePackages.install(NodePackages.PLAYWRIGHT_CORE);
        Path node = NodePackages.node();
        String run = LocalDateTime.now().format(RUN_ID) + "-" + ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet();
        try {
            Files.createDirectories(workDir);
            Path script = workDir.resolve(SCRIPT);
            try (InputStream in = Browser.class.getResourceAsStream(SCRIPT)) {
                if (in == null) {
                    throw new IllegalStateException("resource " + SCRIPT + " is missing next to " + Browser.class.getName());
                }
                Path tmp = Files.createTempFile(workDir, SCRIPT, ".tmp");
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, script, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            deleteProfilesOfDeadRuns(workDir);
            Path profile = Files.createTempDirectory(workDir, PROFILE + ProcessHandle.current().pid() + "-");
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("executablePath", chromium.toString());
            spec.put("args", CHROMIUM_FLAGS);
            spec.put("userDataDir", profile.toAbsolutePath().toString());
            spec.put("viewport", scenario.viewport());
            spec.put("stepTimeoutMs", scenario.stepTimeout().toMillis());
            spec.put("steps", scenario.steps());
            Path scenarioFile = workDir.resolve("scenario-" + run + ".json");
            Files.write(scenarioFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(spec));
            Path log = workDir.resolve("browser-" + run + ".log");
            Process p = new ProcessBuilder(node.toString(), script.toAbsolutePath().toString(),
                    playwright.root().toString(), scenarioFile.toAbsolutePath().toString())
                    .redirectErrorStream(true)
                    .directory(workDir.toFile())
                    .start();
            return new Browser(p, log, profile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the browser scenario in " + workDir, e);
        }
    }

    /** Profiles are named after the JVM that runs them; one whose JVM is gone was left by a killed run. */
    private static void deleteProfilesOfDeadRuns(Path workDir) throws IOException {
        try (Stream<Path> entries = Files.list(workDir)) {
            for (Path p : entries.filter(p -> p.getFileName().toString().startsWith(PROFILE)).toList()) {
                String[] parts = p.getFileName().toString().split("-");
                try {
                    if (parts.length > 2 && ProcessHandle.of(Long.parseLong(parts[1])).isEmpty()) {
                        NodePackages.deleteRecursively(p);
                    }
                } catch (NumberFormatException | IOException | UncheckedIOException e) {
                    // not ours, or being deleted by someone else
                }
            }
        }
    }

    /** Runs the scenario to its end; throws {@link BrowserScenarioException} when a step failed. */
    public static BrowserResult run(BrowserScenario scenario, Path workDir, Duration timeout) {
        try (Browser browser = start(scenario, workDir)) {
            return browser.awaitResult(timeout);
        }
    }

    /** Waits until the scenario's {@code mark(name)} step ran and returns when it did; fails if the scenario ends first. */
    public Instant awaitMark(String name, Duration timeout) {
        CompletableFuture<Instant> mark = marks.computeIfAbsent(name, k -> new CompletableFuture<>());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return mark.get(100, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (result.isDone()) {
                    if (result.isCompletedExceptionally()) {
                        Throwable crash = failure();
                        throw crash instanceof RuntimeException re ? re : new IllegalStateException(crash);
                    }
                    throw new BrowserScenarioException("the scenario ended without reaching mark '" + name + "'",
                            result.join(), log);
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new BrowserScenarioException("mark '" + name + "' not reached in " + timeout, null, log);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    private Throwable failure() {
        try {
            result.join();
            return null;
        } catch (CompletionException | CancellationException e) {
            return e.getCause() == null ? e : e.getCause();
        }
    }

    /** Releases the scenario's {@code awaitSignal(name)} step (before or while it waits). */
    public synchronized void signal(String name) {
        try {
            toNode.write((JSON.writeValueAsString(Map.of("signal", name)) + "\n").getBytes(StandardCharsets.UTF_8));
            toNode.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the browser scenario is no longer running (log: " + log + ")", e);
        }
    }

    /**
     * Waits for the scenario to end and returns what happened; throws {@link BrowserScenarioException} (with the
     * console, page errors and responses in its message) when a step failed, and stops the browser when it
     * does not end in time.
     */
    public BrowserResult awaitResult(Duration timeout) {
        BrowserResult r;
        try {
            r = result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            close();
            throw new BrowserScenarioException("the scenario did not end in " + timeout + "; stopped it", null, log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
        if (!r.ok()) {
            throw new BrowserScenarioException(r.error(), r, log);
        }
        return r;
    }

    /** The Node script's output (Playwright diagnostics, protocol lines). */
    public Path log() {
        return log;
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** Stops the browser (gracefully: the script closes Chromium, then forcibly after 10 s) and deletes the profile. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            toNode.close(); // the script closes Chromium and exits when its stdin closes
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                destroyNow();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            // Chromium's helpers may linger briefly after the script exits
            destroyNow();
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            destroyNow();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // the JVM is shutting down: the hook runs anyway
        }
        try {
            NodePackages.deleteRecursively(profile);
        } catch (IOException | UncheckedIOException e) {
            // a profile left in target/ is harmless
        }
        if (!result.isDone()) {
            result.completeExceptionally(new BrowserScenarioException("the browser was closed before the scenario ended", null, log));
        }
    }

    private void destroyNow() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                     StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith(PROTOCOL)) {
                    handle(line.substring(PROTOCOL.length()));
                    if (line.length() > 2000) {
                        line = line.substring(0, 2000) + "…";
                    }
                }
                out.write(line);
                out.newLine();
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(new IllegalStateException("cannot read the browser script's output (log: " + log + ")", e));
        }
        try {
            int code = process.waitFor();
            result.completeExceptionally(new BrowserScenarioException(
                    "the browser script exited with " + code + " without a result", null, log));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(String json) {
        try {
            JsonNode message = JSON.readTree(json);
            if (message.has("mark")) {
                marks.computeIfAbsent(message.get("mark").asText(), k -> new CompletableFuture<>())
                        .complete(Instant.ofEpochMilli(message.get("at").asLong()));
            } else if (message.has("result")) {
                result.complete(parse(message.get("result")));
            }
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(new IllegalStateException("unreadable protocol line from the browser script: "
                    + json.substring(0, Math.min(500, json.length())), e));
        }
    }

    private BrowserResult parse(JsonNode r) {
        List<BrowserResult.Step> steps = new ArrayList<>();
        r.path("steps").forEach(s -> steps.add(new BrowserResult.Step(s.path("index").asInt(), s.path("action").asText(),
                instant(s.get("startedAt")), instant(s.get("endedAt")))));
        List<BrowserResult.ConsoleMessage> console = new ArrayList<>();
        r.path("console").forEach(m -> console.add(new BrowserResult.ConsoleMessage(m.path("type").asText(),
                m.path("text").asText(), text(m.get("url")), instant(m.get("at")))));
        List<String> pageErrors = new ArrayList<>();
        r.path("pageErrors").forEach(e -> pageErrors.add(e.asText()));
        List<BrowserResult.Response> responses = new ArrayList<>();
        r.path("responses").forEach(x -> responses.add(new BrowserResult.Response(x.path("method").asText(),
                x.path("url").asText(), x.path("status").asInt(), text(x.get("failure")), instant(x.get("at")))));
        Map<String, JsonNode> values = new LinkedHashMap<>();
        r.path("values").fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue()));
        Map<String, Instant> markTimes = new LinkedHashMap<>();
        r.path("marks").fields().forEachRemaining(e -> markTimes.put(e.getKey(), instant(e.getValue())));
        return new BrowserResult(r.path("ok").asBoolean(), text(r.get("error")), r.path("failedStep").asInt(-1),
                List.copyOf(steps), List.copyOf(console), List.copyOf(pageErrors), List.copyOf(responses),
                Collections.unmodifiableMap(values), Collections.unmodifiableMap(markTimes),
                text(r.get("finalUrl")), instant(r.get("startedAt")), instant(r.get("endedAt")), log);
    }

    private static Instant instant(JsonNode epochMs) {
        return epochMs == null || epochMs.isNull() ? null : Instant.ofEpochMilli(epochMs.asLong());
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }
}

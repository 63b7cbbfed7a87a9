package io.reflow.testsupport.flink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reflow.testsupport.ChildProcess;
import io.reflow.testsupport.Ports;
import io.reflow.testsupport.RuntimeClasspath;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;

/**
 * A real standalone Flink session cluster: one JobManager ({@code StandaloneSessionClusterEntrypoint}) and one
 * TaskManager ({@code TaskManagerRunner}), each in its own JVM started from the Maven jars that
 * {@code runtimes/flink-cluster} recorded (what flink-dist's lib/ holds), with the S3 filesystem and the Prometheus
 * reporter as plugins. Its conf dir is generated from a base {@code config.yaml}, an overlay and the ports and dirs
 * chosen here (see {@link FlinkClusterSettings}). The Flink CLI ({@link #cli}) and SQL client ({@link #sqlClient}) run
 * against it in child JVMs with the same conf dir and plugins, as flink-dist's scripts would run them.
 */
public final class FlinkCluster implements AutoCloseable {
    static final String JOB_MANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    static final String RESOURCE_PARAMS_MAIN = "org.apache.flink.runtime.util.bash.BashJavaUtils";
    static final String CLI_MAIN = "org.apache.flink.client.cli.CliFrontend";
    static final String SQL_CLIENT_MAIN = "org.apache.flink.table.client.SqlClient";
    private static final String RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final long STOP_GRACE_SECONDS = 20;
    private static final Map<String, String> PLUGINS = Map.of(
            "s3-fs-hadoop", "flink-s3-fs-hadoop",
            "metrics-prometheus", "flink-metrics-prometheus");

    private final FlinkClusterSettings settings;
    private final Path dataDir;
    private final Path confDir;
    private final Path logDir;
    private final Path pluginsDir;
    private final String classpath;
    private final Configuration configuration;
    private final String restHost;
    private final int restPort;
    private final int jobManagerMetricsPort;
    private final int taskManagerMetricsPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private ChildProcess jobManager;
    private ChildProcess taskManager;
    private int taskManagerStarts;

    private FlinkCluster(FlinkClusterSettings settings) {
        this.settings = settings;
        this.dataDir = settings.dataDir().toAbsolutePath();
        this.confDir = dataDir.resolve("conf");
        this.logDir = dataDir.resolve("log");
        this.pluginsDir = dataDir.resolve("plugins");
        this.classpath = RuntimeClasspath.load("flink-cluster");
        this.restPort = Ports.orFree(settings.restPort());
        this.jobManagerMetricsPort = Ports.free();
        this.taskManagerMetricsPort = Ports.free();
        Map<String, String> launcher = new LinkedHashMap<>();
        launcher.put("rest.port", String.valueOf(restPort));
        launcher.put("jobmanager.rpc.port", String.valueOf(Ports.free()));
        launcher.put("io.tmp.dirs", dir("tmp").toString());
        launcher.put("state.backend.rocksdb.localdir", dir("rocksdb").toString());
        launcher.put("web.tmpdir", dir("web").toString());
        // the SQL client and CLI read the same conf dir: they submit to this cluster
        launcher.put("execution.target", "remote");
        launcher.putAll(settings.configuration());
        this.configuration = FlinkConfDir.write(settings.flinkConf(), settings.overlay(), launcher, confDir);
        this.restHost = configuration.getString("rest.address", "127.0.0.1");
    }

    /** Starts the JobManager and a TaskManager and returns once the TaskManager has registered. */
    public static FlinkCluster start(FlinkClusterSettings settings) {
        FlinkCluster cluster = new FlinkCluster(settings);
        try {
            cluster.installPlugins();
            cluster.startJobManager();
            cluster.startTaskManager();
        } catch (RuntimeException e) {
            cluster.kill();
            throw e;
        }
        return cluster;
    }

    private Path dir(String name) {
        try {
            return Files.createDirectories(dataDir.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dataDir.resolve(name), e);
        }
    }

    private void installPlugins() {
        for (Map.Entry<String, String> plugin : PLUGINS.entrySet()) {
            Path dir = pluginsDir.resolve(plugin.getKey());
            try {
                Files.createDirectories(dir);
                for (String jar : RuntimeClasspath.load(plugin.getValue()).split(File.pathSeparator)) {
                    Path link = dir.resolve(Path.of(jar).getFileName());
                    Files.deleteIfExists(link);
                    Files.createSymbolicLink(link, Path.of(jar));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot install plugin " + plugin.getKey() + " into " + dir, e);
            }
        }
    }

    private void startJobManager() {
        jobManager = startFlinkProcess("jobmanager", "GET_JM_RESOURCE_PARAMS", JOB_MANAGER_MAIN, jobManagerMetricsPort, List.of());
        Ports.awaitAccepting(restHost, restPort, STARTUP_TIMEOUT, jobManager);
    }

    /** Starts a TaskManager (after {@link #killTaskManager()}, a fresh one) and waits until it has registered. */
    public void startTaskManager() {
        if (taskManager != null && taskManager.isAlive()) {
            throw new IllegalStateException("a TaskManager is running already");
        }
        String resourceId = "taskmanager-" + restPort + "-" + (++taskManagerStarts);
        taskManager = startFlinkProcess("taskmanager", "GET_TM_RESOURCE_PARAMS", TASK_MANAGER_MAIN, taskManagerMetricsPort,
                List.of("-D", "taskmanager.resource-id=" + resourceId));
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (!isRegistered(resourceId)) {
            if (!taskManager.isAlive()) {
                throw new IllegalStateException("TaskManager exited with " + taskManager.exitValue() + "; log tail:\n"
                        + tail("taskmanager", 60));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("TaskManager did not register within " + STARTUP_TIMEOUT + "; log tail:\n"
                        + tail("taskmanager", 60));
            }
            sleep(200);
        }
    }

    /** SIGKILL to the TaskManager, as when its machine dies. */
    public void killTaskManager() {
        if (taskManager != null) {
            taskManager.kill();
            taskManager.close();
            taskManager = null;
        }
    }

    private ChildProcess startFlinkProcess(String role, String resourceCommand, String mainClass, int metricsPort,
                                           List<String> dynamicProperties) {
        List<String> resources = resourceParams(role, resourceCommand);
        List<String> jvmArgs = new ArrayList<>(javaOpts(role));
        jvmArgs.addAll(split(resources.get(0)));
        jvmArgs.addAll(logging(role));
        List<String> args = new ArrayList<>(List.of("--configDir", confDir.toString()));
        args.addAll(split(resources.get(1)));
        args.addAll(List.of("-D", "metrics.reporter.prom.port=" + metricsPort));
        args.addAll(dynamicProperties);
        return ChildProcess.startJava("flink-" + role + "-" + restPort, classpath, jvmArgs, mainClass, args,
                logDir.resolve(role + ".out"), environment());
    }

    /** What flink-dist's scripts compute before starting a process: its JVM memory flags and memory settings. */
    private List<String> resourceParams(String role, String command) {
        Path out = logDir.resolve(role + "-resources.out");
        try {
            Files.deleteIfExists(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChildProcess p = ChildProcess.startJava("flink-" + role + "-resources", classpath, javaOpts(role),
                RESOURCE_PARAMS_MAIN, List.of(command, "--configDir", confDir.toString()), out, environment());
        try {
            if (!p.waitFor(Duration.ofSeconds(60)) || p.exitValue() != 0) {
                throw new IllegalStateException(command + " failed; output:\n" + p.logTail(40));
            }
            List<String> results = Files.readAllLines(out, StandardCharsets.UTF_8).stream()
                    .filter(l -> l.startsWith(RESULT_PREFIX)).map(l -> l.substring(RESULT_PREFIX.length())).toList();
            if (results.size() < 2) {
                throw new IllegalStateException(command + " printed no resource settings; output:\n" + p.logTail(40));
            }
            return results.subList(results.size() - 2, results.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            p.close();
        }
    }

    private List<String> javaOpts(String role) {
        List<String> opts = new ArrayList<>(split(configuration.getString("env.java.opts.all", "")));
        opts.addAll(split(configuration.getString("env.java.opts." + role, "")));
        return opts;
    }

    private List<String> logging(String role) {
        return List.of("-Dlog.file=" + logDir.resolve(role + ".log"),
                "-Dlog4j.configuration=file:" + confDir.resolve(FlinkConfDir.LOG4J_FILE),
                "-Dlog4j.configurationFile=file:" + confDir.resolve(FlinkConfDir.LOG4J_FILE));
    }

    /** The environment every Flink process of this cluster (and its CLI) gets. */
    Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>(settings.environment());
        env.put("FLINK_CONF_DIR", confDir.toString());
        env.put("FLINK_PLUGINS_DIR", pluginsDir.toString());
        env.put("FLINK_LOG_DIR", logDir.toString());
        return env;
    }

    private static List<String> split(String s) {
        return s == null || s.isBlank() ? List.of() : Arrays.stream(s.trim().split("\\s+")).toList();
    }

    // ------------------------------------------------------------------------------------------------ clients

    /**
     * Runs the Flink CLI ({@code flink <args>}, e.g. {@code run -d -c Main job.jar --config f}) against this cluster and
     * returns its exit code and output.
     */
    public FlinkCommandResult cli(Duration timeout, List<String> args) {
        return runClient("cli", classpath, CLI_MAIN, args, timeout);
    }

    /**
     * Runs Flink's SQL client ({@code sql-client.sh -i init... -f script}, embedded gateway) against this cluster, with
     * the Kafka SQL connector shipped as a session jar ({@code --jar}), and returns its exit code and output.
     */
    public FlinkCommandResult sqlClient(Duration timeout, List<Path> initFiles, Path script) {
        List<String> args = new ArrayList<>();
        for (Path init : initFiles) {
            args.addAll(List.of("--init", init.toAbsolutePath().toString()));
        }
        args.addAll(List.of("--file", script.toAbsolutePath().toString()));
        return sqlClient(timeout, args);
    }

    /** The SQL client with raw arguments (after the {@code embedded} mode and connector jars). */
    public FlinkCommandResult sqlClient(Duration timeout, List<String> args) {
        List<String> all = new ArrayList<>(List.of("embedded"));
        for (String jar : RuntimeClasspath.load("flink-sql-connector-kafka").split(File.pathSeparator)) {
            all.addAll(List.of("--jar", jar));
        }
        all.addAll(args);
        String cp = RuntimeClasspath.load("flink-sql-client") + File.pathSeparator + classpath;
        return runClient("sql-client", cp, SQL_CLIENT_MAIN, all, timeout);
    }

    private FlinkCommandResult runClient(String role, String cp, String mainClass, List<String> args, Duration timeout) {
        Path out;
        try {
            Files.createDirectories(logDir);
            out = Files.createTempFile(logDir, role + "-", ".out");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> jvmArgs = new ArrayList<>(javaOpts("client"));
        jvmArgs.add("-Xmx512m");
        jvmArgs.add("-Dlog.file=" + logDir.resolve("flink-" + role + ".log"));
        jvmArgs.add("-Dlog4j.configurationFile=file:" + confDir.resolve(FlinkConfDir.LOG4J_FILE));
        long started = System.nanoTime();
        ChildProcess p = ChildProcess.startJava("flink-" + role, cp, jvmArgs, mainClass, args, out, environment());
        try {
            if (!p.waitFor(timeout)) {
                p.kill();
                throw new IllegalStateException("flink " + role + " " + args + " did not finish within " + timeout
                        + "; output tail:\n" + p.logTail(60));
            }
            return new FlinkCommandResult(args, p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Duration.ofNanos(System.nanoTime() - started));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            p.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ REST

    /** {@code GET <rest url><path>} as JSON. */
    public JsonNode rest(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(restUrl() + path))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + ": HTTP " + r.statusCode() + " " + r.body());
            }
            return new ObjectMapper().readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private boolean isRegistered(String taskManagerId) {
        try {
            for (JsonNode tm : rest("/taskmanagers").path("taskmanagers")) {
                if (tm.path("id").asText().equals(taskManagerId)) {
                    return true;
                }
            }
            return false;
        } catch (RuntimeException e) {
            return false;
        }
    }

    // ------------------------------------------------------------------------------------------------ accessors

    /** {@code http://HOST:PORT} of the REST API and web UI. */
    public String restUrl() {
        return "http://" + restHost + ":" + restPort;
    }

    public int restPort() {
        return restPort;
    }

    /** Where the JobManager's Prometheus reporter serves {@code /metrics}. */
    public int jobManagerMetricsPort() {
        return jobManagerMetricsPort;
    }

    /** Where the TaskManager's Prometheus reporter serves {@code /metrics}. */
    public int taskManagerMetricsPort() {
        return taskManagerMetricsPort;
    }

    /** The generated conf dir the cluster and its clients use. */
    public Path confDir() {
        return confDir;
    }

    public Path pluginsDir() {
        return pluginsDir;
    }

    public Path logDir() {
        return logDir;
    }

    /** The merged configuration in effect. */
    public Configuration configuration() {
        return new Configuration(configuration);
    }

    public boolean isRunning() {
        return jobManager != null && jobManager.isAlive() && taskManager != null && taskManager.isAlive();
    }

    /** The process ids of the JobManager and TaskManager JVMs (0 when not running). */
    public long jobManagerPid() {
        return jobManager == null ? 0 : jobManager.pid();
    }

    public long taskManagerPid() {
        return taskManager == null ? 0 : taskManager.pid();
    }

    /** The tail of a process's Flink log ({@code jobmanager}, {@code taskmanager}) and its console output. */
    public String tail(String role, int lines) {
        StringBuilder s = new StringBuilder();
        for (Path f : List.of(logDir.resolve(role + ".out"), logDir.resolve(role + ".log"))) {
            try {
                List<String> all = Files.exists(f) ? Files.readAllLines(f, StandardCharsets.UTF_8) : List.of();
                s.append("==> ").append(f).append('\n')
                        .append(String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()))).append('\n');
            } catch (IOException | UncheckedIOException e) {
                s.append("(cannot read ").append(f).append(": ").append(e.getMessage()).append(")\n");
            }
        }
        return s.toString();
    }

    // ------------------------------------------------------------------------------------------------ stopping

    /** Stops the TaskManager, then the JobManager (SIGTERM, SIGKILL after a grace period). Running jobs are not saved. */
    @Override
    public void close() {
        stopProcess(taskManager);
        taskManager = null;
        stopProcess(jobManager);
        jobManager = null;
    }

    /** SIGKILL to both processes. */
    public void kill() {
        for (ChildProcess p : Arrays.asList(taskManager, jobManager)) {
            if (p != null) {
                p.kill();
                p.close();
            }
        }
        taskManager = null;
        jobManager = null;
    }

    private static void stopProcess(ChildProcess p) {
        if (p != null) {
            p.stop(STOP_GRACE_SECONDS);
            p.close();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

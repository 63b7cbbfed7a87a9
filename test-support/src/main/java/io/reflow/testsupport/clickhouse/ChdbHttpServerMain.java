package io.reflow.testsupport.clickhouse;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves ClickHouse's HTTP interface from chDB, in a JVM of its own (chDB must not share a process with Flink or
 * the tests). Usage: {@code --port N --data-dir DIR [--library libchdb.so] [--exit-with-parent]}. Tables and data
 * live in DIR and survive restarts. Stops on SIGTERM, and with {@code --exit-with-parent} when the process that
 * started it ends (so a test JVM that is killed leaves no server behind).
 */
public final class ChdbHttpServerMain {
    static final String STATE_DIR = "reflow";
    /** Fixed so that DateTime values render the same on every machine. */
    static final String TIMEZONE = "UTC";

    private ChdbHttpServerMain() {}

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        Arguments arguments = Arguments.parse(args);
        Path dataDir = arguments.dataDir().toAbsolutePath();
        Files.createDirectories(dataDir);
        Path config = ChdbServerConfig.write(dataDir, dataDir.resolve(STATE_DIR).resolve("server.xml"));

        Chdb chdb = Chdb.load(arguments.library() != null ? arguments.library() : ChdbLibrary.path(), TIMEZONE);
        // the connection that boots the engine; it stays open so that background work (Kafka consumers,
        // materialized views, merges) keeps running between requests
        ChdbConnection engine = chdb.connect(List.of("--path=" + dataDir, "--config-file=" + config, "--log-level=error"));
        String timezone = new String(engine.query("SELECT timezone()").data(), StandardCharsets.UTF_8).strip();
        SerialQueryRunner runner = new SerialQueryRunner(chdb, dataDir);

        ExecutorService httpThreads = Executors.newFixedThreadPool(8);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), arguments.port()), 64);
        server.createContext("/", new ClickHouseHttpHandler(runner,
                new ClickHouseHttpHandler.ServerIdentity(displayName(), timezone)));
        server.setExecutor(httpThreads);
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            httpThreads.shutdownNow();
            runner.close();
            engine.close();
        }, "chdb-http-stop"));
        if (arguments.exitWithParent()) {
            ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
                System.out.println("parent process " + parent.pid() + " ended; stopping");
                System.exit(0);
            }));
        }
        System.out.printf("ClickHouse HTTP interface (chDB %s) on http://127.0.0.1:%d, data in %s, ready in %d ms%n",
                chdb.version(), server.getAddress().getPort(), dataDir, (System.nanoTime() - started) / 1_000_000);
    }

    private static String displayName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    record Arguments(int port, Path dataDir, Path library, boolean exitWithParent) {
        private static final String USAGE = "usage: --port N --data-dir DIR [--library libchdb.so] [--exit-with-parent]";

        static Arguments parse(String[] args) {
            Integer port = null;
            Path dataDir = null;
            Path library = null;
            boolean exitWithParent = false;
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--port" -> port = Integer.parseInt(require(args[i], value));
                    case "--data-dir" -> dataDir = Path.of(require(args[i], value));
                    case "--library" -> library = Path.of(require(args[i], value));
                    case "--exit-with-parent" -> {
                        exitWithParent = true;
                        continue;
                    }
                    default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; " + USAGE);
                }
                i++;
            }
            if (port == null || dataDir == null) {
                throw new IllegalArgumentException(USAGE);
            }
            return new Arguments(port, dataDir, library, exitWithParent);
        }

        private static String require(String flag, String value) {
            if (value == null) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return value;
        }
    }
}

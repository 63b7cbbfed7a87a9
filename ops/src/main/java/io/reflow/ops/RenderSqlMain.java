package io.reflow.ops;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * bin/flink-sql's first step: renders {@code tables.sql} (the SQL client's init file) and the chosen scripts (one
 * file, run in one session) with their parameters into a directory, and prints the two paths. Values come from
 * {@code --set NAME=VALUE}, then {@code --config FILE} (a job properties file: {@code kafka.bootstrap-servers} and
 * {@code topic.*} become KAFKA_BOOTSTRAP_SERVERS and *_TOPIC), then the scripts' defaults.
 * {@code --describe SCRIPT} prints a script's parameters instead.
 */
public final class RenderSqlMain {
    private RenderSqlMain() {}

    public static void main(String[] args) throws IOException {
        Path sqlDir = null;
        Path out = null;
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> fromConfig = new LinkedHashMap<>();
        List<Path> scripts = new ArrayList<>();
        boolean describe = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--sql-dir" -> sqlDir = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--describe" -> describe = true;
                case "--config" -> fromConfig.putAll(fromJobProperties(Path.of(args[++i])));
                case "--set" -> {
                    String kv = args[++i];
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        fail("--set needs NAME=VALUE, got '" + kv + "'");
                    }
                    values.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                default -> scripts.add(Path.of(args[i]));
            }
        }
        if (sqlDir == null) {
            fail("--sql-dir is required");
        }
        fromConfig.forEach(values::putIfAbsent);
        try {
            if (describe) {
                for (Path script : scripts) {
                    FlinkSqlScript s = FlinkSqlScript.read(resolve(sqlDir, script));
                    System.out.println(s.name() + ":");
                    s.parameters().values().forEach(p -> System.out.printf("  %-28s %s%s%n", p.name(),
                            p.required() ? "(required) " : "(default " + p.defaultValue() + ") ", p.description()));
                }
                return;
            }
            Files.createDirectories(out);
            Path init = out.resolve("tables.sql");
            Files.writeString(init, FlinkSqlScript.read(sqlDir.resolve("tables.sql")).render(values), StandardCharsets.UTF_8);
            System.out.println(init);
            if (!scripts.isEmpty()) {
                StringBuilder text = new StringBuilder();
                for (Path script : scripts) {
                    text.append(FlinkSqlScript.read(resolve(sqlDir, script)).render(values)).append('\n');
                }
                Path file = out.resolve("script.sql");
                Files.writeString(file, text, StandardCharsets.UTF_8);
                System.out.println(file);
            }
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
        }
    }

    /** A script given by path, or by name inside the SQL dir ({@code dead-letters-by-reason} or {@code ...sql}). */
    private static Path resolve(Path sqlDir, Path script) {
        if (Files.isRegularFile(script)) {
            return script;
        }
        String name = script.toString().endsWith(".sql") ? script.toString() : script + ".sql";
        Path inDir = sqlDir.resolve(name);
        if (!Files.isRegularFile(inDir)) {
            throw new IllegalArgumentException("no such script: " + script + " (neither a file nor in " + sqlDir + ")");
        }
        return inDir;
    }

    private static Map<String, String> fromJobProperties(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.equals("kafka.bootstrap-servers")) {
                values.put("KAFKA_BOOTSTRAP_SERVERS", p.getProperty(key));
            } else if (key.startsWith("topic.")) {
                values.put(key.substring("topic.".length()).replace('-', '_').toUpperCase(java.util.Locale.ROOT) + "_TOPIC",
                        p.getProperty(key));
            }
        }
        return values;
    }

    private static void fail(String message) {
        System.err.println(message);
        System.exit(2);
    }
}

package io.reflow.jobs.common;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * A job's settings: {@code --config FILE} (a properties file) overlaid with {@code --key value}
 * arguments. Keys are dotted, e.g. {@code kafka.bootstrap-servers}.
 */
public final class JobArguments {
    private final Map<String, String> values;

    private JobArguments(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static JobArguments parse(String[] args) {
        Map<String, String> cli = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --key value pairs, got '" + arg + "'");
            }
            cli.put(arg.substring(2), args[++i]);
        }
        Map<String, String> merged = new HashMap<>();
        String config = cli.remove("config");
        if (config != null) {
            merged.putAll(readProperties(Path.of(config)));
        }
        merged.putAll(cli);
        return new JobArguments(merged);
    }

    public static JobArguments of(Map<String, String> values) {
        return new JobArguments(values);
    }

    public String get(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    public String required(String key) {
        String v = values.get(key);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("missing required setting '" + key + "'");
        }
        return v;
    }

    public long getLong(String key, long defaultValue) {
        String v = values.get(key);
        try {
            return v == null ? defaultValue : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting '" + key + "' must be a whole number, was '" + v + "'");
        }
    }

    private static Map<String, String> readProperties(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read config " + file, e);
        }
        Map<String, String> map = new HashMap<>();
        p.stringPropertyNames().forEach(k -> map.put(k, p.getProperty(k)));
        return map;
    }
}

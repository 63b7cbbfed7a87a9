package io.reflow.bench.replay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU ticks of a process's threads grouped by thread name (digits folded, so a pool counts as one), from
 * {@code /proc/<pid>/task}: where a process's CPU goes, including the native threads (RocksDB, GC, JIT) a Java
 * profiler does not sample.
 */
final class ThreadCpu {
    private ThreadCpu() {}

    static Map<String, Long> byName(long pid) {
        Map<String, Long> ticks = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            tasks.forEach(task -> {
                try {
                    String name = Files.readString(task.resolve("comm")).strip().replaceAll("\\d+", "N");
                    String stat = Files.readString(task.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks.merge(name, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            });
        } catch (IOException e) {
            return Map.of();
        }
        return ticks;
    }

    /** The largest groups of {@code after - before}, as "name seconds" text. */
    static String difference(Map<String, Long> before, Map<String, Long> after, int top) {
        Map<String, Long> diff = new HashMap<>();
        after.forEach((name, t) -> diff.put(name, t - before.getOrDefault(name, 0L)));
        Map<String, Long> sorted = new LinkedHashMap<>();
        diff.entrySet().stream().filter(e -> e.getValue() > 0).sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(top).forEach(e -> sorted.put(e.getKey(), e.getValue()));
        StringBuilder out = new StringBuilder();
        sorted.forEach((name, t) -> out.append(out.length() == 0 ? "" : ", ").append(name).append(' ')
                .append(String.format("%.1f s", t / 100.0)));
        return out.toString();
    }
}

package io.reflow.bench.replay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The live objects of a JVM by class ({@code jcmd PID GC.class_histogram}, which runs a full collection first): the
 * total and the largest classes, the whole histogram kept in a file.
 */
record ClassHistogram(long totalBytes, List<String> top) {

    static ClassHistogram of(long pid, Path file, int topClasses) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram")
                .redirectErrorStream(true).redirectOutput(file.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd did not answer within 60 s");
        }
        long total = -1;
        List<String> top = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && f[0].equals("Total")) {
                total = Long.parseLong(f[2]);
            } else if (f.length >= 4 && f[0].endsWith(":") && top.size() < topClasses) {
                top.add(String.format("%s %.1f MiB (%s objects)", f[3], Long.parseLong(f[2]) / 1048576.0, f[1]));
            }
        }
        return new ClassHistogram(total, top);
    }
}

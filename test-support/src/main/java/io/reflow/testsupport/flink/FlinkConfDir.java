package io.reflow.testsupport.flink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ConfigurationUtils;
import org.apache.flink.configuration.GlobalConfiguration;

/**
 * A generated Flink conf dir: {@code config.yaml} = the base file, then the overlay's keys, then explicit settings
 * (read and written with Flink's own YAML handling, so nested and flat keys mix), plus the base dir's log4j files.
 */
final class FlinkConfDir {
    static final String CONFIG_FILE = GlobalConfiguration.FLINK_CONF_FILENAME;
    static final String LOG4J_FILE = "log4j.properties";

    private FlinkConfDir() {}

    /** Writes the merged configuration into {@code target} and returns it. */
    static Configuration write(Path base, Path overlay, Map<String, String> settings, Path target) {
        Configuration merged = read(base);
        if (overlay != null) {
            merged.addAll(read(overlay));
        }
        settings.forEach(merged::setString);
        try {
            Files.createDirectories(target);
            List<String> lines = new ArrayList<>();
            lines.add("# generated from " + base.toAbsolutePath().normalize() + (overlay == null ? ""
                    : " + " + overlay.toAbsolutePath().normalize()) + " + launcher settings; edit those, not this file");
            lines.addAll(ConfigurationUtils.convertConfigToWritableLines(merged, true));
            Files.write(target.resolve(CONFIG_FILE), lines, StandardCharsets.UTF_8);
            for (String log4j : List.of(LOG4J_FILE, "log4j-console.properties", "log4j-cli.properties")) {
                if (Files.exists(base.resolve(log4j))) {
                    Files.copy(base.resolve(log4j), target.resolve(log4j), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Flink conf dir " + target, e);
        }
        return merged;
    }

    private static Configuration read(Path dir) {
        if (!Files.isRegularFile(dir.resolve(CONFIG_FILE))) {
            throw new IllegalArgumentException("no " + CONFIG_FILE + " in " + dir.toAbsolutePath());
        }
        return GlobalConfiguration.loadConfiguration(dir.toAbsolutePath().toString());
    }
}

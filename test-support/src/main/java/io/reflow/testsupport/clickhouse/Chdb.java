package io.reflow.testsupport.clickhouse;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The loaded chDB library: one ClickHouse engine per process, reached through connections. */
final class Chdb {
    private final ChdbApi api;

    private Chdb(ChdbApi api) {
        this.api = api;
    }

    /** Loads the library; the engine will run in {@code timezone} (chDB reads it from TZ, whatever the config says). */
    static Chdb load(Path library, String timezone) {
        if (LibC.INSTANCE.setenv("TZ", timezone, 1) != 0) {
            throw new IllegalStateException("setenv TZ failed");
        }
        ChdbApi api = Native.load(library.toString(), ChdbApi.class);
        // chDB would otherwise install its own SIGSEGV/SIGBUS handlers over the JVM's, which the JVM needs
        // for implicit null checks and safepoints; the first NullPointerException would then hang the process.
        api.chdb_set_signal_handlers_enabled(0);
        return new Chdb(api);
    }

    private interface LibC extends Library {
        LibC INSTANCE = Native.load("c", LibC.class);

        int setenv(String name, String value, int overwrite);
    }

    String version() {
        return api.chdb_version().getString(0, StandardCharsets.UTF_8.name());
    }

    /**
     * Connects with command-line style {@code args}. The first connection boots the engine and takes the
     * server-level ones ({@code --path=DIR}, {@code --config-file=FILE}); later ones must name the same path.
     */
    ChdbConnection connect(List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add("chdb");
        argv.addAll(args);
        Pointer handle = api.chdb_connect(argv.size(), argv.toArray(String[]::new));
        if (handle == null || handle.getPointer(0) == null) {
            throw new IllegalStateException("chdb_connect failed with " + args);
        }
        return new ChdbConnection(api, handle);
    }
}

package io.reflow.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real component per test class, started in a fresh temp dir before the class and stopped (the dir
 * deleted) after it. Register subclasses on a static field with {@code @RegisterExtension}.
 */
public abstract class ComponentExtension<C> implements BeforeAllCallback, AfterAllCallback {
    private final String name;
    // @Nested classes run the callbacks again; only the outermost class starts and stops the component
    private int activeClasses;
    private Path dataDir;
    private C component;

    protected ComponentExtension(String name) {
        this.name = name;
    }

    /** Starts the component in {@code dataDir}. */
    protected abstract C start(Path dataDir) throws Exception;

    /** Stops it; its data dir is deleted afterwards. */
    protected abstract void stop(C component) throws Exception;

    @Override
    public final void beforeAll(ExtensionContext context) throws Exception {
        if (activeClasses++ > 0) {
            return;
        }
        dataDir = Files.createTempDirectory("reflow-" + name + "-");
        component = start(dataDir);
    }

    @Override
    public final void afterAll(ExtensionContext context) throws Exception {
        if (--activeClasses > 0) {
            return;
        }
        try {
            if (component != null) {
                stop(component);
            }
        } finally {
            component = null;
            deleteRecursively(dataDir);
            dataDir = null;
        }
    }

    protected final C component() {
        if (component == null) {
            throw new IllegalStateException(getClass().getSimpleName() + " is not running: register it on a static"
                    + " field with @RegisterExtension");
        }
        return component;
    }

    public static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}

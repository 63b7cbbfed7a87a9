package io.reflow.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Runs another main class in a child JVM and exits (running its shutdown hooks) as soon as the parent
 * JVM goes away, which closes the child's stdin pipe. A test JVM killed with SIGKILL therefore leaves
 * no broker or server behind. Usage: {@code ExitWhenParentDies <main class> [args...]}.
 */
public final class ExitWhenParentDies {
    private ExitWhenParentDies() {}

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            System.err.println("usage: ExitWhenParentDies <main class> [args...]");
            System.exit(2);
        }
        Thread watch = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // the parent never writes; anything it does write is ignored
                }
            } catch (IOException ignored) {
                // a broken pipe means the same as end of input
            }
            System.exit(0);
        }, "exit-when-parent-dies");
        watch.setDaemon(true);
        watch.start();
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    }
}

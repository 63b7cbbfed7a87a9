package io.reflow.viewer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The web page (session list and player), its scripts, the bundled rrweb-player, and, when configured, the demo
 * pages that load posthog-js. Everything is read from the classpath once at start; nothing is fetched at run time.
 */
final class WebPages implements HttpHandler {
    private static final String WEB = "/io/reflow/viewer/web/";
    private static final String ASSETS = "/io/reflow/viewer/assets/";

    private record Page(String contentType, byte[] body) {}

    private final Map<String, Page> pages = new HashMap<>();

    WebPages(Optional<String> pageApiKey, Optional<ViewerConfig.Demo> demo) {
        add("/", "text/html; charset=utf-8", resource(WEB + "index.html"));
        add("/viewer.js", "text/javascript; charset=utf-8", resource(WEB + "viewer.js"));
        add("/viewer.css", "text/css; charset=utf-8", resource(WEB + "viewer.css"));
        add("/assets/rrweb-player.min.js", "text/javascript; charset=utf-8", resource(ASSETS + "rrweb-player.min.js"));
        add("/assets/rrweb-player.min.css", "text/css; charset=utf-8", resource(ASSETS + "rrweb-player.min.css"));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("apiKey", pageApiKey.orElse(null));
        config.put("demo", demo.isPresent());
        add("/config.json", "application/json", io.reflow.contracts.Json.encode(config));
        demo.ifPresent(d -> {
            add("/assets/array.full.no-external.js", "text/javascript; charset=utf-8", resource(ASSETS + "array.full.no-external.js"));
            for (String name : new String[] {"demo", "checkout"}) {
                String html = new String(resource(WEB + name + ".html"), StandardCharsets.UTF_8)
                        .replace("__CAPTURE_URL__", jsString(d.captureUrl()))
                        .replace("__TOKEN__", jsString(d.token()));
                add(name.equals("demo") ? "/demo" : "/demo/" + name, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
            }
        });
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            Page page = pages.get(path.equals("/index.html") ? "/" : path);
            if (path.equals("/favicon.ico")) {
                exchange.sendResponseHeaders(204, -1);
                return;
            }
            if (page == null) {
                byte[] body = ("not found: " + path + "\n").getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
                exchange.sendResponseHeaders(404, body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", page.contentType());
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, page.body().length);
            exchange.getResponseBody().write(page.body());
        }
    }

    private void add(String path, String contentType, byte[] body) {
        pages.put(path, new Page(contentType, body));
    }

    /** A JavaScript string literal's contents (the pages put it between single quotes). */
    private static String jsString(String s) {
        return s.replace("\\", "\\\\").replace("'", "\\'").replace("<", "\\x3c");
    }

    private static byte[] resource(String name) {
        try (InputStream in = WebPages.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " is missing: the viewer module's build puts the npm assets there"
                        + " (mvn -pl viewer package)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + name, e);
        }
    }
}

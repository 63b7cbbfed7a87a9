package io.reflow.capture;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/** Which endpoint answers a request; method and path checks; per-route body limits; route names for metrics. */
final class Router {
    private static final Set<String> EVENT_PATHS = Set.of("/e", "/i/v0/e", "/batch", "/capture", "/track", "/engage");
    private static final String ARRAY_PREFIX = "/array/";
    /** The route of anything that matches no endpoint (a metrics label, so never the path itself). */
    static final String OTHER_ROUTE = "other";

    private final CaptureConfig config;
    private final EventsEndpoint events;
    private final RecordingsEndpoint recordings;
    private final ConfigEndpoint remoteConfig;
    private final BooleanSupplier ready;
    private final CaptureMetrics metrics;

    Router(CaptureConfig config, TeamRegistry registry, GuardedSink sink, BooleanSupplier ready, CaptureMetrics metrics) {
        Authenticator auth = new Authenticator(registry);
        VolumeLimiter limiter = new VolumeLimiter();
        this.config = config;
        this.events = new EventsEndpoint(config, auth, sink, limiter, metrics);
        this.recordings = new RecordingsEndpoint(config, auth, sink, limiter, metrics);
        this.remoteConfig = new ConfigEndpoint(auth, config.maxEventsBytes());
        this.ready = ready;
        this.metrics = metrics;
    }

    /** Answers the request; failures (also of the returned future) are {@link CaptureException}s or bugs. */
    CompletableFuture<Reply> route(Request r) {
        String path = normalize(r.path());
        String method = r.method();
        if (method.equals("OPTIONS")) {
            return done(Reply.empty(204));
        }
        if (path.equals("/s")) {
            requireMethod(method, "POST");
            return recordings.handle(r);
        }
        if (EVENT_PATHS.contains(path)) {
            if (!isPixel(r)) {
                requireMethod(method, "POST");
            }
            return events.handle(r, decodedLimit(path));
        }
        if (path.startsWith(ARRAY_PREFIX)) {
            requireMethod(method, "GET");
            return done(arrayConfig(path.substring(ARRAY_PREFIX.length())));
        }
        return switch (path) {
            case "/flags" -> {
                requireMethod(method, "POST", "GET");
                yield done(remoteConfig.flags(r));
            }
            case "/decide" -> {
                requireMethod(method, "POST", "GET");
                yield done(remoteConfig.decide(r));
            }
            case "/_liveness" -> done(Reply.text(200, "text/plain", "ok"));
            case "/metrics" -> {
                requireMethod(method, "GET");
                yield done(Reply.text(200, CaptureMetrics.CONTENT_TYPE, metrics.scrape()));
            }
            case "/_readiness" -> {
                if (!ready.getAsBoolean()) {
                    throw CaptureException.unavailable("not_ready", "capture is shutting down or cannot write to its sink", null);
                }
                yield done(Reply.text(200, "text/plain", "ready"));
            }
            default -> throw new CaptureException(404, "not_found", "no endpoint at " + r.path());
        };
    }

    /** Whether answering may take long (decoding, waiting for Kafka): then it must not run on an I/O thread. */
    static boolean isSlow(Request r) {
        return r.method().equals("POST") || isPixel(r);
    }

    /** The name of the route a path belongs to, for metrics: an endpoint's path pattern, or {@link #OTHER_ROUTE}. */
    static String route(String path) {
        String p = normalize(path);
        if (p.equals("/s") || EVENT_PATHS.contains(p) || p.equals("/flags") || p.equals("/decide")) {
            return p + "/";
        }
        if (p.startsWith(ARRAY_PREFIX)) {
            return p.endsWith("/config.js") ? "/array/{token}/config.js" : p.endsWith("/config") ? "/array/{token}/config" : OTHER_ROUTE;
        }
        return switch (p) {
            case "/_liveness", "/_readiness", "/metrics" -> p;
            default -> OTHER_ROUTE;
        };
    }

    /** A legacy image-pixel capture: {@code GET /e/?data=<base64 or lz64 JSON>}. */
    private static boolean isPixel(Request r) {
        return r.method().equals("GET") && r.query("data") != null;
    }

    /** The largest decoded body the endpoint at {@code path} accepts. */
    int decodedLimit(String path) {
        String p = normalize(path);
        if (p.equals("/s")) {
            return config.maxRecordingsBytes();
        }
        return p.equals("/batch") ? config.maxBatchBytes() : config.maxEventsBytes();
    }

    private Reply arrayConfig(String rest) {
        int slash = rest.indexOf('/');
        String token = slash < 0 ? "" : rest.substring(0, slash);
        String file = slash < 0 ? rest : rest.substring(slash + 1);
        return switch (file) {
            case "config" -> remoteConfig.config(token);
            case "config.js" -> remoteConfig.configJs(token);
            default -> throw new CaptureException(404, "not_found", "no endpoint at /array/" + rest);
        };
    }

    private static void requireMethod(String method, String... allowed) {
        for (String a : allowed) {
            if (a.equals(method)) {
                return;
            }
        }
        throw new CaptureException(405, "method_not_allowed", method + " is not allowed here; use " + String.join(" or ", allowed));
    }

    private static String normalize(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    private static CompletableFuture<Reply> done(Reply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}

package io.reflow.testsupport.browser;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link Browser} does, step by step, in one tab of a fresh profile. Steps run in order; the first
 * one that fails (or exceeds its timeout, {@linkplain #stepTimeout 30 s} unless given) ends the scenario.
 * Selectors are Playwright selectors (CSS, {@code text=…}, {@code #id}); expressions are JavaScript run in the
 * page.
 *
 * <pre>{@code
 * BrowserScenario s = new BrowserScenario()
 *         .goTo("http://127.0.0.1:8080/")
 *         .waitForFunction("window.posthog && window.posthog.__loaded")
 *         .click("#buy").type("#name", "Ada").press("#name", "Enter")
 *         .mark("done")                 // Browser.awaitMark("done", …) returns when this step ran
 *         .awaitSignal("finish")        // waits for Browser.signal("finish") from the test
 *         .screenshot(Path.of("target/page.png"));
 * }</pre>
 */
public final class BrowserScenario {
    private final List<Map<String, Object>> steps = new ArrayList<>();
    private Duration stepTimeout = Duration.ofSeconds(30);
    private int viewportWidth = 1280;
    private int viewportHeight = 800;

    /** Navigates and waits for the page's {@code load} event. */
    public BrowserScenario goTo(String url) {
        return add("goto", "url", url);
    }

    /** Clicks the element (waiting until it is visible, stable and enabled). */
    public BrowserScenario click(String selector) {
        return add("click", "selector", selector);
    }

    /** Types key by key (real key events, 30 ms apart) into the element. */
    public BrowserScenario type(String selector, String text) {
        return add("type", "selector", selector, "text", text);
    }

    /** Sets an input's value at once (one {@code input} event), replacing what it held. */
    public BrowserScenario fill(String selector, String text) {
        return add("fill", "selector", selector, "text", text);
    }

    /** Presses a key or chord ({@code Enter}, {@code Tab}, {@code Control+A}) in the element. */
    public BrowserScenario press(String selector, String key) {
        return add("press", "selector", selector, "key", key);
    }

    /** Waits until the element is visible. */
    public BrowserScenario waitFor(String selector) {
        return add("waitFor", "selector", selector);
    }

    /** Waits until the expression is truthy in the page (polled every 100 ms). */
    public BrowserScenario waitForFunction(String expression) {
        return add("waitForFunction", "expression", expression);
    }

    /**
     * Waits until the page has received a response with {@code status} (null: any, including failed
     * requests as status 0) from a URL containing {@code urlContains}; with {@code afterLastAction} only
     * responses that arrived after the last goTo/click/type/fill/press count.
     */
    public BrowserScenario waitForResponse(String urlContains, Integer status, boolean afterLastAction) {
        Map<String, Object> step = step("waitForResponse");
        step.put("urlContains", urlContains);
        step.put("status", status);
        step.put("afterLastAction", afterLastAction);
        return add(step);
    }

    /** Does nothing for a while (prefer waiting for something specific). */
    public BrowserScenario pause(Duration duration) {
        return add("pause", "ms", duration.toMillis());
    }

    /** Evaluates the expression in the page; its (JSON-serialisable) value is in {@link BrowserResult#values()} under {@code name}. */
    public BrowserScenario evaluate(String name, String expression) {
        return add("evaluate", "name", name, "expression", expression);
    }

    /** Saves a PNG of the viewport (parent directories are created). */
    public BrowserScenario screenshot(Path png) {
        return add("screenshot", "path", png.toAbsolutePath().toString());
    }

    /** Tells the test that this point was reached: see {@link Browser#awaitMark}. Its time is in {@link BrowserResult#marks()}. */
    public BrowserScenario mark(String name) {
        return add("mark", "name", name);
    }

    /** Waits (up to {@code timeout}) until the test calls {@link Browser#signal(String)} with this name. */
    public BrowserScenario awaitSignal(String name, Duration timeout) {
        Map<String, Object> step = step("awaitSignal");
        step.put("name", name);
        step.put("timeoutMs", timeout.toMillis());
        return add(step);
    }

    /** Gives the step added last its own timeout instead of the default. */
    public BrowserScenario withTimeout(Duration timeout) {
        if (steps.isEmpty()) {
            throw new IllegalStateException("no step to give a timeout to");
        }
        steps.get(steps.size() - 1).put("timeoutMs", timeout.toMillis());
        return this;
    }

    /** The default timeout of every step (30 s unless set). */
    public BrowserScenario stepTimeout(Duration timeout) {
        this.stepTimeout = Objects.requireNonNull(timeout);
        return this;
    }

    public BrowserScenario viewport(int width, int height) {
        this.viewportWidth = width;
        this.viewportHeight = height;
        return this;
    }

    /** The steps as the Node script reads them. */
    List<Map<String, Object>> steps() {
        return steps.stream().map(s -> (Map<String, Object>) new LinkedHashMap<>(s)).toList();
    }

    Duration stepTimeout() {
        return stepTimeout;
    }

    Map<String, Integer> viewport() {
        return Map.of("width", viewportWidth, "height", viewportHeight);
    }

    private static Map<String, Object> step(String action) {
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("action", action);
        return step;
    }

    private BrowserScenario add(String action, Object... keyValues) {
        Map<String, Object> step = step(action);
        for (int i = 0; i < keyValues.length; i += 2) {
            step.put((String) keyValues[i], Objects.requireNonNull(keyValues[i + 1], (String) keyValues[i]));
        }
        return add(step);
    }

    private BrowserScenario add(Map<String, Object> step) {
        steps.add(step);
        return this;
    }
}

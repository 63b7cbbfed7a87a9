/**
 * A real browser for tests: Debian's Chromium ({@link io.reflow.testsupport.browser.Chromium}, installed with
 * apt-get when missing) driven by playwright-core from a Node script
 * ({@link io.reflow.testsupport.browser.Browser} runs a {@link io.reflow.testsupport.browser.BrowserScenario} and
 * returns a {@link io.reflow.testsupport.browser.BrowserResult}), with pinned npm packages such as posthog-js
 * installed once per machine by {@link io.reflow.testsupport.browser.NodePackages}. Needs {@code node} and
 * {@code npm} on the PATH (bin/setup-machine installs them); nothing is downloaded but npm packages and the
 * Debian package.
 */
package io.reflow.testsupport.browser;

'use strict';
// Runs one scripted browser scenario in a system Chromium with playwright-core, for
// io.reflow.testsupport.browser.Browser (which documents the step format).
//
// usage: node browser-scenario.cjs <dir holding node_modules/playwright-core> <scenario.json>
//
// stdout: free text, plus protocol lines "@@reflow <json>": {"mark": name, "at": epochMs} when a mark
// step runs, and {"result": {...}} once at the end. stdin: lines {"signal": name} release awaitSignal
// steps; when stdin closes (the JVM went away) the browser is closed and the process exits.

const fs = require('fs');
const path = require('path');
const readline = require('readline');
const { createRequire } = require('module');

const [packagesRoot, scenarioFile] = process.argv.slice(2);
if (!packagesRoot || !scenarioFile) {
  console.error('usage: node browser-scenario.cjs <packages root> <scenario.json>');
  process.exit(2);
}
const { chromium } = createRequire(path.join(packagesRoot, 'package.json'))('playwright-core');
const scenario = JSON.parse(fs.readFileSync(scenarioFile, 'utf8'));

const PROTOCOL = '@@reflow ';
const emit = (message) => process.stdout.write(PROTOCOL + JSON.stringify(message) + '\n');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const plain = (text) => String(text).replace(/\u001b\[[0-9;]*m/g, '');

const result = {
  ok: false, error: null, failedStep: -1, steps: [], console: [], pageErrors: [], responses: [],
  values: {}, marks: {}, finalUrl: null, startedAt: Date.now(), endedAt: 0,
};
let context = null;
let finished = false;

// --- the parent JVM: signals in, and exit when it goes away -------------------------------------
const signals = new Set();
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  try {
    const message = JSON.parse(line);
    if (message && typeof message.signal === 'string') signals.add(message.signal);
  } catch (e) {
    console.error('ignoring a line on stdin that is not JSON: ' + line);
  }
}).on('close', () => {
  if (finished) return;
  console.error('stdin closed: the parent went away; closing the browser');
  setTimeout(() => process.exit(3), 5000).unref();
  (context ? context.close() : Promise.resolve()).catch(() => {}).finally(() => process.exit(3));
});

async function waitUntil(predicate, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

function responsesMatching(step, since) {
  return result.responses.filter((r) => r.url.includes(step.urlContains)
    && (step.status === undefined || step.status === null || r.status === step.status)
    && r.at >= since);
}

let lastActionAt = 0;
const ACTIONS = new Set(['goto', 'click', 'type', 'fill', 'press']);

async function runStep(page, step, timeout) {
  switch (step.action) {
    case 'goto': return page.goto(step.url, { waitUntil: 'load', timeout });
    case 'click': return page.click(step.selector, { timeout });
    case 'type': return page.locator(step.selector).pressSequentially(step.text, { delay: step.delayMs ?? 30, timeout });
    case 'fill': return page.fill(step.selector, step.text, { timeout });
    case 'press': return page.press(step.selector, step.key, { timeout });
    case 'waitFor': return page.waitForSelector(step.selector, { state: 'visible', timeout });
    case 'waitForFunction': return page.waitForFunction(step.expression, undefined, { timeout, polling: 100 });
    case 'waitForResponse': {
      const since = step.afterLastAction ? lastActionAt : 0;
      const count = step.count ?? 1;
      return waitUntil(() => responsesMatching(step, since).length >= count, timeout,
        `${count} response(s) to a URL containing '${step.urlContains}'`
        + (step.status == null ? '' : ` with status ${step.status}`) + (step.afterLastAction ? ' after the last action' : ''));
    }
    case 'pause': return sleep(step.ms);
    case 'evaluate': result.values[step.name] = await page.evaluate(step.expression); return undefined;
    case 'screenshot':
      fs.mkdirSync(path.dirname(step.path), { recursive: true });
      return page.screenshot({ path: step.path, fullPage: !!step.fullPage, timeout });
    case 'mark': {
      const at = Date.now();
      result.marks[step.name] = at;
      emit({ mark: step.name, at });
      return undefined;
    }
    case 'awaitSignal': return waitUntil(() => signals.has(step.name), timeout, `the signal '${step.name}' from the test`);
    default: throw new Error(`unknown action '${step.action}'`);
  }
}

async function main() {
  try {
    context = await chromium.launchPersistentContext(scenario.userDataDir, {
      executablePath: scenario.executablePath,
      headless: true,
      args: scenario.args,
      viewport: scenario.viewport,
      timeout: 60000,
    });
  } catch (e) {
    result.error = plain('cannot launch Chromium ' + scenario.executablePath + ': ' + (e && e.message));
    return;
  }
  const page = context.pages()[0] || await context.newPage();
  page.on('console', (m) => result.console.push({ type: m.type(), text: m.text(), url: m.location().url || null, at: Date.now() }));
  page.on('pageerror', (e) => result.pageErrors.push(String((e && e.stack) || e)));
  page.on('response', (r) => result.responses.push({
    method: r.request().method(), url: r.url(), status: r.status(), failure: null, at: Date.now(),
  }));
  page.on('requestfailed', (r) => result.responses.push({
    method: r.method(), url: r.url(), status: 0, failure: (r.failure() && r.failure().errorText) || 'failed', at: Date.now(),
  }));

  for (let i = 0; i < scenario.steps.length; i++) {
    const step = scenario.steps[i];
    const startedAt = Date.now();
    try {
      await runStep(page, step, step.timeoutMs ?? scenario.stepTimeoutMs);
    } catch (e) {
      result.failedStep = i;
      result.error = plain(`step ${i} (${JSON.stringify(step)}) failed: ${e && e.message}`);
      break;
    }
    const endedAt = Date.now();
    if (ACTIONS.has(step.action)) lastActionAt = endedAt;
    result.steps.push({ index: i, action: step.action, startedAt, endedAt });
  }
  try {
    result.finalUrl = page.url();
  } catch (e) {
    // the page is gone: nothing to report
  }
  result.ok = result.error === null;
}

main()
  .catch((e) => { result.error = 'browser-scenario.cjs crashed: ' + ((e && e.stack) || e); })
  .then(async () => {
    if (context) {
      await Promise.race([context.close().catch(() => {}), sleep(10000)]);
    }
    result.endedAt = Date.now();
    finished = true;
    emit({ result });
    process.exit(0);
  });

'use strict';
// Records browsing sessions of the corpus sites with the real posthog-js in headless Chromium, for
// io.reflow.bench.RrwebCorpus: each session is its own browser context (so its own posthog session),
// moving the mouse, scrolling, clicking, typing and switching views for a fixed time, then waiting for
// the SDK to send what it recorded.
//
// usage: node record-sessions.cjs <dir holding node_modules/playwright-core> <spec.json>
// spec: {executablePath, args, sessions: [{url, seconds, seed}], parallel}

const path = require('path');
const fs = require('fs');
const { createRequire } = require('module');

const [packagesRoot, specFile] = process.argv.slice(2);
const { chromium } = createRequire(path.join(packagesRoot, 'package.json'))('playwright-core');
const spec = JSON.parse(fs.readFileSync(specFile, 'utf8'));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
process.stdin.on('end', () => process.exit(3));
process.stdin.resume();

function random(seed) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

async function session(browser, { url, seconds, seed }) {
  const rand = random(seed);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const statuses = {};
  page.on('response', (r) => {
    const key = new URL(r.url()).pathname.split('/').slice(0, 2).join('/') + ' ' + r.status();
    statuses[key] = (statuses[key] || 0) + 1;
  });
  page.on('requestfailed', (r) => console.log('request failed:', r.url(), r.failure() && r.failure().errorText));
  page.on('pageerror', (e) => console.log('page error:', e.message));
  await page.goto(url);
  await page.waitForFunction(() => window.posthog && window.posthog.__loaded && window.posthog.sessionRecordingStarted(),
    null, { timeout: 30000 });
  const until = Date.now() + seconds * 1000;
  let x = 400;
  let y = 300;
  while (Date.now() < until) {
    const action = rand();
    try {
      if (action < 0.45) {
        const nx = Math.floor(rand() * 1200) + 20;
        const ny = Math.floor(rand() * 740) + 30;
        await page.mouse.move(nx, ny, { steps: 8 + Math.floor(rand() * 25) });
        x = nx;
        y = ny;
      } else if (action < 0.6) {
        await page.mouse.wheel(0, Math.floor(rand() * 900) - 300);
      } else if (action < 0.78) {
        const targets = await page.$$('button, a, th, li, input[type=checkbox]');
        if (targets.length) {
          const target = targets[Math.floor(rand() * targets.length)];
          if (await target.isVisible()) {
            await target.click({ timeout: 2000 });
          }
        }
      } else if (action < 0.92) {
        const fields = await page.$$('input[type=text], input:not([type]), input[type=email], textarea');
        if (fields.length) {
          const field = fields[Math.floor(rand() * fields.length)];
          if (await field.isVisible()) {
            await field.click({ timeout: 2000 });
            await field.type('note ' + Math.floor(rand() * 100000) + ' about the fleet', { delay: 40 + Math.floor(rand() * 60) });
          }
        }
      } else {
        await sleep(500 + Math.floor(rand() * 2500));
      }
    } catch (e) {
      // an element went away under the pointer: carry on, as a person would
    }
    await sleep(50 + Math.floor(rand() * 400));
  }
  // posthog-js sends recordings every few seconds; give it time to send the last ones
  await sleep(8000);
  console.log('responses of seed', seed, JSON.stringify(statuses));
  await context.close();
}

(async () => {
  const browser = await chromium.launch({ executablePath: spec.executablePath, args: spec.args, headless: true });
  const queue = spec.sessions.slice();
  const workers = [];
  for (let i = 0; i < (spec.parallel || 1); i++) {
    workers.push((async () => {
      while (queue.length) {
        const s = queue.shift();
        const started = Date.now();
        await session(browser, s);
        console.log('recorded', s.url, 'seed', s.seed, 'in', Math.round((Date.now() - started) / 1000), 's');
      }
    })());
  }
  await Promise.all(workers);
  await browser.close();
  process.exit(0);
})().catch((e) => {
  console.error('recording failed:', e && e.stack || e);
  process.exit(1);
});

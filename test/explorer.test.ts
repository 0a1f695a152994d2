import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/app';

/*
 * The API explorer in a real browser (Debian's chromium, driven by playwright-core; .ci/run
 * installs it when missing) against a real server: it loads from this server alone, its
 * first tab signs in as the demo teacher, and the next tab's query then runs as that teacher.
 */
const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p): p is string => !!p && existsSync(p));
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.stop());

/**
 * The result pane's text, read in the page: the pane is a CodeMirror editor, whose value is
 * not the text of the DOM it draws. It runs in the page, on its own (no closure), and the
 * tests are not typed with the DOM library.
 */
function resultText(): string {
  const page = globalThis as unknown as { document: { querySelector(selector: string): { CodeMirror?: { getValue(): string } } | null } };
  return page.document.querySelector('.result-window .CodeMirror')?.CodeMirror?.getValue() ?? '';
}

const html = (url: string) => fetch(url, { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });

describe('the explorer in a browser', () => {
  it('loads from 127.0.0.1 only, signs in with its first tab and runs the next as that teacher', async ({ skip }) => {
    if (!CHROMIUM) {
      console.info('[explorer] no chromium here (install Debian’s chromium, or set CHROMIUM_PATH): the browser test does not run');
      skip();
    }
    // Running as root in a container: chromium's sandbox needs user namespaces it may not have.
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const hosts = new Set<string>();
      page.on('request', (request) => hosts.add(new URL(request.url()).host));
      await page.goto(app.url);
      const run = async (text: string) => {
        await page.click('.graphiql-execute-button');
        for (const deadline = Date.now() + 15_000; ; await page.waitForTimeout(100)) {
          const shown = await page.evaluate(resultText);
          if (shown.includes(text)) return shown;
          if (Date.now() > deadline) throw new Error(`the result pane never showed ${text}: ${shown.slice(0, 300)}`);
        }
      };
      expect(await run('accessToken')).toContain('"username": "teacher1"');
      await page.locator('.graphiql-tab').nth(1).click();
      // GraphiQL settles the operation to run a moment after a tab opens; a click before that
      // sends the last tab's operation name.
      await page.waitForTimeout(1000);
      const assessments = await run('totalCount');
      expect(assessments).toContain('"data"');
      expect(assessments).not.toContain('UNAUTHENTICATED');
      const folder = await mkdtemp(path.join(tmpdir(), 'assay-explorer-'));
      await page.screenshot({ path: path.join(folder, 'explorer.png') });
      console.info(`[explorer] screenshot: ${path.join(folder, 'explorer.png')}`);
      expect([...hosts]).toEqual([new URL(app.url).host]);
    } finally {
      await browser.close();
    }
  });
});

describe('when the explorer is served', () => {
  it('answers a browser at GET /graphql with the page, and a GraphQL client with GraphQL', async () => {
    const page = await html(app.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(await page.text()).not.toMatch(/https?:\/\//);
    const query = await fetch(`${app.url}?query=%7B__typename%7D`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(await query.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('is off in production unless EXPLORER=on', async () => {
    const production = await startTestApp({ NODE_ENV: 'production' });
    const opened = await startTestApp({ NODE_ENV: 'production', EXPLORER: 'on' });
    try {
      const off = await html(production.url);
      expect(off.headers.get('content-type')).not.toMatch(/^text\/html/);
      expect((await fetch(production.url.replace('/graphql', '/explorer/start.js'))).status).toBe(404);
      const on = await html(opened.url);
      expect(on.headers.get('content-type')).toMatch(/^text\/html/);
      const start = await (await fetch(opened.url.replace('/graphql', '/explorer/start.js'))).text();
      expect(start).not.toContain('assay-demo');
    } finally {
      await Promise.all([production.stop(), opened.stop()]);
    }
  });
});

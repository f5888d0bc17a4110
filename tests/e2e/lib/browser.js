// Debian chromium through playwright-core, and a `Tab` that checks every page it shows:
// axe-core (WCAG 2.1 A/AA) on each document, no request to another origin, no script error,
// no Content-Security-Policy violation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, request as apiRequest } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Chromium's synthetic camera (a moving pattern), microphone (a beep a second) and screen. */
export const FAKE_MEDIA_ARGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required'];

/** `extraArgs`: e.g. FAKE_MEDIA_ARGS, for the room tests only. */
export function launchBrowser({ extraArgs = [] } = {}) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // A dead proxy for everything but loopback (bypassed implicitly): a page that tries another
      // origin is caught by the Tab's request watch, and nothing ever leaves the machine.
      '--proxy-server=http://127.0.0.1:9', ...extraArgs],
  });
}

/**
 * Opens a Tab, runs `fn(tab)`, closes the tab. The failure of `fn` wins over the checks made on
 * close, which are reported only if `fn` passed.
 */
export async function withTab(browser, server, fnOrOptions, maybeFn) {
  const [options, fn] = typeof fnOrOptions === 'function' ? [{}, fnOrOptions] : [fnOrOptions, maybeFn];
  const tab = await Tab.open(browser, server, options);
  let result;
  try {
    result = await fn(tab);
  } catch (e) {
    await tab.context.close().catch(() => {});
    throw e;
  }
  await tab.close();
  return result;
}

/** French unless a test asks otherwise: headless chromium would send Accept-Language: en-US. */
const CONTEXT_DEFAULTS = { locale: 'fr-FR', viewport: { width: 1280, height: 800 } };

/** Formats axe violations so a failure says what to fix and where. */
export function formatViolations(violations) {
  return violations.map((v) => [
    `  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`,
    ...v.nodes.slice(0, 5).map((n) =>
      `      → ${n.target.join(' ')}\n        ${n.html.slice(0, 200)}\n        ${(n.failureSummary ?? '').replaceAll('\n', '\n        ')}`),
    ...(v.nodes.length > 5 ? [`      … and ${v.nodes.length - 5} more`] : []),
  ].join('\n')).join('\n');
}

/** One browser context with one page; every document it loads must be checked with `check()`. */
export class Tab {
  /** @param {import('playwright-core').Browser} browser */
  static async open(browser, server, contextOptions = {}) {
    const context = await browser.newContext({ ...CONTEXT_DEFAULTS, ...contextOptions });
    const page = await context.newPage();
    return new Tab(context, page, server);
  }

  constructor(context, page, server) {
    Object.assign(this, { context, page, server });
    this.foreign = [];       // requests to another origin
    this.errors = [];        // script errors and CSP violations
    this.unchecked = [];     // documents left without an axe run
    this.current = null;     // { url, checked } of the document on screen
    const origin = server.origin;
    const watch = (url) => {
      const u = new URL(url);
      const own = u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:' ||
        u.origin === origin || u.origin === origin.replace(/^http/, 'ws');
      if (!own) this.foreign.push(url);
    };
    context.on('request', (req) => watch(req.url()));
    page.on('websocket', (ws) => watch(ws.url()));
    page.on('pageerror', (err) => this.errors.push(`script error on ${page.url()}: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) {
        this.errors.push(`CSP violation on ${page.url()}: ${msg.text()}`);
      }
    });
    page.on('domcontentloaded', () => {
      if (this.current && !this.current.checked) this.unchecked.push(this.current.url);
      this.current = { url: page.url(), checked: false };
    });
  }

  path() {
    const u = new URL(this.page.url());
    return u.pathname + u.search;
  }

  /** Navigates, asserts the status, runs axe. */
  async goto(path, { status = 200, waitUntil = 'load' } = {}) {
    const response = await this.page.goto(this.server.at(path), { waitUntil });
    assert.ok(response, `no response for ${path}`);
    assert.equal(response.status(), status, `GET ${path}: status ${response.status()}, expected ${status}`);
    await this.check();
    return response;
  }

  /**
   * Runs `action` (a click that submits a form, follows a link…), waits for the request
   * matching `method`+`path` and for the resulting document to load, runs axe, and returns the
   * first response (e.g. the 303 of a POST, before its redirect is followed).
   */
  async navigate(action, { method = 'GET', path, status }) {
    const matches = (r) => r.request().method() === method && new URL(r.url()).pathname === path;
    const [response] = await Promise.all([
      this.page.waitForResponse(matches),
      this.page.waitForEvent('load'),
      action(),
    ]);
    if (status !== undefined) {
      assert.equal(response.status(), status, `${method} ${path}: status ${response.status()}, expected ${status}`);
    }
    await this.check();
    return response;
  }

  async dataPage() {
    return this.page.locator('main#main').getAttribute('data-page');
  }

  /** axe-core on the document on screen: zero WCAG 2.1 A/AA violations. */
  async check() {
    const url = this.page.url();
    if (!(await this.page.evaluate(() => typeof window.axe === 'object'))) {
      await this.page.evaluate(AXE_SOURCE); // CDP evaluation: not subject to the page's CSP
    }
    const results = await this.page.evaluate((tags) =>
      window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }), AXE_TAGS);
    assert.ok(results && Array.isArray(results.violations) && results.testEngine?.name === 'axe-core',
      `axe-core did not run on ${url}`);
    if (this.current) this.current.checked = true;
    assert.equal(results.violations.length, 0,
      `axe-core: ${results.violations.length} WCAG 2.1 A/AA violation(s) on ${url}\n${formatViolations(results.violations)}`);
  }

  /** Closes the context and asserts what must hold for every page shown. */
  async close() {
    if (this.current && !this.current.checked) this.unchecked.push(this.current.url);
    this.current = null;
    await this.context.close();
    const problems = [
      ...this.foreign.map((u) => `request to another origin: ${u}`),
      ...this.errors,
      ...this.unchecked.map((u) => `shown without an axe-core run (a test forgot check()): ${u}`),
    ];
    assert.equal(problems.length, 0, problems.join('\n'));
  }

  /** Logs in through the form; asserts the 303 and the landing on the dashboard. */
  async login(account) {
    await this.goto('/login');
    await this.page.getByLabel('Identifiant', { exact: true }).fill(account.login);
    await this.page.getByLabel('Mot de passe', { exact: true }).fill(account.password);
    const button = this.page.getByRole('button', { name: 'Se connecter' });
    await this.navigate(() => button.click(), { method: 'POST', path: '/login', status: 303 });
    assert.equal(new URL(this.page.url()).pathname, '/dashboard', `after login as ${account.login}`);
  }

  /** Logs out through the header button; asserts the notice on /login?out=1. */
  async logout() {
    const button = this.page.getByRole('button', { name: 'Se déconnecter' });
    await this.navigate(() => button.click(), { method: 'POST', path: '/logout', status: 303 });
    assert.equal(this.path(), '/login?out=1');
    const notice = this.page.locator('#notice');
    assert.match(await notice.innerText(), /Vous êtes déconnecté\(e\)\./);
  }
}

/**
 * Loads `path` in `tab` (best in an empty-cache context) and adds up what came over the wire:
 * response headers and encoded (compressed) bodies of every request, redirects included.
 * Returns the document's response, the bytes, the request count and each request's detail.
 */
export async function firstLoad(tab, path) {
  const seen = [];
  const onRequest = (r) => seen.push(r);
  tab.page.on('request', onRequest);
  const response = await tab.page.goto(tab.server.at(path), { waitUntil: 'networkidle' });
  tab.page.off('request', onRequest);
  assert.ok(response, `no response for ${path}`);
  // A request answered from the memory cache (the icon, asked again as favicon) reports
  // headers and body adding up to 0: nothing came over the wire. It still counts as a request.
  let bytes = 0;
  const detail = [];
  for (const r of seen) {
    const s = await r.sizes();
    const res = await r.response();
    const transferred = Math.max(0, s.responseHeadersSize + s.responseBodySize);
    bytes += transferred;
    detail.push({
      url: new URL(r.url()).pathname, status: res?.status() ?? null,
      encoding: (res && (await res.allHeaders())['content-encoding']) ?? null,
      transferred, bodyBytes: transferred > 0 ? s.responseBodySize : 0,
    });
  }
  return { response, bytes, requests: seen.length, detail };
}

/** Value of the hidden csrf input of an HTML page. */
export function csrfFrom(html) {
  const input = html.match(/<input\b[^>]*\bname=["']?csrf["'\s>][^>]*>/i)?.[0];
  const value = input?.match(/\bvalue=(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i);
  assert.ok(value, 'no hidden csrf input on the login page');
  return (value[1] ?? value[2] ?? value[3])
    .replaceAll('&quot;', '"').replaceAll('&#x27;', "'").replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

/**
 * Logs in over plain HTTP (no browser, no cache warmed) and returns the API context holding the
 * session cookie; `await api.storageState()` hands it to a fresh browser context.
 * `expectStatus: null` skips the status check.
 */
export async function apiLogin(server, account, { expectStatus = 303 } = {}) {
  const api = await apiRequest.newContext({ baseURL: server.url, extraHTTPHeaders: { 'Accept-Language': 'fr' } });
  const page = await api.get('/login');
  assert.equal(page.status(), 200, 'GET /login');
  const res = await api.post('/login', {
    form: { login: account.login, password: account.password, csrf: csrfFrom(await page.text()) },
    maxRedirects: 0,
  });
  if (expectStatus !== null) assert.equal(res.status(), expectStatus, `POST /login as ${account.login}`);
  return { api, res };
}

/**
 * The first of the listed parents (at most `limit` tried, over HTTP) whose dashboard offers at
 * least `min` distinct a[data-child] links; returns { account, children } or null.
 */
export async function parentWithChildren(server, min, limit = 60) {
  for (const account of server.accounts.parent.slice(0, limit)) {
    const { api } = await apiLogin(server, account);
    try {
      const html = await (await api.get('/dashboard')).text();
      const children = [...new Set([...html.matchAll(/\bdata-child="([^"]+)"/g)].map((m) => m[1]))];
      if (children.length >= min) return { account, children };
    } finally {
      await api.dispose();
    }
  }
  return null;
}

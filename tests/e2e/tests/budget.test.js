// Sobriety: first-load weight and request count of every page, and small screens.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { apiLogin, csrfFrom, firstLoad, launchBrowser, parentWithChildren, withTab } from '../lib/browser.js';
import { ROLES, startServer } from '../lib/server.js';

const MAX_BYTES = 51_200;
const MAX_REQUESTS = 10;
const RESULTS = join(import.meta.dirname, '..', 'results');

let server, browser;
const figures = [];
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  if (figures.length === 0) return;
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'weights.json'), `${JSON.stringify({ maxBytes: MAX_BYTES, maxRequests: MAX_REQUESTS, pages: figures }, null, 2)}\n`);
  const rows = figures.map((f) =>
    `${f.page.padEnd(10)} ${f.path.padEnd(48)} ${String(f.dataPage).padEnd(20)} ${String(f.bytes).padStart(7)} ${String(f.requests).padStart(4)}  ${f.encoding}`);
  console.log(['', `${'who'.padEnd(10)} ${'path'.padEnd(48)} ${'data-page'.padEnd(20)} ${'bytes'.padStart(7)} ${'reqs'.padStart(4)}  html encoding`, ...rows,
    `(budget: ${MAX_BYTES} bytes, ${MAX_REQUESTS} requests; written to tests/e2e/results/weights.json)`].join('\n'));
});

/** Context options for a fresh context (empty cache) holding the session of `account`, if any. */
async function sessionOf(account) {
  if (!account) return {};
  const { api } = await apiLogin(server, account);
  const storageState = await api.storageState();
  await api.dispose();
  return { storageState };
}

/**
 * Loads `path` in an empty-cache context and adds up what came over the wire: response headers
 * and encoded (compressed) bodies of every request, redirects included.
 */
async function weigh(label, account, path, { status = 200 } = {}) {
  await withTab(browser, server, await sessionOf(account), async (tab) => {
    const { response, bytes, requests, detail } = await firstLoad(tab, path);
    assert.equal(response.status(), status, `GET ${path} as ${label}`);
    assert.equal(tab.path(), path, `GET ${path} as ${label} ended elsewhere: the wrong page would be weighed`);
    const encoding = (await response.allHeaders())['content-encoding'] ?? 'none';
    figures.push({ page: label, path, dataPage: await tab.dataPage(), status, bytes, requests, encoding, detail });
    await tab.check();
    assert.ok(bytes > 0, `nothing measured for ${path}`);
    for (const d of detail) {
      if (d === detail[0] || /\.(css|js|mjs|svg|html?)$/.test(d.url)) {
        assert.ok(d.bodyBytes < 1024 || /^(br|gzip|zstd)$/.test(d.encoding ?? ''),
          `${d.url} on ${path}: ${d.bodyBytes} bytes sent uncompressed`);
      }
    }
    assert.ok(bytes <= MAX_BYTES, `${label} ${path}: ${bytes} bytes on first load (budget ${MAX_BYTES})`);
    assert.ok(requests <= MAX_REQUESTS, `${label} ${path}: ${requests} requests (budget ${MAX_REQUESTS})`);
  });
}

test('login page', () => weigh('anonymous', null, '/login'));
test('404 page', () => weigh('anonymous', null, '/pas-de-page-ici', { status: 404 }));
test('audio conference PIN page', () => weigh('anonymous', null, '/conference'));

for (const role of ROLES) {
  test(`${role} dashboard, profile and sessions`, async () => {
    const account = server.first(role);
    await weigh(role, account, '/dashboard');
    await weigh(role, account, '/profile');
    await weigh(role, account, '/profile/sessions');
  });
}

test('pupil 403 page', () => weigh('pupil', server.first('pupil'), '/admin/people', { status: 403 }));

test('teacher division page', async () => {
  const account = server.first('teacher');
  const { api } = await apiLogin(server, account);
  const html = await (await api.get('/dashboard')).text();
  await api.dispose();
  const href = html.match(/<a\b[^>]*\bdata-division[^>]*>/)?.[0].match(/\bhref="([^"]+)"/)?.[1];
  assert.ok(href, 'no a[data-division] link on the teacher dashboard');
  await weigh('teacher', account, href.replaceAll('&amp;', '&'));
});

test('parent dashboard for a chosen child', async () => {
  const found = await parentWithChildren(server, 1);
  assert.ok(found, 'no demo parent has an a[data-child] link on the dashboard');
  await weigh('parent', found.account, `/dashboard?child=${encodeURIComponent(found.children[0])}`);
});

test('admin directory pages', async () => {
  const account = server.first('admin');
  await weigh('admin', account, '/admin/people');
  await weigh('admin', account, '/admin/people?q=a');
  await weigh('admin', account, '/admin/people/new');
});

test('meeting pages: my meetings, the booking form, the meeting rooms', async () => {
  // A room first, so that the booking form is weighed with its fields and the staff to invite.
  const { api } = await apiLogin(server, server.first('admin'));
  const form = await (await api.get('/admin/meeting-rooms')).text();
  const res = await api.post('/admin/meeting-rooms', {
    form: { name: 'Salle du conseil', kind: 'video', capacity: '10', csrf: csrfFrom(form) }, maxRedirects: 0,
  });
  assert.equal(res.status(), 303, 'the admin adds a meeting room');
  await api.dispose();
  await weigh('teacher', server.first('teacher'), '/meetings');
  await weigh('teacher', server.first('teacher'), '/meetings/new');
  await weigh('admin', server.first('admin'), '/admin/meeting-rooms');
});

test('no horizontal scroll at 360 px: login, pupil and parent dashboards', () =>
  withTab(browser, server, { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true }, async (tab) => {
    const scrollWidth = () => tab.page.evaluate(() => document.documentElement.scrollWidth);
    await tab.goto('/login');
    assert.ok(await scrollWidth() <= 360, `/login is ${await scrollWidth()} px wide at 360 px`);
    for (const role of ['pupil', 'parent']) {
      await tab.login(server.first(role));
      assert.ok(await scrollWidth() <= 360, `the ${role} dashboard is ${await scrollWidth()} px wide at 360 px`);
      await tab.logout();
    }
  }));

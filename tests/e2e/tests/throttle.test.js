// Password guessing is throttled: after repeated failures, 429 with Retry-After and a French
// message. Its own server, since the throttle may also hold back other logins from 127.0.0.1.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiLogin, launchBrowser, withTab } from '../lib/browser.js';
import { startServer } from '../lib/server.js';

const MAX_ATTEMPTS = 50;

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('repeated wrong passwords end in 429 with Retry-After and a French #login-error', async () => {
  const target = server.first('teacher');
  const wrong = { login: target.login, password: `${server.password}-wrong` };
  let last;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const { api, res } = await apiLogin(server, wrong, { expectStatus: null });
    last = { status: res.status(), retryAfter: res.headers()['retry-after'] };
    await api.dispose();
    if (last.status === 429) break;
    assert.equal(last.status, 401, `attempt ${attempt}: status ${last.status}`);
  }
  assert.equal(last.status, 429, `still no 429 after ${MAX_ATTEMPTS} wrong passwords`);
  assert.match(last.retryAfter ?? '', /^\d+$/, 'Retry-After must be a number of seconds');
  assert.ok(Number(last.retryAfter) > 0);

  // In the browser: the throttled form says so accessibly, even with the right password.
  await withTab(browser, server, async (tab) => {
    await tab.goto('/login');
    await tab.page.getByLabel('Identifiant', { exact: true }).fill(target.login);
    await tab.page.getByLabel('Mot de passe', { exact: true }).fill(target.password);
    const button = tab.page.getByRole('button', { name: 'Se connecter' });
    const res = await tab.navigate(() => button.click(), { method: 'POST', path: '/login', status: 429 });
    assert.match(res.headers()['retry-after'] ?? '', /^\d+$/);
    assert.match(await tab.page.locator('html').getAttribute('lang'), /^fr\b/);
    const error = tab.page.locator('#login-error');
    assert.equal(await error.getAttribute('role'), 'alert');
    const message = await error.innerText();
    assert.ok(message.trim().length > 0, 'empty #login-error');
    assert.doesNotMatch(message, /Identifiant ou mot de passe incorrect/, 'the 429 message should say why, not repeat the 401 one');
  });
});

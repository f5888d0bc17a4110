// Logging in and out for every role, wrong passwords, refused and unknown pages, language.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, withTab } from '../lib/browser.js';
import { ROLES, startServer } from '../lib/server.js';

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

for (const role of ROLES) {
  test(`${role}: logs in, lands on dashboard-${role}, opens profile and sessions, logs out`, () =>
    withTab(browser, server, async (tab) => {
      await tab.login(server.first(role));
      assert.equal(await tab.dataPage(), `dashboard-${role}`);

      await tab.goto('/profile');
      assert.equal(await tab.dataPage(), 'profile');
      await tab.goto('/profile/sessions');
      assert.equal(await tab.dataPage(), 'sessions');

      await tab.logout();
      // The session is really gone: the dashboard now sends us back to the login page.
      await tab.goto('/dashboard');
      assert.equal(new URL(tab.page.url()).pathname, '/login');
    }));
}

/** Submits the login form with these credentials; returns the response to the POST. */
async function submitLogin(tab, login, password, status) {
  await tab.goto('/login');
  await tab.page.getByLabel('Identifiant', { exact: true }).fill(login);
  await tab.page.getByLabel('Mot de passe', { exact: true }).fill(password);
  const button = tab.page.getByRole('button', { name: 'Se connecter' });
  return tab.navigate(() => button.click(), { method: 'POST', path: '/login', status });
}

test('a wrong password re-renders /login with 401 and #login-error', () =>
  withTab(browser, server, async (tab) => {
    await submitLogin(tab, server.first('teacher').login, `${server.password}-wrong`, 401);
    assert.equal(new URL(tab.page.url()).pathname, '/login');
    const error = tab.page.locator('#login-error');
    assert.equal(await error.getAttribute('role'), 'alert');
    assert.match(await error.innerText(), /Identifiant ou mot de passe incorrect\./);
    assert.equal(await tab.page.locator('form#login-form').count(), 1, 'no form to try again');
  }));

test('an unknown login gets the same 401 message as a wrong password', () =>
  withTab(browser, server, async (tab) => {
    await submitLogin(tab, 'personne.inconnue', server.password, 401);
    assert.match(await tab.page.locator('#login-error').innerText(), /Identifiant ou mot de passe incorrect\./);
  }));

test('a pupil opening /admin/people gets 403 and the error-403 page', () =>
  withTab(browser, server, async (tab) => {
    await tab.login(server.first('pupil'));
    await tab.goto('/admin/people', { status: 403 });
    assert.equal(await tab.dataPage(), 'error-403');
    assert.equal((await tab.page.locator('h1').innerText()).trim(), 'Accès refusé');
  }));

test('an unknown URL gets 404 and the error-404 page, logged in or not', () =>
  withTab(browser, server, async (tab) => {
    await tab.goto('/cette-page-n-existe-pas', { status: 404 });
    assert.equal(await tab.dataPage(), 'error-404');
    await tab.login(server.first('parent'));
    await tab.goto('/cette-page-n-existe-pas/non-plus', { status: 404 });
    assert.equal(await tab.dataPage(), 'error-404');
  }));

test('protected pages redirect to /login when not logged in', () =>
  withTab(browser, server, async (tab) => {
    for (const path of ['/dashboard', '/profile', '/profile/sessions', '/admin/people']) {
      await tab.goto(path);
      assert.equal(new URL(tab.page.url()).pathname, '/login', `${path} while logged out`);
      assert.equal(await tab.page.locator('form#login-form').count(), 1);
    }
  }));

test('the interface is French by default', () =>
  withTab(browser, server, async (tab) => {
    await tab.goto('/login');
    assert.match(await tab.page.locator('html').getAttribute('lang'), /^fr\b/);
  }));

test('the interface is English for Accept-Language: en', () =>
  withTab(browser, server, { locale: 'en-GB' }, async (tab) => {
    await tab.goto('/login');
    assert.match(await tab.page.locator('html').getAttribute('lang'), /^en\b/);
    assert.equal(await tab.page.getByRole('button', { name: 'Se connecter' }).count(), 0,
      'the English login page still has the French button');
  }));

test('keyboard only: the first Tab reaches the skip link, and logging in needs no mouse', () =>
  withTab(browser, server, async (tab) => {
    const { page } = tab;
    const focused = () => page.evaluate(() => {
      const e = document.activeElement;
      return { tag: e?.tagName.toLowerCase(), id: e?.id, name: e?.getAttribute('name'), href: e?.getAttribute('href') };
    });
    await tab.goto('/login');
    await page.keyboard.press('Tab');
    assert.equal((await focused()).href, '#main', 'the first Tab does not reach a skip link to #main');
    await page.keyboard.press('Enter');
    assert.equal((await focused()).id, 'main', 'the skip link does not move the focus to <main>');

    const tabTo = async (name) => {
      for (let i = 0; i < 20 && (await focused()).name !== name; i += 1) await page.keyboard.press('Tab');
      assert.equal((await focused()).name, name, `Tab never reaches the ${name} field`);
    };
    const account = server.first('pupil');
    await tabTo('login');
    await page.keyboard.type(account.login);
    await tabTo('password');
    await page.keyboard.type(account.password);
    await tab.navigate(() => page.keyboard.press('Enter'), { method: 'POST', path: '/login', status: 303 });
    assert.equal(await tab.dataPage(), 'dashboard-pupil');
  }));

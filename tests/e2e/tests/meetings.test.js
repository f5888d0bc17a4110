// Meetings: the administration adds a room; a teacher books it with two colleagues and an
// outside guest, downloads the invitation, sees the room's week; a clashing booking is refused
// with the clash named; a pupil is refused the meetings. axe on every page and state.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { apiLogin, launchBrowser, withTab } from '../lib/browser.js';
import { startServer } from '../lib/server.js';

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** YYYY-MM-DD, `days` from today (local time of the test machine; the server uses Paris time). */
function day(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

test('an admin adds a meeting room; a teacher books it with colleagues and a guest, then a clash is refused', async () => {
  await withTab(browser, server, async (tab) => {
    await tab.login(server.first('admin'));
    await tab.goto('/admin/meeting-rooms');
    assert.equal(await tab.dataPage(), 'rooms-admin');
    await tab.page.fill('#name', 'Salle du conseil');
    await tab.page.selectOption('#kind', 'video');
    await tab.page.fill('#capacity', '10');
    await tab.navigate(() => tab.page.click('main form button[type="submit"]'), { method: 'POST', path: '/admin/meeting-rooms', status: 303 });
    assert.ok((await tab.page.locator('main table').innerText()).includes('Salle du conseil'));
    // The same name again: refused, said, and the form announced as in error.
    await tab.page.fill('#name', 'Salle du conseil');
    await tab.navigate(() => tab.page.click('main form button[type="submit"]'), { method: 'POST', path: '/admin/meeting-rooms', status: 422 });
    assert.match(await tab.page.locator('[role="alert"]').innerText(), /déjà « Salle du conseil »/);
  });

  const teacher = server.first('teacher');
  const date = day(10);
  let meetingPath;
  await withTab(browser, server, async (tab) => {
    await tab.login(teacher);
    const nav = tab.page.locator('nav a[href="/meetings"]');
    assert.equal(await nav.count(), 1, 'no "Réunions" link in the header for a teacher');
    await tab.navigate(() => nav.click(), { path: '/meetings', status: 200 });
    assert.equal(await tab.dataPage(), 'meetings');
    await tab.navigate(() => tab.page.click('a[href="/meetings/new"]'), { path: '/meetings/new', status: 200 });
    assert.equal(await tab.dataPage(), 'meeting-new');
    await tab.page.fill('#title', 'Équipe pédagogique');
    await tab.page.fill('#date', date);
    await tab.page.fill('#start', '17:00');
    await tab.page.fill('#end', '18:00');
    const colleagues = tab.page.locator('input[name="invitee"]');
    assert.ok(await colleagues.count() >= 2, 'fewer than two colleagues to invite');
    const names = [];
    for (const i of [0, 1]) {
      await colleagues.nth(i).check();
      const id = await colleagues.nth(i).getAttribute('id');
      names.push((await tab.page.locator(`label[for="${id}"]`).innerText()).trim());
    }
    await tab.page.fill('#guests', 'orthophoniste@cabinet.example');
    const response = await tab.navigate(() => tab.page.click('main form button[type="submit"]'), { method: 'POST', path: '/meetings/new', status: 303 });
    meetingPath = new URL(response.headers().location, server.url).pathname;
    assert.match(meetingPath, /^\/meetings\/[0-9a-z]{26}$/);
    assert.equal(tab.path(), meetingPath);
    assert.equal(await tab.dataPage(), 'meeting');
    const text = await tab.page.locator('main#main').innerText();
    for (const expected of ['Équipe pédagogique', 'Salle du conseil', '17:00 – 18:00', 'orthophoniste@cabinet.example', ...names]) {
      assert.ok(text.includes(expected), `${expected} missing from the meeting page`);
    }
    // The invitation file.
    const href = await tab.page.locator('a#ics').getAttribute('href');
    const ics = await tab.page.request.get(server.at(href));
    assert.equal(ics.status(), 200);
    assert.match(ics.headers()['content-type'], /^text\/calendar/);
    const body = await ics.text();
    assert.ok(body.startsWith('BEGIN:VCALENDAR\r\n') && body.includes('METHOD:REQUEST\r\n') && body.includes('SUMMARY:Équipe pédagogique\r\n'));
    // The change form comes filled in (axe on it too).
    await tab.navigate(() => tab.page.click('a#edit'), { path: `${meetingPath}/edit`, status: 200 });
    assert.equal(await tab.dataPage(), 'meeting-edit');
    assert.equal(await tab.page.locator('#title').inputValue(), 'Équipe pédagogique');
    assert.equal(await tab.page.locator('input[name="invitee"]:checked').count(), 2);
    // A calendar feed: made from the meetings page, shown once, read without a session.
    await tab.goto('/meetings');
    await tab.navigate(() => tab.page.click('form[action="/meetings/feed"] button'), { method: 'POST', path: '/meetings/feed', status: 200 });
    assert.equal(await tab.dataPage(), 'meeting-feed');
    const feedUrl = await tab.page.locator('#feed-url').inputValue();
    const feed = await browser.newContext().then(async (ctx) => {
      const r = await ctx.request.get(feedUrl);
      const out = { status: r.status(), type: r.headers()['content-type'], body: await r.text() };
      await ctx.close();
      return out;
    });
    assert.equal(feed.status, 200);
    assert.match(feed.type, /^text\/calendar/);
    assert.ok(feed.body.includes('METHOD:PUBLISH\r\n') && feed.body.includes('SUMMARY:Équipe pédagogique\r\n'), 'the meeting in the feed');
    await tab.goto(meetingPath);
    // The room's week shows it.
    await tab.navigate(() => tab.page.click('main dl a[href^="/meeting-rooms/"]'), { path: new URL(await tab.page.locator('main dl a[href^="/meeting-rooms/"]').getAttribute('href'), server.url).pathname, status: 200 });
    assert.equal(await tab.dataPage(), 'meeting-room');
    await tab.goto(`${tab.path().split('?')[0]}?week=${date}`);
    assert.ok((await tab.page.locator('main#main').innerText()).includes('Équipe pédagogique'));
    // Its day view (axe on it too): the meeting, and when the room is free.
    const dayLink = tab.page.locator(`main a[href$="?day=${date}"]`);
    await tab.navigate(() => dayLink.click(), { path: tab.path().split('?')[0], status: 200 });
    const dayText = await tab.page.locator('main#main').innerText();
    assert.ok(dayText.includes('Journée du') && dayText.includes('Équipe pédagogique') && dayText.includes('18:00 – 20:00'), dayText);
  });

  // Another teacher books the same room at an overlapping time: refused, the clash named.
  const other = server.accounts.teacher[1];
  await withTab(browser, server, async (tab) => {
    await tab.login(other);
    await tab.goto('/meetings/new');
    await tab.page.fill('#title', 'Rencontre parents');
    await tab.page.fill('#date', date);
    await tab.page.fill('#start', '17:30');
    await tab.page.fill('#end', '18:30');
    await tab.navigate(() => tab.page.click('main form button[type="submit"]'), { method: 'POST', path: '/meetings/new', status: 409 });
    const alert = await tab.page.locator('[role="alert"]').innerText();
    // The other meeting's title is named only to someone invited to it.
    assert.match(alert, /La salle est déjà réservée (pour « Équipe pédagogique » )?le .* 17:00 – 18:00/);
    assert.equal(await tab.page.locator('#title').inputValue(), 'Rencontre parents', 'what was typed is kept');
    // Not invited: the first meeting's page is refused.
    await tab.goto(meetingPath, { status: 403 });
  });
});

test('a pupil gets the 403 page on the meetings', () =>
  withTab(browser, server, async (tab) => {
    await tab.login(server.first('pupil'));
    assert.equal(await tab.page.locator('nav a[href="/meetings"]').count(), 0, 'a pupil sees no meetings link');
    await tab.goto('/meetings', { status: 403 });
    assert.equal(await tab.dataPage(), 'error-403');
    const { api } = await apiLogin(server, server.first('pupil'));
    assert.equal((await api.get('/meetings/new')).status(), 403);
    await api.dispose();
  }));

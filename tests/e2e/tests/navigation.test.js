// What each role does after logging in: switch child, open a division, search the directory.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser, parentWithChildren, withTab } from '../lib/browser.js';
import { startServer } from '../lib/server.js';

const PARENTS_TO_TRY = 60;

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('a parent with two children switches between them', async () => {
  const found = await parentWithChildren(server, 2, PARENTS_TO_TRY);
  assert.ok(found, `none of the first ${PARENTS_TO_TRY} demo parents has two children on the dashboard`);
  await withTab(browser, server, async (tab) => {
    await tab.login(found.account);
    assert.equal(await tab.dataPage(), 'dashboard-parent');
    const links = tab.page.locator('a[data-child]');
    const ids = [...new Set(await links.evaluateAll((as) => as.map((a) => a.dataset.child)))];
    assert.ok(ids.length >= 2, `child links: ${ids}`);

    const shown = {};
    for (const id of ids.slice(0, 2)) {
      const link = tab.page.locator(`a[data-child="${id}"]`).first();
      await tab.navigate(() => link.click(), { path: '/dashboard', status: 200 });
      assert.equal(new URL(tab.page.url()).searchParams.get('child'), id);
      assert.equal(await tab.dataPage(), 'dashboard-parent');
      shown[id] = await tab.page.locator('main#main').innerText();
    }
    assert.notEqual(shown[ids[0]], shown[ids[1]], 'the dashboard shows the same thing for both children');
  });
});

test('a teacher opens a division page from the dashboard', () =>
  withTab(browser, server, async (tab) => {
    await tab.login(server.first('teacher'));
    const links = tab.page.locator('a[data-division]');
    assert.ok(await links.count() > 0, 'no a[data-division] on the teacher dashboard');
    const href = new URL(await links.first().getAttribute('href'), tab.page.url()).pathname;
    assert.match(href, /^\/divisions\/[^/]+$/);
    await tab.navigate(() => links.first().click(), { path: href, status: 200 });
    assert.equal(await tab.dataPage(), 'division');
    assert.ok((await tab.page.locator('h1').innerText()).trim().length > 0, 'division page without a title');
  }));

for (const role of ['staff', 'principal']) {
  test(`the ${role} dashboard lists divisions with head counts`, () =>
    withTab(browser, server, async (tab) => {
      await tab.login(server.first(role));
      assert.equal(await tab.dataPage(), `dashboard-${role}`);
      const text = await tab.page.locator('main#main').innerText();
      // The demo collège has the divisions 6e A, 5e A, 4e A and 3e A, of 24 to 26 pupils.
      for (const division of ['6e A', '5e A', '4e A', '3e A']) {
        assert.ok(text.includes(division), `${division} missing from the ${role} dashboard`);
      }
      assert.match(text, /\b2[4-6]\b/, `no head count (24 to 26) on the ${role} dashboard`);
    }));
}

const rowsOf = (tab) => tab.page.locator('main table tbody tr').allInnerTexts();

test('an admin pages through the directory, searches it and opens the new-person form', () =>
  withTab(browser, server, async (tab) => {
    await tab.login(server.first('admin'));
    await tab.goto('/admin/people');
    assert.equal(await tab.dataPage(), 'admin-people');
    const page1 = await rowsOf(tab);
    assert.ok(page1.length > 0, 'the directory is empty');

    // Pagination: the next page shows other people, the previous one the first ones again.
    const next = tab.page.locator('main a[rel="next"]');
    assert.ok(await next.count() > 0, 'no a[rel="next"] on the first directory page (the demo has ~290 people)');
    await tab.navigate(() => next.first().click(), { path: '/admin/people', status: 200 });
    const page2 = await rowsOf(tab);
    assert.ok(page2.length > 0, 'the second directory page is empty');
    assert.ok(!page2.includes(page1[0]), 'the second page repeats the first one');
    const prev = tab.page.locator('main a[rel="prev"]');
    assert.ok(await prev.count() > 0, 'no a[rel="prev"] on the second directory page');
    await tab.navigate(() => prev.first().click(), { path: '/admin/people', status: 200 });
    assert.deepEqual(await rowsOf(tab), page1);

    // Search: a word of the first cell of the last row, one that not every row of page 1 has,
    // finds rows that all contain it.
    const cell = await tab.page.locator('main table tbody tr').last().locator(':scope > *').first().innerText();
    const lower = page1.map((r) => r.toLowerCase());
    const word = cell.split(/[\s,]+/).find((w) => w.length >= 3 && lower.some((r) => !r.includes(w.toLowerCase())));
    assert.ok(word, `no distinctive word to search in ${JSON.stringify(cell)}`);
    const q = tab.page.locator('main input[name="q"]');
    await q.fill(word);
    await tab.navigate(() => q.press('Enter'), { path: '/admin/people', status: 200 });
    assert.equal(new URL(tab.page.url()).searchParams.get('q'), word);
    assert.equal(await q.inputValue(), word, 'the search field does not keep the query');
    const found = await rowsOf(tab);
    assert.ok(found.length > 0, `searching ${word} found nothing`);
    for (const row of found) {
      assert.ok(row.toLowerCase().includes(word.toLowerCase()), `${JSON.stringify(row)} does not match ${word}`);
    }

    await tab.goto('/admin/people/new');
    assert.equal(await tab.dataPage(), 'admin-person-new');
  }));

// The digital workspace in the browser. The homework diary: a teacher sets homework with a
// document to a division; a pupil of that division finds it on the dashboard, downloads the
// document and hands in a file; the teacher returns feedback; a parent sees the status and the
// feedback; a pupil of another division gets the 403 page. Messaging: a pupil writes to a
// teacher, who reads it; a message to a classmate, which the rules forbid, is refused with an
// explanation. Axe on every page and state; first-load weights of the pupil's dashboard, the
// homework page and the messaging page are printed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Tab, apiLogin, csrfFrom, firstLoad, launchBrowser } from '../lib/browser.js';
import { divisionAccounts } from '../lib/room.js';
import { startServer } from '../lib/server.js';

const PAGE_BUDGET = 51_200;
const PDF = Buffer.from('%PDF-1.4\n% fiche d\'exercices\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');

let server, browser, klass, other, parent;
const open = [];

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  klass = await divisionAccounts(server, '6e A', { pupils: 2, teachers: 1 });
  other = await divisionAccounts(server, '5e A', { pupils: 1, teachers: 0 });
  parent = await parentOf(klass.teachers[0], klass.pupils[0].name);
});

after(async () => {
  for (const t of open) await t.context.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

const decode = (s) => s.replaceAll('&#39;', "'").replaceAll('&#x27;', "'").replaceAll('&quot;', '"').replaceAll('&amp;', '&');

/**
 * A parent of the pupil named `child`: the teacher's booking form lists the parents of their
 * classes as "Name (parent de Child)"; the admin's page of that parent gives the login.
 */
async function parentOf(teacher, child) {
  // The form is shown once the school has a meeting room.
  const { api: admin } = await apiLogin(server, server.first('admin'));
  const rooms = await (await admin.get('/admin/meeting-rooms')).text();
  const made = await admin.post('/admin/meeting-rooms', { form: { name: 'Salle A', kind: 'video', capacity: '10', csrf: csrfFrom(rooms) }, maxRedirects: 0 });
  assert.equal(made.status(), 303, 'the admin adds a meeting room');
  const { api } = await apiLogin(server, teacher);
  const form = decode(await (await api.get('/meetings/new')).text());
  await api.dispose();
  const m = [...form.matchAll(/value="([0-9a-z]{26})"[^>]*>\s*<label[^>]*>([^<]+)<\/label>/g)].find((x) => new RegExp(`\\(parent de (.*, )?${child}[,)]`, 'i').test(x[2]));
  assert.ok(m, `no parent of ${child} on the teacher's booking form`);
  const html = await (await admin.get(`/people/${m[1]}`)).text();
  await admin.dispose();
  const login = html.match(/<code>([^<]+)<\/code>/)?.[1];
  assert.ok(login, `no login on the parent's page`);
  return { login: decode(login), password: server.password };
}

async function tab(account) {
  const t = await Tab.open(browser, server);
  open.push(t);
  await t.login(account);
  return t;
}

/** A day in Paris, `offsetDays` from today, as a date input takes it. */
function parisDate(offsetDays) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(new Date(Date.now() + offsetDays * 86_400_000)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}

test('homework goes from the teacher to the class and back; a parent follows; another class is refused', async () => {
  // The teacher sets it through the form, with a PDF.
  const teacher = await tab(klass.teachers[0]);
  await teacher.goto('/homework');
  await teacher.navigate(() => teacher.page.click('#new-homework'), { path: '/homework/new', status: 200 });
  const option = await teacher.page.locator('#class option', { hasText: '6e A' }).first().getAttribute('value');
  assert.ok(option, 'the teacher\'s 6e A is offered');
  await teacher.page.selectOption('#class', option);
  await teacher.page.fill('#instructions', 'Exercices 3 et 4 page 52 : rédiger les solutions.');
  await teacher.page.fill('#due_date', parisDate(2));
  await teacher.page.fill('#minutes', '30');
  await teacher.page.check('#hand_in');
  await teacher.page.setInputFiles('#files', { name: 'Fiche d\'exercices.pdf', mimeType: 'application/pdf', buffer: PDF });
  await teacher.check();
  const [created] = await Promise.all([
    teacher.page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/homework/new'),
    teacher.page.waitForEvent('load'),
    teacher.page.click('main form button[type="submit"]'),
  ]);
  assert.equal(created.status(), 303);
  const path = teacher.path();
  assert.match(path, /^\/homework\/[0-9a-z]{26}$/);
  await teacher.check();
  assert.equal(await teacher.page.locator('#homework-files a').innerText(), 'Fiche d\'exercices.pdf');

  // The pupil: on the dashboard, then the page, the document, the hand-in.
  const pupil = await tab(klass.pupils[0]);
  const id = path.split('/').pop();
  const onDashboard = pupil.page.locator(`#homework-h ~ ul [data-homework="${id}"] a`);
  assert.match(await onDashboard.innerText(), /\S/, 'the homework is on the pupil\'s dashboard');
  await pupil.navigate(() => onDashboard.click(), { path, status: 200 });
  assert.match(await pupil.page.locator('#instructions').innerText(), /Exercices 3 et 4/);
  const [download] = await Promise.all([pupil.page.waitForEvent('download'), pupil.page.click('#homework-files a')]);
  assert.equal(download.suggestedFilename(), 'Fiche d\'exercices.pdf');
  const fetched = await pupil.page.request.get(server.at(await pupil.page.locator('#homework-files a').getAttribute('href') ?? ''));
  assert.deepEqual(Buffer.from(await fetched.body()), PDF, 'the document comes back as it was sent');
  await pupil.page.fill('#text', 'Voici mes solutions.');
  await pupil.page.setInputFiles('#files', { name: 'solutions.txt', mimeType: 'text/plain', buffer: Buffer.from('Exercice 3 : x = 4\nExercice 4 : y = 7\n') });
  await pupil.navigate(() => pupil.page.click('#hand-in button[type="submit"]'), { method: 'POST', path: `${path}/hand-in`, status: 303 });
  assert.match(await pupil.page.locator('#work').innerText(), /Voici mes solutions\.[\s\S]*solutions\.txt/);

  // The teacher sees it handed in and returns feedback.
  await teacher.goto(path);
  assert.match(await teacher.page.locator('#class-h').innerText(), /\(1\/\d+\)/);
  const work = teacher.page.locator('#hand-ins a', { hasText: klass.pupils[0].name });
  const workPath = new URL(await work.getAttribute('href') ?? '', server.url).pathname;
  await teacher.navigate(() => work.click(), { path: workPath, status: 200 });
  await teacher.page.fill('#feedback', 'Bien : pense à justifier le passage de la ligne 2.');
  await teacher.navigate(() => teacher.page.click('#feedback-form button[type="submit"]'), { method: 'POST', path: `${workPath}/feedback`, status: 303 });
  assert.match(await teacher.page.locator('main').innerText(), /Corrigé le/);

  // The pupil sees the feedback; the parent sees the status and the feedback.
  await pupil.goto(path);
  assert.match(await pupil.page.locator('#work').innerText(), /pense à justifier/);
  const family = await tab(parent);
  await family.goto('/homework');
  await family.navigate(() => family.page.click(`[data-homework="${id}"] a`), { path, status: 200 });
  const theirs = await family.page.locator('.child-work', { has: family.page.locator('h2', { hasText: klass.pupils[0].name }) }).innerText();
  assert.match(theirs, /rendu, corrigé/);
  assert.match(theirs, /pense à justifier/);

  // A pupil of another division: the 403 page.
  const stranger = await tab(other.pupils[0]);
  await stranger.goto(path, { status: 403 });
  assert.equal(await stranger.dataPage(), 'error-403');

  // First-load weights, with an empty cache, as the pupil.
  const { api } = await apiLogin(server, klass.pupils[0]);
  const storageState = await api.storageState();
  await api.dispose();
  for (const p of ['/dashboard', '/homework', path]) {
    const weigher = await Tab.open(browser, server, { storageState });
    open.push(weigher);
    const { response, bytes, requests } = await firstLoad(weigher, p);
    assert.equal(response.status(), 200);
    console.log(`pupil ${p === path ? '/homework/{id}' : p}: ${bytes} bytes, ${requests} requests on first load (budget ${PAGE_BUDGET})`);
    assert.ok(bytes <= PAGE_BUDGET, `${p}: ${bytes} bytes`);
    await weigher.check();
  }
});

test('a pupil writes to a teacher; a message the rules forbid is refused with an explanation', async () => {
  const pupil = await tab(klass.pupils[0]);
  await pupil.goto('/messages');
  await pupil.navigate(() => pupil.page.click('#new-message'), { path: '/messages/new', status: 200 });
  await pupil.page.getByLabel(klass.teachers[0].name, { exact: true }).check();
  await pupil.page.fill('#subject', 'Exercice 4');
  await pupil.page.fill('#body', 'Je ne comprends pas la question b.');
  await pupil.navigate(() => pupil.page.click('#compose button[value="send"]'), { method: 'POST', path: '/messages/new', status: 303 });
  assert.match(pupil.path(), /^\/messages\/[0-9a-z]{26}$/);

  const teacher = await tab(klass.teachers[0]);
  await teacher.goto('/messages');
  assert.match(await teacher.page.locator('#unread').innerText(), /1 message non lu/);
  await teacher.navigate(() => teacher.page.click('.conversations a', { hasText: 'Exercice 4' }), { path: pupil.path(), status: 200 });
  assert.match(await teacher.page.locator('.messages').innerText(), /Je ne comprends pas la question b\./);

  // A classmate is not offered; slipped into the form anyway, the message is refused and says why.
  await pupil.goto('/messages/new');
  const classmate = klass.pupils[1];
  assert.equal(await pupil.page.getByLabel(classmate.name, { exact: true }).count(), 0, 'classmates are not offered');
  await pupil.page.evaluate((id) => {
    const box = Object.assign(document.createElement('input'), { type: 'hidden', name: 'to', value: id });
    document.querySelector('#compose')?.append(box);
  }, classmate.id);
  await pupil.page.fill('#subject', 'Le devoir');
  await pupil.page.fill('#body', 'Tu as fini ?');
  await pupil.navigate(() => pupil.page.click('#compose button[value="send"]'), { method: 'POST', path: '/messages/new', status: 403 });
  const refusal = await pupil.page.locator('#form-errors').innerText();
  assert.match(refusal, /n'est pas parti/);
  assert.match(refusal, new RegExp(classmate.name.split(' ')[0]));
  assert.match(refusal, /écrivent aux élèves de leurs classes/);

  const { api } = await apiLogin(server, klass.pupils[0]);
  const storageState = await api.storageState();
  await api.dispose();
  const weigher = await Tab.open(browser, server, { storageState });
  open.push(weigher);
  const { response, bytes, requests } = await firstLoad(weigher, '/messages');
  assert.equal(response.status(), 200);
  console.log(`pupil /messages: ${bytes} bytes, ${requests} requests on first load (budget ${PAGE_BUDGET})`);
  assert.ok(bytes <= PAGE_BUDGET);
  await weigher.check();
});

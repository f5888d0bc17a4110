// Meetings live (and audio conferences entered with PINs, where the host mutes someone and the
// report lists everyone; recorded, with everyone told, and the recording read back by libopus's
// own decoder): a teacher meets two colleagues and an outside guest, who comes by the signed
// link, gives a name, waits in the lobby, is let in by the organizer (announced, with a chime)
// and then receives the others' audio and video; locked, the room turns the next guest away.
// A room of capacity 3 gives the fourth person the "room full" page; a pupil cannot open a
// staff-only room. The real binary with its SFU, chromium with fake devices, axe on every page
// and state; the lobby page's first-load weight is printed.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { after, before, test } from 'node:test';
import { FAKE_MEDIA_ARGS, Tab, apiLogin, csrfFrom, firstLoad, launchBrowser } from '../lib/browser.js';
import { divisionAccounts, flowing, until } from '../lib/room.js';
import { startServer } from '../lib/server.js';

const ROOM_PAGE_BUDGET = 150 * 1024; // quality.md: a live-room page, before media

let server, browser;
/** Three teachers of 6e A, with their ids (to invite them). */
let teachers;
/** Meeting room ids by name. */
const rooms = {};
/** Tabs to close whatever happens. */
const open = [];

before(async () => {
  server = await startServer({ env: { PREAU_RECORDING: 'true' } });
  browser = await launchBrowser({ extraArgs: FAKE_MEDIA_ARGS });
  teachers = (await divisionAccounts(server, '6e A', { pupils: 0, teachers: 3 })).teachers;
  const { api } = await apiLogin(server, server.first('admin'));
  for (const [name, kind, capacity] of [['Salle visio', 'video', '10'], ['Petite salle', 'video', '3'], ['Salle des profs', 'staff_only', '20'],
    ['Pont audio', 'audio_conference', '20']]) {
    const form = await (await api.get('/admin/meeting-rooms')).text();
    const res = await api.post('/admin/meeting-rooms', { form: { name, kind, capacity, csrf: csrfFrom(form) }, maxRedirects: 0 });
    assert.equal(res.status(), 303, `the admin adds ${name}`);
  }
  const html = await (await api.get('/meetings/new')).text();
  for (const m of html.matchAll(/<option value="([0-9a-z]{26})"[^>]*>([^<(]+)/g)) rooms[m[2].trim()] = m[1];
  await api.dispose();
  assert.ok(rooms['Salle visio'] && rooms['Petite salle'] && rooms['Salle des profs'] && rooms['Pont audio'], `rooms on the form: ${JSON.stringify(rooms)}`);
});

after(async () => {
  for (const t of open) await t.context.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

/** Now in Paris, as the booking form takes it: date, and the minute (end capped at 23:59). */
function parisNow(offsetMin = 0) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('fr-FR', {
    timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(Date.now() + offsetMin * 60_000)).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

/** Books `room` from now for the rest of the hour (at most to 23:59), through the form; returns the meeting's path. */
async function bookNow(organizer, title, room, invitees, guests = '') {
  let start = parisNow();
  if (start.time >= '23:58') { // the day is about to change: book on the next one
    await new Promise((r) => setTimeout(r, 3 * 60_000));
    start = parisNow();
  }
  const later = parisNow(60);
  const end = later.date === start.date ? later.time : '23:59';
  const { api } = await apiLogin(server, organizer);
  const form = await (await api.get('/meetings/new')).text();
  const fields = [['title', title], ['room', room], ['date', start.date], ['start', start.time], ['end', end],
    ...invitees.map((id) => ['invitee', id]), ['guests', guests], ['csrf', csrfFrom(form)]];
  const res = await api.post('/meetings/new', {
    headers: { 'content-type': 'application/x-www-form-urlencoded' }, data: new URLSearchParams(fields).toString(), maxRedirects: 0,
  });
  assert.equal(res.status(), 303, `booking ${title}: ${res.status()} ${(await res.text()).slice(0, 2000)}`);
  await api.dispose();
  return new URL(res.headers().location, server.url).pathname;
}

/** A tab of `account` on the meeting's page, then in its room (camera on if `camera`). */
async function enter(account, meetingPath, { camera = true } = {}) {
  const tab = await Tab.open(browser, server);
  open.push(tab);
  await tab.login(account);
  await tab.goto(meetingPath);
  await tab.navigate(() => tab.page.click('a#join'), { path: `${meetingPath}/room`, status: 200 });
  await join(tab, camera);
  return tab;
}

/** On a room page: waits for the devices, sets the camera box, clicks "Rejoindre". */
async function join(tab, camera) {
  assert.equal(await tab.dataPage(), 'room');
  await tab.page.locator('#camera-select option[value]:not([value=""])').first().waitFor({ state: 'attached' });
  await tab.check();
  if (camera) await tab.page.check('#join-cam');
  await tab.page.click('#join');
}

const phase = (tab) => tab.page.evaluate(() => /** @type {any} */ (window).preauRoom?.phase);
const inRoom = (tab) => tab.page.waitForFunction(() => /** @type {any} */ (window).preauRoom?.phase === 'in');
const pidOf = (tab) => tab.page.evaluate(() => /** @type {any} */ (window).preauRoom.you);

/** A guest's tab: the link, a name, then the room page (the lobby). */
async function guestAt(link, name) {
  const tab = await Tab.open(browser, server);
  open.push(tab);
  const path = new URL(link).pathname;
  await tab.goto(path);
  assert.equal(await tab.dataPage(), 'guest');
  const text = await tab.page.locator('main#main').innerText();
  assert.ok(!text.includes('Collège') && (await tab.page.locator('nav').count()) === 0, 'a guest sees nothing of the school');
  await tab.page.fill('#guest-name', name);
  const meeting = link.split('/')[4];
  await tab.navigate(() => tab.page.click('main form button[type="submit"]'), { method: 'POST', path, status: 303 });
  assert.equal(tab.path(), `/guest/${meeting}`);
  return tab;
}

test('a guest waits in the lobby, is let in by the organizer and receives the others\' audio and video', async () => {
  const [organizer, c1, c2] = teachers;
  const meeting = await bookNow(organizer, 'Équipe éducative de 6e A', rooms['Salle visio'], [c1.id, c2.id], 'famille.martin@exemple.fr');
  const host = await enter(organizer, meeting);
  await inRoom(host);
  const members = [host, await enter(c1, meeting), await enter(c2, meeting)];
  for (const t of members.slice(1)) await inRoom(t);
  const link = await host.page.locator('#share-link').inputValue();
  assert.match(link, /\/invite\/[0-9a-z]{26}\/\d+\/[\w-]{43}$/, 'the organizer\'s room shows the guests\' link');

  // The lobby page's weight on first load, in a fresh context holding only the guest's pass.
  const guest = await guestAt(link, 'Mme Martin, parent');
  const weigher = await Tab.open(browser, server, { storageState: await guest.context.storageState() });
  const weight = await firstLoad(weigher, guest.path());
  assert.equal(weight.response.status(), 200);
  await weigher.check();
  await weigher.close();
  console.log(`lobby page ${guest.path()}: ${weight.bytes} bytes, ${weight.requests} requests on first load (budget ${ROOM_PAGE_BUDGET})`);
  assert.ok(weight.bytes <= ROOM_PAGE_BUDGET, `the lobby page weighs ${weight.bytes} bytes`);

  // The guest asks to come in and waits; the organizer hears and reads who waits.
  await join(guest, true);
  await guest.page.locator('#prejoin-note', { hasText: 'salle d’attente' }).waitFor();
  assert.equal(await phase(guest), 'joining', 'not in before being let in');
  await guest.check();
  const waiting = host.page.locator('#lobby li[data-guest]');
  await waiting.waitFor();
  assert.match(await waiting.innerText(), /Mme Martin, parent \(invité\)/);
  await host.page.locator('#announcer', { hasText: 'attend en salle d’attente' }).waitFor();
  await host.check();
  await host.page.click('#lobby button.lobby-admit');
  await inRoom(guest);
  await host.page.locator('#lobby li.empty').waitFor();

  // In: the guest receives the three others' cameras and the organizer's voice; the others see a guest.
  const pids = await Promise.all(members.map(pidOf));
  await flowing(guest.page, pids.map((p) => `${p}|camera`), 'frames');
  await flowing(guest.page, [`${pids[0]}|audio`], 'packets');
  const guestPid = await pidOf(guest);
  await until('the guest in the organizer\'s list, marked as a guest', async () =>
    (await host.page.locator(`#participants li[data-participant="${guestPid}"]`).innerText().catch(() => '')).includes('invité'));
  await flowing(host.page, [`${guestPid}|camera`], 'frames');
  await guest.check();

  // Locked: the next guest is turned away with the reason.
  await host.page.click('#btn-lock');
  await until('the lock pressed', async () => (await host.page.getAttribute('#btn-lock', 'aria-pressed')) === 'true');
  const late = await guestAt(link, 'Retardataire');
  await join(late, false);
  await late.page.locator('#room-end', { hasText: 'verrouillée' }).waitFor();
  assert.equal(await host.page.locator('#lobby li[data-guest]').count(), 0, 'no one waits at a locked door');
  await late.check();
  for (const t of [...members, guest, late]) await t.close();
});

test('with capacity 3, the fourth person gets the "room full" page', async () => {
  const [t0, t1, t2] = teachers;
  const meeting = await bookNow(t1, 'Conseil de cycle', rooms['Petite salle'], [t0.id, t2.id]);
  const inside = [];
  for (const who of [t1, t0, t2]) {
    const tab = await enter(who, meeting, { camera: false });
    await inRoom(tab);
    inside.push(tab);
  }
  const principal = await Tab.open(browser, server);
  open.push(principal);
  await principal.login(server.first('principal'));
  await principal.goto(`${meeting}/room`, { status: 503 });
  assert.equal(await principal.dataPage(), 'room-full');
  assert.match(await principal.page.locator('main#main').innerText(), /accueille déjà 3 personnes/);
  assert.equal(await principal.page.locator('#join').count(), 0);
  // A place frees up: the principal comes in.
  await inside[2].page.click('#btn-leave');
  await until('a place free', async () => (await principal.page.request.get(server.at(`${meeting}/room`))).status() === 200);
  for (const t of [...inside, principal]) await t.close();
});

test('a pupil cannot open a staff-only room, which has no guests\' link', async () => {
  const [t0, , t2] = teachers;
  const meeting = await bookNow(t2, 'Conseil pédagogique', rooms['Salle des profs'], [t0.id]);
  const organizer = await Tab.open(browser, server);
  open.push(organizer);
  await organizer.login(t2);
  await organizer.goto(meeting);
  assert.equal(await organizer.page.locator('#guest-link').count(), 0, 'no guests in a staff-only room');
  assert.equal(await organizer.page.locator('a#join').count(), 1);
  await organizer.close();
  const pupil = await Tab.open(browser, server);
  open.push(pupil);
  await pupil.login(server.first('pupil'));
  await pupil.goto(`${meeting}/room`, { status: 403 });
  assert.equal(await pupil.dataPage(), 'error-403');
  assert.equal(await pupil.page.locator('#join, script[src*="room"]').count(), 0);
  await pupil.close();
});

test('an audio conference joined with PINs: the host mutes a participant, and the report lists everyone', async () => {
  // The CPE organizes it (the teachers already organize the meetings above, at the same time).
  const organizer = server.first('staff');
  const meeting = await bookNow(organizer, 'Point hebdomadaire', rooms['Pont audio'], []);
  const { api } = await apiLogin(server, organizer);
  const html = await (await api.get(meeting)).text();
  const pin = (id) => html.match(new RegExp(`id="${id}">([0-9 ]+)<`))?.[1].replaceAll(' ', '');
  const [participantPin, hostPin] = [pin('pin-participant'), pin('pin-host')];
  assert.match(participantPin ?? '', /^\d{9}$/, 'the participant PIN on the meeting page');
  assert.match(hostPin ?? '', /^\d{9}$/, 'the host PIN on the meeting page');

  /** A phone-bridge caller: /conference, a PIN, a name, then the audio room. */
  async function dialIn(code, name) {
    const tab = await Tab.open(browser, server);
    open.push(tab);
    await tab.goto('/conference');
    assert.equal(await tab.dataPage(), 'conference');
    await tab.page.fill('#pin', code.replace(/(\d{3})(?=\d)/g, '$1 '));
    await tab.page.fill('#guest-name', name);
    await tab.navigate(() => tab.page.click('main form button[type="submit"]'), { method: 'POST', path: '/conference', status: 303 });
    assert.equal(await tab.dataPage(), 'room');
    assert.equal(await tab.page.locator('#camera-select, #btn-cam, #preview').count(), 0, 'no camera in an audio conference');
    await tab.page.locator('#mic-select option[value]:not([value=""])').first().waitFor({ state: 'attached' });
    await tab.check();
    await tab.page.click('#join');
    await inRoom(tab);
    return tab;
  }
  const host = await dialIn(hostPin, 'Mme Roux');
  const caller = await dialIn(participantPin, 'M. Bernard');
  const callerPid = await pidOf(caller);
  await flowing(host.page, [`${callerPid}|audio`], 'packets');
  await host.check();

  // The host records: everyone sees it for as long as it runs and is told when it starts and stops.
  const record = host.page.locator('#btn-record');
  await record.waitFor({ state: 'visible' });
  assert.equal(await caller.page.locator('#btn-record').count(), 0, 'only hosts have the button');
  await record.click();
  for (const t of [host, caller]) await t.page.locator('#recording', { hasText: 'Enregistrement en cours, lancé par Mme Roux' }).waitFor();
  await caller.page.locator('#announcer', { hasText: 'Enregistrement en cours, lancé par Mme Roux' }).waitFor();
  assert.equal(await record.getAttribute('aria-pressed'), 'true');
  await host.check();
  await caller.check();
  await flowing(host.page, [`${callerPid}|audio`], 'packets', { min: 100, timeout: 30_000 }); // a few seconds of the caller
  await record.click();
  await caller.page.locator('#announcer', { hasText: 'L’enregistrement est arrêté.' }).waitFor();
  assert.equal(await caller.page.locator('#recording').isVisible(), false);

  // The host mutes the caller: the caller is told, everyone's list says so.
  const entry = host.page.locator(`#participants li[data-participant="${callerPid}"]`);
  await until('the caller\'s microphone on in the host\'s list', async () => !(await entry.innerText()).includes('micro coupé'));
  await entry.locator('button.host-mute').click();
  await caller.page.locator('#announcer', { hasText: 'Votre micro a été coupé par Mme Roux' }).waitFor();
  await until('the caller shown muted', async () => (await entry.innerText()).includes('micro coupé'));
  assert.equal(await caller.page.getAttribute('#btn-mic', 'aria-pressed'), 'false');
  await caller.check();

  // Both leave: the session's report, on the organizer's page, lists them with their times.
  await caller.page.click('#btn-leave');
  await host.page.click('#btn-leave');
  await until('the report on the meeting page', async () => {
    const text = await (await api.get(meeting)).text();
    return { ok: text.includes('Compte rendu des séances') && text.includes('Mme Roux') && text.includes('M. Bernard (invité)')
      && text.includes('Télécharger (Ogg Opus)'), seen: text.length };
  }, { timeout: 10_000 });
  const report = await Tab.open(browser, server);
  open.push(report);
  await report.login(organizer);
  await report.goto(meeting);
  const rows = await report.page.locator('#report tbody tr').allInnerTexts();
  assert.equal(rows.length, 2, rows.join('\n'));
  assert.match(rows[0], /Mme Roux\s+\d\d:\d\d – \d\d:\d\d \(\d+ (?:s|min)\)\s+animateur/);
  assert.match(rows[1], /M\. Bernard \(invité\)\s+\d\d:\d\d – \d\d:\d\d \(\d+ (?:s|min)\)\s+invité/);

  // The recording, listed for the organizer, is an Ogg Opus file that libopus decodes to sound.
  const listed = await report.page.locator('#recordings li').allInnerTexts();
  assert.equal(listed.length, 1, listed.join('\n'));
  assert.match(listed[0], /lancé par Mme Roux \(\d+ s, \d+,\d Mo\)/);
  await report.check();
  const href = await report.page.locator('#recordings a[download]').getAttribute('href');
  const file = await api.get(href ?? '');
  assert.equal(file.status(), 200);
  assert.equal(file.headers()['content-type'], 'audio/ogg');
  assert.match(file.headers()['content-disposition'], /^attachment; filename="enregistrement-[0-9a-z]{26}\.opus"$/);
  const bytes = await file.body();
  assert.equal(bytes.subarray(0, 4).toString(), 'OggS');
  const scratch = mkdtempSync(joinPath(tmpdir(), 'preau-recording-'));
  try {
    writeFileSync(joinPath(scratch, 'r.opus'), bytes);
    execFileSync('opusdec', ['--quiet', '--rate', '48000', joinPath(scratch, 'r.opus'), joinPath(scratch, 'r.wav')]);
    const wav = readFileSync(joinPath(scratch, 'r.wav'));
    const data = wav.indexOf('data') + 8;
    const samples = (wav.length - data) / 2;
    let peak = 0;
    for (let i = data; i + 1 < wav.length; i += 2) peak = Math.max(peak, Math.abs(wav.readInt16LE(i)));
    assert.ok(samples / 48_000 >= 2, `at least the seconds recorded: ${samples / 48_000} s`);
    assert.ok(peak > 1000, `the caller's sound is in it (peak ${peak})`);
    console.log(`recording: ${bytes.length} B, ${(samples / 48_000).toFixed(1)} s decoded by opusdec, peak ${peak}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  // Deleted by the organizer: gone from the page and from the disk.
  await report.navigate(() => report.page.click('#recordings button'), { method: 'POST', path: `${href}/delete`, status: 303 });
  assert.equal(await report.page.locator('#recordings .empty').innerText(), 'Aucun enregistrement.');
  assert.deepEqual(readdirSync(joinPath(server.dataDir, 'recordings')), []);
  assert.equal((await api.get(href ?? '')).status(), 404);
  await api.dispose();
  for (const t of [host, caller, report]) await t.close();
});


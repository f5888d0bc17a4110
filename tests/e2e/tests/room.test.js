// The live room end to end: the real binary with its SFU on a loopback UDP port, four chromium
// contexts with fake camera, microphone and screen (a teacher and three pupils of 6e A), media
// read from each page's RTCPeerConnection.getStats() through room.js's debugging handle
// (`window.preauRoom`). Also: who may not enter, the socket's refusals and limits, and the
// figures of issue 3 (server CPU and memory, bytes out, join → first frame) in results/room.json.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FAKE_MEDIA_ARGS, Tab, apiLogin, launchBrowser, withTab } from '../lib/browser.js';
import { MEDIA_TIMEOUT_MS, divisionAccounts, flowing, inboundByParticipant, metric, processFigures, sleep, stopped, until } from '../lib/room.js';
import { startServer } from '../lib/server.js';

const RESULTS = join(import.meta.dirname, '..', 'results');
const DIVISION = '6e A';
const OTHER_DIVISION = '5e A';
const STEADY_MS = 10_000;
const ROOM_PAGE_BUDGET = 150 * 1024; // quality.md: the live-room page, before media
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

let server, browser;
/** @type {{id: string, pupils: any[], teachers: any[]}} */
let cls;
let outsider;
let roomPath;
/** The four people in the room: { label, account, tab, pid }. Teacher first. */
const members = [];
const figures = { machine: null, participants: 0, pageWeight: null, joinToFirstFrameMs: [], steady: null, closedTabGoneMs: null };

before(async () => {
  server = await startServer();
  browser = await launchBrowser({ extraArgs: FAKE_MEDIA_ARGS });
  figures.machine = { cpus: cpus().length, chromium: browser.version(), preau: server.child.spawnargs[0] };
  cls = await divisionAccounts(server, DIVISION, { pupils: 3, teachers: 1 });
  outsider = (await divisionAccounts(server, OTHER_DIVISION, { pupils: 1, teachers: 0 })).pupils[0];
  // The room of 6e A, as the teacher's dashboard links to it.
  const { api } = await apiLogin(server, cls.teachers[0]);
  const html = await (await api.get('/dashboard')).text();
  await api.dispose();
  const link = [...html.matchAll(/<a href="(\/rooms\/[^"]+)" data-room="[^"]+" aria-label="([^"]+)"/g)]
    .find((m) => m[2].endsWith(` ${DIVISION}`));
  assert.ok(link, `no a[data-room] for ${DIVISION} on the dashboard of ${cls.teachers[0].login}`);
  roomPath = link[1];
});

after(async () => {
  for (const m of members) await m.tab.context.close().catch(() => {});
  await browser?.close();
  await server?.stop();
  if (figures.steady || figures.joinToFirstFrameMs.length) {
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, 'room.json'), `${JSON.stringify({ room: DIVISION, ...figures }, null, 2)}\n`);
    const s = figures.steady;
    const rows = [
      ['server CPU (% of one core)', s ? s.cpuPercent.toFixed(1) : '—'],
      ['server resident memory (MiB)', s ? (s.rssKb / 1024).toFixed(1) : '—'],
      ['media bytes out (kB/s, payload)', s ? (s.bytesOutPerSecond / 1000).toFixed(1) : '—'],
      ...figures.joinToFirstFrameMs.map((f) => [`join → first decoded frame, ${f.who}${f.note ? ` (${f.note})` : ''} (ms)`, String(f.ms)]),
      ['closed tab gone from the others\' lists (ms)', figures.closedTabGoneMs === null ? '—' : String(figures.closedTabGoneMs)],
      ['room page on first load, before media (bytes)', figures.pageWeight ? String(figures.pageWeight.bytes) : '—'],
    ];
    console.log(['', `${figures.participants}-browser room (${DIVISION}), ${figures.machine?.cpus} CPUs, steady window ${STEADY_MS / 1000} s:`,
      ...rows.map(([k, v]) => `  ${k.padEnd(66)} ${v.padStart(8)}`), '(written to tests/e2e/results/room.json)'].join('\n'));
  }
});

// ---- Helpers -----------------------------------------------------------------------------------

/** In the page: polls getStats until some inbound video has a decoded frame; returns Date.now() then. */
async function firstDecodedFrame(page, timeout = MEDIA_TIMEOUT_MS) {
  const at = await page.evaluate(async (deadline) => {
    while (Date.now() < deadline) {
      const pc = /** @type {any} */ (window).preauRoom?.pc;
      if (pc) {
        let frames = 0;
        (await pc.getStats()).forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0; });
        if (frames > 0) return Date.now();
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return null;
  }, Date.now() + timeout);
  assert.ok(at, `no video frame decoded within ${timeout} ms of joining`);
  return at;
}

/** A fresh tab logged in as `account`, on its dashboard, then on the room page through its a[data-room]. */
async function openRoomFromDashboard(account) {
  const tab = await Tab.open(browser, server);
  await tab.login(account);
  const link = tab.page.locator(`a[data-room][href="${roomPath}"]`).first();
  assert.ok(await link.count() > 0, `no link to ${roomPath} on the dashboard of ${account.login}`);
  await tab.navigate(() => link.click(), { path: roomPath, status: 200 });
  assert.equal(await tab.dataPage(), 'room');
  // The pre-join screen once room.js has asked for the devices (axe on this state too).
  await tab.page.locator('#camera-select option[value]:not([value=""])').first().waitFor({ state: 'attached' });
  await tab.check();
  return tab;
}

/** Clicks "Rejoindre" and waits until the page is in the room; returns the click time. */
async function joinRoom(tab) {
  const clicked = Date.now();
  await tab.page.locator('#join').click();
  await tab.page.waitForFunction(() => /** @type {any} */ (window).preauRoom?.phase === 'in' && !!(/** @type {any} */ (window).preauRoom.you));
  return clicked;
}

const pidOf = (tab) => tab.page.evaluate(() => /** @type {any} */ (window).preauRoom.you);
const others = (m) => members.filter((o) => o !== m);
const teacher = () => members[0];
const pupil = (i) => members[1 + i];

let roomUp = false;
function requireRoom() {
  assert.ok(roomUp, 'the four-browser room did not come up (see the test that joins it)');
}

/** The session cookie header of an account, logged in over HTTP. */
async function cookieOf(account) {
  const { api } = await apiLogin(server, account);
  const { cookies } = await api.storageState();
  await api.dispose();
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

/** Sends a WebSocket upgrade for `path` with Node's http client; resolves with the status (101 or the refusal). */
function upgradeStatus(path, headers) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(server.at(path), {
      headers: {
        Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': randomBytes(16).toString('base64'), ...headers,
      },
    });
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve(res.statusCode); });
    req.on('response', (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('no answer to the upgrade')));
    req.end();
  });
}

// ---- Who may enter -----------------------------------------------------------------------------

test(`a pupil of ${OTHER_DIVISION} gets the 403 page on the room of ${DIVISION}`, async () => {
  await withTab(browser, server, async (tab) => {
    await tab.login(outsider);
    await tab.goto(roomPath, { status: 403 });
    assert.equal(await tab.dataPage(), 'error-403');
    assert.equal((await tab.page.locator('h1').innerText()).trim(), 'Accès refusé');
    assert.equal(await tab.page.locator('#join, script[src*="room"]').count(), 0, 'the 403 page carries the room');
  });
  // Their socket too, even from our own origin.
  assert.equal(await upgradeStatus(`${roomPath}/ws`, { Origin: server.origin, Cookie: await cookieOf(outsider) }), 403);
});

test('the room socket refuses an upgrade without a same-origin Origin', async () => {
  const cookie = await cookieOf(cls.pupils[0]);
  const ws = `${roomPath}/ws`;
  assert.equal(await upgradeStatus(ws, { Origin: 'http://evil.example', Cookie: cookie }), 403, 'foreign Origin');
  assert.equal(await upgradeStatus(ws, { Origin: server.origin.replace('127.0.0.1', 'localhost'), Cookie: cookie }), 403,
    'another host name for the same address');
  assert.equal(await upgradeStatus(ws, { Cookie: cookie }), 403, 'no Origin');
  // The control: the same request from our own origin is upgraded (then dropped before `join`).
  assert.equal(await upgradeStatus(ws, { Origin: server.origin, Cookie: cookie }), 101, 'own Origin');
});

test('the room page weighs at most 150 KB on first load, before media', async () => {
  // A fresh context (empty cache) holding a pupil's session; the WebSocket and media come later.
  const { api } = await apiLogin(server, cls.pupils[0]);
  const storageState = await api.storageState();
  await api.dispose();
  await withTab(browser, server, { storageState }, async (tab) => {
    const requests = [];
    tab.page.on('request', (r) => { if (!r.url().startsWith('ws')) requests.push(r); });
    const response = await tab.page.goto(server.at(roomPath), { waitUntil: 'networkidle' });
    assert.equal(response.status(), 200);
    let bytes = 0;
    for (const r of requests) {
      const sizes = await r.sizes();
      bytes += Math.max(0, sizes.responseHeadersSize + sizes.responseBodySize);
    }
    figures.pageWeight = { path: '/rooms/{id}', bytes, requests: requests.length, budgetBytes: ROOM_PAGE_BUDGET };
    await tab.check();
    assert.ok(bytes > 0, 'nothing measured');
    assert.ok(bytes <= ROOM_PAGE_BUDGET, `the room page: ${bytes} bytes on first load (budget ${ROOM_PAGE_BUDGET})`);
  });
});

// ---- The four-browser room ---------------------------------------------------------------------

test(`a teacher and three pupils of ${DIVISION} join its room; every page decodes everyone's video and receives their audio`, async () => {
  const people = [['teacher', cls.teachers[0]], ...cls.pupils.map((p, i) => [`pupil ${i + 1}`, p])];
  for (const [label, account] of people) {
    const tab = await openRoomFromDashboard(account);
    const page = tab.page;
    const isPupil = label !== 'teacher';
    // Pupils come in with camera and microphone off unless they choose; teachers with the microphone on.
    assert.equal(await page.locator('#join-mic').isChecked(), !isPupil, `${label}: microphone checkbox default`);
    assert.equal(await page.locator('#join-cam').isChecked(), false, `${label}: camera checkbox default`);
    await page.locator('#join-mic').check();
    await page.locator('#join-cam').check();
    // The first one in has nobody to see yet: the teacher's clock starts at the first pupil's click.
    const frame = members.length > 0 ? firstDecodedFrame(page) : null;
    const teacherFrame = members.length === 1 ? firstDecodedFrame(members[0].tab.page) : null;
    const clicked = await joinRoom(tab);
    members.push({ label, account, tab, pid: await pidOf(tab) });
    if (teacherFrame) {
      figures.joinToFirstFrameMs.push({ who: 'teacher', ms: (await teacherFrame) - clicked, note: 'from pupil 1\'s click' });
    }
    if (frame) figures.joinToFirstFrameMs.push({ who: label, ms: (await frame) - clicked });
    assert.equal(await page.locator('#room').isVisible(), true, `${label}: the room is not shown after joining`);
    assert.equal(await page.locator('#btn-mic').getAttribute('aria-pressed'), 'true', `${label}: microphone not on`);
    assert.equal(await page.locator('#btn-cam').getAttribute('aria-pressed'), 'true', `${label}: camera not on`);
  }

  for (const m of members) {
    const page = m.tab.page;
    // Everyone in everyone's list.
    await page.waitForFunction((ids) => ids.every((id) => document.querySelector(`#participants li[data-participant="${id}"]`)),
      members.map((o) => o.pid));
    const cams = others(m).map((o) => `${o.pid}|camera`);
    const mics = others(m).map((o) => `${o.pid}|audio`);
    await flowing(page, cams, 'frames');
    await flowing(page, mics, 'packets');
    // Each camera on its own tile, playing.
    for (const o of others(m)) {
      const video = page.locator(`#grid .tile.camera[data-participant="${o.pid}"] video`);
      await video.waitFor({ state: 'visible' });
      await page.waitForFunction((id) => {
        const v = document.querySelector(`#grid .tile.camera[data-participant="${id}"] video`);
        return v instanceof HTMLVideoElement && v.readyState >= 2 && v.videoWidth > 0;
      }, o.pid);
    }
    await m.tab.check(); // axe on the room page, four people in
  }
  roomUp = true;
  figures.participants = members.length;
});

test('figures: server CPU and memory, media bytes out, over a steady window', async () => {
  requireRoom();
  const pid = server.child.pid;
  const p0 = processFigures(pid);
  const b0 = await metric(server, 'preau_media_bytes_out_total');
  const t0 = Date.now();
  await sleep(STEADY_MS);
  const p1 = processFigures(pid);
  const b1 = await metric(server, 'preau_media_bytes_out_total');
  const seconds = (Date.now() - t0) / 1000;
  figures.steady = {
    seconds,
    cpuPercent: ((p1.ticks - p0.ticks) / CLOCK_TICKS / seconds) * 100,
    rssKb: p1.rssKb,
    bytesOutPerSecond: (b1 - b0) / seconds,
    note: 'CPU in % of one core from /proc/PID/stat; bytes: the preau_media_bytes_out_total delta (media payload)',
  };
  assert.ok(b1 > b0, 'preau_media_bytes_out_total did not grow while four browsers were in the room');
});

test('a camera nobody shows large stops encoding its full-size layer at the server\'s request, and every video still plays', async () => {
  requireRoom();
  // Every tile here is under 400 px high: 10 s after the tiles are laid out, the server asks each
  // publisher to encode up to `h` (tiles up to 400 px) or `q` (up to 200 px) only, and room.js
  // turns the others off with setParameters; the lowest layer always stays.
  for (const m of members) {
    await until(`${m.label}: the full-size layer of the camera turned off`, () => m.tab.page.evaluate(() => {
      const sender = window.preauRoom.pc?.getSenders().find((s) => s.track?.kind === 'video' && s.getParameters().encodings.length === 3);
      const seen = sender?.getParameters().encodings.map((e) => `${e.rid}:${e.active}`).join(' ');
      return { ok: /^q:true h:(true|false) f:false$/.test(seen ?? ''), seen };
    }), { timeout: 30_000 });
  }
  assert.ok(await metric(server, 'preau_media_layer_limits_total') >= members.length);
  for (const m of members) await flowing(m.tab.page, others(m).map((o) => `${o.pid}|camera`), 'frames');
});

test('the teacher\'s screen share reaches the pupils as a separate track', async () => {
  requireRoom();
  const t = teacher();
  await t.tab.page.locator('#btn-screen').click();
  await t.tab.page.waitForFunction(() => document.querySelector('#btn-screen')?.getAttribute('aria-pressed') === 'true');
  for (const p of others(t)) {
    await flowing(p.tab.page, [`${t.pid}|screen`], 'frames');
    // Its own mid, next to the teacher's camera, still decoding.
    const mids = await p.tab.page.evaluate(() => [.../** @type {any} */ (window).preauRoom.mids].map(([mid, m]) => ({ mid, ...m })));
    const screen = mids.find((m) => m.participant === t.pid && m.source === 'screen');
    const camera = mids.find((m) => m.participant === t.pid && m.source === 'camera');
    assert.ok(screen && camera && screen.mid !== camera.mid, `${p.label}: mids ${JSON.stringify(mids)}`);
    await flowing(p.tab.page, [`${t.pid}|camera`], 'frames');
    const tile = p.tab.page.locator(`#grid .tile.screen[data-participant="${t.pid}"] video`);
    await tile.waitFor({ state: 'visible' });
  }
  await pupil(0).tab.check(); // a pupil's page with the shared screen

  // Sharing stops: the screen's tile goes away, the camera stays.
  await t.tab.page.locator('#btn-screen').click();
  await t.tab.page.waitForFunction(() => document.querySelector('#btn-screen')?.getAttribute('aria-pressed') === 'false');
  for (const p of others(t)) {
    await p.tab.page.locator(`#grid .tile.screen[data-participant="${t.pid}"]`).waitFor({ state: 'detached' });
    await p.tab.page.locator(`#participants li[data-participant="${t.pid}"] .status`, { hasText: 'partage son écran' })
      .waitFor({ state: 'detached' });
    await flowing(p.tab.page, [`${t.pid}|camera`], 'frames');
  }
});

test('a chat message and a raised hand reach the others; the host sees the queue in order and lowers a hand', async () => {
  requireRoom();
  const [p1, p2, p3] = [pupil(0), pupil(1), pupil(2)];
  const text = `Bonjour, j'ai une question sur l'exercice 3 (${Date.now()})`;
  await p1.tab.page.locator('#chat-input').fill(text);
  await p1.tab.page.locator('#chat-input').press('Enter');
  for (const m of members) {
    await m.tab.page.locator('#chat-log li .chat-text', { hasText: text }).waitFor();
    if (m !== p1) await m.tab.page.locator('#announcer', { hasText: text }).waitFor({ state: 'attached' });
  }
  assert.equal(await p1.tab.page.locator('#chat-input').inputValue(), '', 'the chat field keeps the sent text');

  await p2.tab.page.locator('#btn-hand').click();
  await p3.tab.page.keyboard.press('h'); // the shortcut, focus on the page
  const host = teacher().tab.page;
  await host.waitForFunction((ids) => {
    const queue = [...document.querySelectorAll('#hands li[data-participant]')].map((li) => li.getAttribute('data-participant'));
    return JSON.stringify(queue) === JSON.stringify(ids);
  }, [p2.pid, p3.pid]);
  await host.locator('#announcer', { hasText: `${p2.account.name} lève la main.` }).waitFor({ state: 'attached' });
  for (const m of [p1, p3]) {
    await m.tab.page.locator(`#participants li[data-participant="${p2.pid}"] .status`, { hasText: 'main levée' }).waitFor();
  }
  await teacher().tab.check(); // the host's page with the queue

  await host.locator(`#hands li[data-participant="${p2.pid}"] button.hand-lower`).click();
  await p2.tab.page.waitForFunction(() => document.querySelector('#btn-hand')?.getAttribute('aria-pressed') === 'false');
  await host.waitForFunction((id) => !document.querySelector(`#hands li[data-participant="${id}"]`), p2.pid);
  assert.equal(await host.locator(`#hands li[data-participant="${p3.pid}"]`).count(), 1, 'the other hand went down too');
});

test('a participant who turns their microphone off is no longer heard by the others', async () => {
  requireRoom();
  const muted = pupil(0);
  const control = pupil(1);
  for (const m of others(muted)) await flowing(m.tab.page, [`${muted.pid}|audio`], 'packets'); // heard before
  await muted.tab.page.locator('#btn-mic').click();
  assert.equal(await muted.tab.page.locator('#btn-mic').getAttribute('aria-pressed'), 'false');
  await teacher().tab.page.locator(`#participants li[data-participant="${muted.pid}"] .status`, { hasText: 'micro coupé' }).waitFor();
  for (const m of others(muted)) {
    await stopped(m.tab.page, `${muted.pid}|audio`);
    if (m !== control) await flowing(m.tab.page, [`${control.pid}|audio`], 'packets'); // others still heard
  }
  // Back on: heard again.
  await muted.tab.page.locator('#btn-mic').click();
  await flowing(teacher().tab.page, [`${muted.pid}|audio`], 'packets');
});

test('the host mutes a pupil: the pupil\'s microphone toggle shows off and their audio stops', async () => {
  requireRoom();
  const target = pupil(1);
  const host = teacher().tab.page;
  await flowing(host, [`${target.pid}|audio`], 'packets');
  const button = host.locator(`#participants li[data-participant="${target.pid}"] button.host-mute`);
  await button.click();
  await target.tab.page.waitForFunction(() => document.querySelector('#btn-mic')?.getAttribute('aria-pressed') === 'false');
  assert.match(await target.tab.page.locator('#btn-mic').innerText(), /coupé/);
  await target.tab.page.locator('#announcer', { hasText: 'Votre micro a été coupé' }).waitFor({ state: 'attached' });
  for (const m of others(target)) {
    await m.tab.page.locator(`#participants li[data-participant="${target.pid}"] .status`, { hasText: 'micro coupé' }).waitFor();
  }
  await stopped(host, `${target.pid}|audio`);
  await stopped(pupil(0).tab.page, `${target.pid}|audio`);
});

test('a closed tab disappears from the others\' participant lists within 5 seconds', async () => {
  requireRoom();
  const leaving = pupil(2);
  const rest = others(leaving);
  const closed = Date.now();
  await leaving.tab.page.close();
  await Promise.all(rest.map((m) => m.tab.page.waitForFunction((id) =>
    !document.querySelector(`#participants li[data-participant="${id}"]`), leaving.pid, { timeout: 5000 })));
  figures.closedTabGoneMs = Date.now() - closed;
  for (const m of rest) {
    await m.tab.page.locator('#announcer', { hasText: `${leaving.account.name} a quitté la séance.` }).waitFor({ state: 'attached' });
  }
  // Its tab is gone: its checks (axe, other origins, script errors) are made now.
  members.splice(members.indexOf(leaving), 1);
  await leaving.tab.close();
});

// ---- Bad input on the socket -------------------------------------------------------------------

test('bad messages on the room socket get `error` replies and leave it open; a flood closes it with 1008', async () => {
  requireRoom();
  // A pupil's second tab on the room page, before joining: a socket of its own from this origin.
  await withTab(browser, server, async (tab) => {
    await tab.login(cls.pupils[2]);
    await tab.goto(roomPath);
    const result = await tab.page.evaluate(async (path) => {
      const ws = new WebSocket(new URL(path, location.href.replace(/^http/, 'ws')));
      const inbox = [];
      let closed = null;
      const waiters = [];
      const wake = () => { for (const w of waiters.splice(0)) w(); };
      ws.addEventListener('message', (e) => { inbox.push(JSON.parse(e.data)); wake(); });
      ws.addEventListener('close', (e) => { closed = { code: e.code, reason: e.reason }; wake(); });
      const next = async (type) => {
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline) {
          const i = inbox.findIndex((m) => m.type === type);
          if (i >= 0) return inbox.splice(i, 1)[0];
          if (closed) return { closed };
          await new Promise((r) => { waiters.push(r); setTimeout(r, 200); });
        }
        return { timeout: type };
      };
      await new Promise((r, j) => { ws.addEventListener('open', r); ws.addEventListener('error', j); });
      ws.send(JSON.stringify({ v: 1, type: 'join' }));
      const joined = await next('joined');
      const replies = {};
      ws.send('{"v":1,"type":"chat","text":'); // malformed JSON
      replies.malformed = await next('error');
      ws.send(JSON.stringify({ v: 1, type: 'launch_rocket' }));
      replies.unknown = await next('error');
      ws.send(JSON.stringify({ v: 1, type: 'chat', text: 'x'.repeat(70 * 1024) })); // over 64 KiB
      replies.oversized = await next('error');
      ws.send(JSON.stringify({ v: 1, type: 'ping' }));
      const pong = await next('pong');
      const openAfterBad = ws.readyState === WebSocket.OPEN && !closed;
      for (let i = 0; i < 60; i++) ws.send(JSON.stringify({ v: 1, type: 'ping' }));
      const deadline = Date.now() + 10_000;
      while (!closed && Date.now() < deadline) await new Promise((r) => { waiters.push(r); setTimeout(r, 200); });
      return { joined: joined.type, replies, pong: pong.type, openAfterBad, closed };
    }, `${roomPath}/ws`);
    assert.equal(result.joined, 'joined', JSON.stringify(result));
    for (const [what, reply] of Object.entries(result.replies)) {
      assert.equal(reply.type, 'error', `${what}: ${JSON.stringify(reply)}`);
      assert.ok(typeof reply.message === 'string' && reply.message.length > 0, `${what}: no message in ${JSON.stringify(reply)}`);
    }
    assert.equal(result.replies.malformed.code, 'bad_message');
    assert.equal(result.replies.unknown.code, 'bad_message');
    assert.equal(result.replies.oversized.code, 'too_long');
    assert.equal(result.pong, 'pong', 'no pong after the bad messages');
    assert.equal(result.openAfterBad, true, `the socket closed after bad messages: ${JSON.stringify(result.closed)}`);
    assert.equal(result.closed?.code, 1008, `after 60 messages at once: ${JSON.stringify(result.closed)}`);
    await tab.check(); // the page itself is untouched
  });
});

test('the room pages made no request to another origin, had no script error and were all checked by axe', async () => {
  requireRoom();
  while (members.length) {
    const m = members.pop();
    await m.tab.close();
  }
});

// A network blip in the live room (docs/signalling.md, Connection): a pupil's signalling socket
// ends abnormally (code 4000, not 1000/1001 which mean "leave") and its peer connection restarts
// ICE. The page reconnects with its resume token and offers again with new ICE credentials: it
// keeps its participant id, the teacher never sees it leave, and video keeps being decoded at
// both sides. Its own file, so it runs on a server and browser of its own.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FAKE_MEDIA_ARGS, Tab, apiLogin, launchBrowser } from '../lib/browser.js';
import { divisionAccounts, inboundByParticipant } from '../lib/room.js';
import { startServer } from '../lib/server.js';

const DIVISION = '6e A';
const MEDIA_TIMEOUT_MS = 20_000;
const GRACE_MS = 20_000; // the server keeps a participant whose socket ended abnormally this long

let server, browser, roomPath;
/** @type {{id: string, pupils: any[], teachers: any[]}} */
let cls;
const tabs = [];

before(async () => {
  server = await startServer();
  browser = await launchBrowser({ extraArgs: FAKE_MEDIA_ARGS });
  cls = await divisionAccounts(server, DIVISION, { pupils: 1, teachers: 1 });
  const { api } = await apiLogin(server, cls.teachers[0]);
  const html = await (await api.get('/dashboard')).text();
  await api.dispose();
  const link = [...html.matchAll(/<a href="(\/rooms\/[^"]+)" data-room="[^"]+" aria-label="([^"]+)"/g)]
    .find((m) => m[2].endsWith(` ${DIVISION}`));
  assert.ok(link, `no a[data-room] for ${DIVISION} on the dashboard of ${cls.teachers[0].login}`);
  roomPath = link[1];
});

after(async () => {
  for (const tab of tabs) await tab.context.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

/** A tab logged in as `account`, on the room page, camera and microphone checked, then in the room. */
async function enter(account) {
  const tab = await Tab.open(browser, server);
  tabs.push(tab);
  await tab.login(account);
  await tab.goto(roomPath);
  assert.equal(await tab.dataPage(), 'room');
  await tab.page.locator('#camera-select option[value]:not([value=""])').first().waitFor({ state: 'attached' });
  await tab.page.locator('#join-mic').check();
  await tab.page.locator('#join-cam').check();
  await tab.page.locator('#join').click();
  await tab.page.waitForFunction(() => /** @type {any} */ (window).preauRoom?.phase === 'in' && !!(/** @type {any} */ (window).preauRoom.you));
  return tab;
}

const pidOf = (tab) => tab.page.evaluate(() => /** @type {any} */ (window).preauRoom.you);

/** Frames decoded in `page` from `pid`'s camera (0 if none yet). */
async function framesFrom(page, pid) {
  return (await inboundByParticipant(page))?.[`${pid}|camera`]?.frames ?? 0;
}

/**
 * In `page`: waits until the frames decoded from `pid`'s camera exceed `above`, polling getStats
 * through the debugging handle; returns the count then, or fails with the last one seen.
 */
async function framesAbove(page, pid, above, timeout = MEDIA_TIMEOUT_MS) {
  const r = await page.evaluate(async ({ pid, above, deadline }) => {
    let frames = 0;
    while (Date.now() < deadline) {
      const room = /** @type {any} */ (window).preauRoom;
      frames = 0;
      if (room?.pc) {
        (await room.pc.getStats()).forEach((s) => {
          if (s.type !== 'inbound-rtp' || s.kind !== 'video' || !s.mid) return;
          const who = room.mids.get(s.mid);
          if (who?.participant === pid && who.source === 'camera') frames += s.framesDecoded ?? 0;
        });
      }
      if (frames > above) return { ok: true, frames };
      await new Promise((res) => setTimeout(res, 100));
    }
    return { ok: false, frames };
  }, { pid, above, deadline: Date.now() + timeout });
  assert.ok(r.ok, `frames decoded from ${pid}'s camera: still ${r.frames}, not above ${above} within ${timeout} ms`);
  return r.frames;
}

test('after a network blip the pupil\'s page reconnects (ICE restart) without leaving the room', { timeout: 60_000 }, async () => {
  const teacher = await enter(cls.teachers[0]);
  const pupil = await enter(cls.pupils[0]);
  const [tPid, pPid] = [await pidOf(teacher), await pidOf(pupil)];
  assert.notEqual(tPid, pPid);

  // Each lists and decodes the other's camera.
  await pupil.page.waitForFunction((id) => !!document.querySelector(`#participants li[data-participant="${id}"]`), tPid);
  await teacher.page.waitForFunction((id) => !!document.querySelector(`#participants li[data-participant="${id}"]`), pPid);
  await framesAbove(teacher.page, pPid, 0);
  await framesAbove(pupil.page, tPid, 0);

  // The teacher's page records every time the pupil drops out of its participant list, and for how long.
  await teacher.page.evaluate((id) => {
    const w = /** @type {any} */ (window);
    w.__gone = [];
    const look = () => {
      const here = !!document.querySelector(`#participants li[data-participant="${id}"]`);
      if (!here && w.__goneSince === undefined) w.__goneSince = Date.now();
      if (here && w.__goneSince !== undefined) { w.__gone.push(Date.now() - w.__goneSince); w.__goneSince = undefined; }
    };
    w.__watch = new MutationObserver(look);
    w.__watch.observe(document.querySelector('#participants') ?? document.body, { childList: true, subtree: true });
  }, pPid);

  // The blip, in the pupil's page: its socket ends abnormally and its connection restarts ICE.
  const before = await pupil.page.evaluate(() => {
    const w = /** @type {any} */ (window);
    const room = w.preauRoom;
    const ufrag = (sdp) => sdp?.match(/^a=ice-ufrag:(\S+)/m)?.[1] ?? null;
    const ws = room.ws;
    if (!ws) return { error: 'window.preauRoom.ws is not set' };
    w.__blipWs = ws;
    w.__blipPc = room.pc;
    const out = { local: ufrag(room.pc.localDescription?.sdp), remote: ufrag(room.pc.remoteDescription?.sdp) };
    ws.close(4000, 'test: network blip');
    room.pc.restartIce();
    return out;
  });
  assert.ok(!before.error, before.error);
  const blipAt = Date.now();
  const tFrames0 = await framesFrom(teacher.page, pPid);
  const pFrames0 = await framesFrom(pupil.page, tPid);

  // Back in: a new socket, the same peer connection renegotiated with new ICE credentials.
  await pupil.page.waitForFunction((old) => {
    const w = /** @type {any} */ (window);
    const room = w.preauRoom;
    const pc = room.pc;
    const ufrag = pc?.localDescription?.sdp?.match(/^a=ice-ufrag:(\S+)/m)?.[1];
    return room.phase === 'in' && room.ws && room.ws !== w.__blipWs && room.ws.readyState === WebSocket.OPEN &&
      pc.signalingState === 'stable' && !!ufrag && ufrag !== old && ['connected', 'completed'].includes(pc.iceConnectionState);
  }, before.local, { timeout: MEDIA_TIMEOUT_MS });
  assert.equal(await pidOf(pupil), pPid, 'the pupil got a new participant id after the blip');
  assert.equal(await pupil.page.evaluate(() => /** @type {any} */ (window).preauRoom.pc === /** @type {any} */ (window).__blipPc), true,
    'the pupil\'s page made a new peer connection instead of restarting ICE on its own');

  // The ICE restart went through: the SFU answered with new credentials and the selected pair uses the new ones.
  const ice = await pupil.page.evaluate(async (deadline) => {
    const pc = /** @type {any} */ (window).preauRoom.pc;
    const local = pc.localDescription?.sdp?.match(/^a=ice-ufrag:(\S+)/m)?.[1];
    const remote = pc.remoteDescription?.sdp?.match(/^a=ice-ufrag:(\S+)/m)?.[1];
    let transports = [];
    while (Date.now() < deadline) {
      transports = [];
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'transport') transports.push({ ufrag: s.iceLocalUsernameFragment, pair: s.selectedCandidatePairId, dtls: s.dtlsState });
      });
      if (transports.some((t) => t.ufrag === local && t.pair)) return { ok: true, local, remote, transports };
      await new Promise((r) => setTimeout(r, 100));
    }
    return { ok: false, local, remote, transports };
  }, Date.now() + MEDIA_TIMEOUT_MS);
  assert.ok(ice.ok, `the selected ICE pair does not use the new credentials: ${JSON.stringify(ice)}`);
  assert.notEqual(ice.remote, before.remote, `the SFU answered the ICE restart with its old credentials ${before.remote}`);

  // Video keeps being decoded at both sides: 5 s after the blip, strictly more frames than at the blip…
  await teacher.page.waitForFunction((at) => Date.now() >= at, blipAt + 5000, { timeout: 10_000 });
  const tFrames1 = await framesAbove(teacher.page, pPid, tFrames0);
  const pFrames1 = await framesAbove(pupil.page, tPid, pFrames0);
  // …and still growing after that (not just frames in flight at the blip).
  await framesAbove(teacher.page, pPid, tFrames1);
  await framesAbove(pupil.page, tPid, pFrames1);

  // The teacher's list kept the pupil: listed now, never out of it for the grace or longer.
  const seen = await teacher.page.evaluate((id) => {
    const w = /** @type {any} */ (window);
    w.__watch.disconnect();
    const open = w.__goneSince === undefined ? [] : [Date.now() - w.__goneSince];
    return { gone: [...w.__gone, ...open], listed: !!document.querySelector(`#participants li[data-participant="${id}"]`) };
  }, pPid);
  assert.equal(seen.listed, true, 'the pupil is no longer in the teacher\'s participant list');
  assert.ok(seen.gone.every((ms) => ms < GRACE_MS), `the pupil left the teacher's list for ${JSON.stringify(seen.gone)} ms`);
  if (seen.gone.length) console.log(`note: the pupil was briefly out of the teacher's list: ${JSON.stringify(seen.gone)} ms`);

  await teacher.check();
  await pupil.check();
  while (tabs.length) await tabs.pop().close();
});

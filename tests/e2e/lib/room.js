// Helpers of the live-room tests: who is in a division (read by the admin), RTCPeerConnection
// statistics read through the page's debugging handle (`window.preauRoom`, set by web/js/room.js),
// and the server process's CPU and memory from /proc.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { apiLogin } from './browser.js';

const decode = (s) => s.replaceAll('&#x27;', "'").replaceAll('&#39;', "'").replaceAll('&quot;', '"')
  .replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&').trim();

/** The text of the first `<main>` of an HTML page. */
function mainOf(html) {
  const m = html.match(/<main\b[\s\S]*?<\/main>/);
  assert.ok(m, 'page without <main>');
  return m[0];
}

/**
 * A division of the demo as the admin sees it: its id, the logins of its pupils (roster order,
 * at most `pupils`) and of its teachers (at most `teachers`), each with the demo password.
 * Read from /admin/divisions, /divisions/{id} and the people's pages (which show the login).
 */
export async function divisionAccounts(server, name, { pupils = 3, teachers = 1 } = {}) {
  const { api } = await apiLogin(server, server.first('admin'));
  try {
    const get = async (path) => {
      const res = await api.get(path);
      assert.equal(res.status(), 200, `GET ${path} as the admin`);
      return mainOf(await res.text());
    };
    const list = await get('/admin/divisions');
    const division = [...list.matchAll(/<a href="\/divisions\/([^"]+)"[^>]*>([^<]+)<\/a>/g)]
      .find((m) => decode(m[2]) === name)?.[1];
    assert.ok(division, `no division ${name} on /admin/divisions`);
    const page = await get(`/divisions/${division}`);
    const section = (id) => page.match(new RegExp(`<section aria-labelledby="${id}">[\\s\\S]*?</section>`))?.[0] ?? '';
    const people = (html) => [...new Set([...html.matchAll(/href="\/people\/([^"]+)"/g)].map((m) => m[1]))];
    const roster = people(section('roster-h'));
    const team = people(section('team-h'));
    assert.ok(roster.length >= pupils, `${name}: ${roster.length} pupils on its page, ${pupils} wanted`);
    assert.ok(team.length >= teachers, `${name}: ${team.length} teachers on its page, ${teachers} wanted`);
    const account = async (id) => {
      const html = await get(`/people/${id}`);
      const login = html.match(/<code>([^<]+)<\/code>/)?.[1];
      assert.ok(login, `no login on /people/${id}`);
      return { id, login: decode(login), password: server.password, name: decode(html.match(/<h1>([^<]+)<\/h1>/)?.[1] ?? '') };
    };
    return {
      id: division,
      pupils: await Promise.all(roster.slice(0, pupils).map(account)),
      teachers: await Promise.all(team.slice(0, teachers).map(account)),
    };
  } finally {
    await api.dispose();
  }
}

/**
 * What a page receives, summed per remote participant, from the page's RTCPeerConnection
 * (exposed by room.js as `window.preauRoom.pc`, with `window.preauRoom.mids`: receive mid →
 * {participant, source}). Runs in the page.
 */
export function inboundByParticipant(page) {
  return page.evaluate(async () => {
    const room = /** @type {any} */ (window).preauRoom;
    if (!room?.pc) return null;
    const report = await room.pc.getStats();
    const out = {};
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp' || !s.mid) return;
      const who = room.mids.get(s.mid);
      if (!who) return;
      const key = `${who.participant}|${who.source}`;
      const e = (out[key] ??= { kind: s.kind, packets: 0, frames: 0, bytes: 0, lost: 0, nacks: 0, plis: 0, keyframes: 0, dropped: 0 });
      e.packets += s.packetsReceived ?? 0;
      e.frames += s.framesDecoded ?? 0;
      e.bytes += s.bytesReceived ?? 0;
      // What a failure message needs to tell loss from undecodable streams.
      e.lost += s.packetsLost ?? 0;
      e.nacks += s.nackCount ?? 0;
      e.plis += s.pliCount ?? 0;
      e.keyframes += s.keyFramesDecoded ?? 0;
      e.dropped += s.framesDropped ?? 0;
    });
    return out;
  });
}

/** utime + stime of a process, in clock ticks, and its resident memory in kB. */
export function processFigures(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rss = Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)\s+kB/m)?.[1]);
  return { ticks, rssKb: rss };
}

/** The value of an unlabelled Prometheus counter (sum over its label sets), 0 if absent. */
export async function metric(server, name) {
  const res = await fetch(server.at('/metrics'));
  assert.equal(res.status, 200, 'GET /metrics from loopback');
  const text = await res.text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/);
    if (m && m[1] === name) sum += Number(m[3]);
  }
  return sum;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** How long a room test waits for media by default. */
export const MEDIA_TIMEOUT_MS = 30_000;

/** Polls `probe` until it returns a truthy value; fails with `what` and the last value seen. */
export async function until(what, probe, { timeout = MEDIA_TIMEOUT_MS, every = 250 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  while (true) {
    last = await probe();
    if (last && last.ok !== false) return last;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeout} ms; last seen ${JSON.stringify(last?.seen ?? last)}`);
    await sleep(every);
  }
}

/**
 * Waits until, in `page`, every key (`pid|source`) has `field` grown by at least `min` since the
 * key was first seen: media from that publisher is arriving and (for video) being decoded.
 */
export async function flowing(page, keys, field, { min = 5, timeout } = {}) {
  const base = {};
  return until(`${keys.join(', ')} ${field} increasing`, async () => {
    const seen = (await inboundByParticipant(page)) ?? {};
    for (const k of keys) if (seen[k] && base[k] === undefined) base[k] = seen[k][field];
    const ok = keys.every((k) => seen[k] && seen[k][field] - base[k] >= min);
    return { ok, seen };
  }, { timeout });
}

/** Waits until `key`'s inbound packets stay still for `quiet` ms in `page`. */
export async function stopped(page, key, { quiet = 2000, timeout = 15_000 } = {}) {
  return until(`${key} packets to stop`, async () => {
    const a = (await inboundByParticipant(page))?.[key]?.packets;
    await sleep(quiet);
    const b = (await inboundByParticipant(page))?.[key]?.packets;
    return { ok: a !== undefined && a === b, seen: { before: a, after: b } };
  }, { timeout, every: 0 });
}

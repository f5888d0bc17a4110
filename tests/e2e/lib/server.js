// Starts the real `preau demo` binary for a test file and stops it afterwards.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const ROLES = ['pupil', 'parent', 'teacher', 'staff', 'principal', 'admin'];

const REPO = resolve(import.meta.dirname, '..', '..', '..');
// Our own settings are not named PREAU_*: preau reads every PREAU_* variable as configuration.
export const PREAU_BIN = process.env.E2E_PREAU_BIN ?? join(REPO, 'target', 'debug', 'preau');
const START_TIMEOUT_MS = Number(process.env.E2E_START_TIMEOUT_MS ?? 120_000);
const STOP_TIMEOUT_MS = 15_000;

/**
 * Spawns `preau demo` on a free port with a fresh data directory and a random demo password
 * (`env`: settings, as PREAU_* variables).
 * Resolves once the URL line, at least one account of every role, and GET /readyz → 200 are in.
 * The account listing keeps filling in `accounts` if lines are still arriving.
 */
export async function startServer({ env = {} } = {}) {
  const dataParent = mkdtempSync(join(tmpdir(), 'preau-e2e-'));
  const dataDir = join(dataParent, 'data'); // must not exist yet: preau creates it
  const password = `e2e-${randomBytes(12).toString('base64url')}`;
  const child = spawn(
    PREAU_BIN,
    ['demo', '--port', '0', '--demo-password', password, '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } },
  );

  const stderrTail = [];
  createInterface({ input: child.stderr }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 60) stderrTail.shift();
    if (process.env.E2E_SERVER_LOG) process.stderr.write(`[preau] ${line}\n`);
  });
  const exited = new Promise((done) => child.on('exit', (code, signal) => done({ code, signal })));
  const orphanGuard = () => child.kill('SIGKILL'); // if this test process ends without stop()
  process.on('exit', orphanGuard);
  exited.then(() => process.off('exit', orphanGuard));

  /** @type {Record<string, {login: string, password: string}[]>} */
  const accounts = Object.fromEntries(ROLES.map((r) => [r, []]));
  const badLines = [];
  let baseUrl = null;
  let onFirstLine;
  const firstLine = new Promise((done) => (onFirstLine = done));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (baseUrl === null) {
      baseUrl = line.trim();
      onFirstLine();
      return;
    }
    const [role, login, pw, ...rest] = line.split('\t');
    if (accounts[role] && login && pw && rest.length === 0) accounts[role].push({ login, password: pw });
    else if (line.trim()) badLines.push(line);
  });

  const server = {
    child, accounts, password, dataDir, badLines,
    get url() { return baseUrl; },
    get origin() { return new URL(baseUrl).origin; },
    stderr: () => stderrTail.join('\n'),
    /** Absolute URL of a path on this server. */
    at: (path) => new URL(path, baseUrl).href,
    first: (role) => {
      const account = accounts[role][0];
      if (!account) throw new Error(`the demo listing has no ${role} account`);
      return account;
    },
    /** SIGTERM, wait for a graceful exit (SIGKILL after a timeout); returns how it ended. */
    async stop() {
      let result;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        result = await exited;
        clearTimeout(timer);
      } else {
        result = await exited;
      }
      rmSync(dataParent, { recursive: true, force: true });
      return result;
    },
  };

  const fail = (why) => {
    child.kill('SIGKILL');
    rmSync(dataParent, { recursive: true, force: true });
    return new Error(`preau demo ${why}\n--- last stderr lines ---\n${server.stderr()}`);
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  const timeout = new Promise((_, reject) =>
    setTimeout(() => reject(new Error('timeout')), START_TIMEOUT_MS).unref());
  const died = exited.then((r) => { throw new Error(`exited early (${JSON.stringify(r)})`); });

  try {
    await Promise.race([firstLine, died, timeout]);
    if (!/^https?:\/\/[^/]+\/$/.test(baseUrl)) throw new Error(`printed ${JSON.stringify(baseUrl)} as its first line, not a base URL`);
    // Ready: every role listed and /readyz answering 200.
    while (true) {
      if (ROLES.every((r) => accounts[r].length > 0) && (await readyzStatus(server)) === 200) break;
      if (Date.now() > deadline) throw new Error('timeout');
      await Promise.race([new Promise((r) => setTimeout(r, 100)), died]);
    }
  } catch (e) {
    throw fail(`did not become ready: ${e.message}`);
  }
  return server;
}

async function readyzStatus(server) {
  try {
    const res = await fetch(server.at('/readyz'), { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

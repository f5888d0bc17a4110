// The demo server's own contract: its listing, readiness, default language, graceful stop.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { ROLES, startServer } from '../lib/server.js';

test('preau demo lists every role, answers /readyz, speaks French, stops gracefully on SIGTERM', async () => {
  const server = await startServer();
  let stopped = false;
  try {
    assert.deepEqual(server.badLines, [], 'stdout lines that are not role<TAB>login<TAB>password');
    for (const role of ROLES) assert.ok(server.accounts[role].length > 0, `no ${role} account listed`);
    assert.ok(server.accounts.pupil.length >= 50, `only ${server.accounts.pupil.length} pupils listed`);
    for (const { password } of Object.values(server.accounts).flat()) assert.equal(password, server.password);

    const ready = await fetch(server.at('/readyz'));
    assert.equal(ready.status, 200);

    // No Accept-Language preference: French.
    const login = await fetch(server.at('/login'), { headers: { 'Accept-Language': '' } });
    assert.equal(login.status, 200);
    assert.match(await login.text(), /<html[^>]*\blang="fr/);

    assert.ok(existsSync(server.dataDir) && readdirSync(server.dataDir).length > 0, 'nothing written to --data-dir');
    const { code, signal } = await server.stop();
    stopped = true;
    assert.equal(signal, null, `killed by ${signal}: SIGTERM did not lead to a graceful exit in time`);
    assert.equal(code, 0, `exit code ${code} after SIGTERM`);
  } finally {
    if (!stopped) await server.stop();
  }
});

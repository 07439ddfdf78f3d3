import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { openStatusStore } from './open-status-store.ts';

const dir = await mkdtemp(join(tmpdir(), 'floe-open-status-'));
after(() => rm(dir, { recursive: true, force: true }));

it('opens the SQLite store at state.path, creating missing directories', async () => {
  const path = join(dir, 'deep', 'er', 'state.db');
  const store = await openStatusStore({ type: 'sqlite', path });
  try {
    await store.startRun('load', 'r1');
    assert.ok(existsSync(path));
    assert.equal((await store.listRuns(1))[0]!.runId, 'r1');
  } finally {
    await store.close();
  }
});

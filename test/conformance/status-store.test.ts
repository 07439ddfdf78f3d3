/** Runs the status store conformance suite against the memory store and the SQLite store (temp files). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { MemoryStatusStore } from '../../src/state/memory-status-store.ts';
import { openSqliteStatusStore } from '../../src/state/sqlite-status-store.ts';
import { statusStoreConformance } from './status-store.conformance.ts';

statusStoreConformance({ name: 'memory', open: async (now) => new MemoryStatusStore({ now }) });

const dir = await mkdtemp(join(tmpdir(), 'floe-status-'));
after(() => rm(dir, { recursive: true, force: true }));
let n = 0;
let last = '';
statusStoreConformance({
  name: 'sqlite (file, WAL)',
  open: async (now) => openSqliteStatusStore({ path: (last = join(dir, 'nested', `state-${++n}.db`)), now }),
  reopen: async (now) => openSqliteStatusStore({ path: last, now }),
});

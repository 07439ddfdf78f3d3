/** Runs the status store conformance suite against the memory store and the SQLite store (temp files). */
import { MemoryStatusStore } from '../../src/state/memory-status-store.ts';
import { statusStoreConformance } from './status-store.conformance.ts';

statusStoreConformance({ name: 'memory', open: async (now) => new MemoryStatusStore({ now }) });

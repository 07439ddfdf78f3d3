/**
 * Micro benchmark of the change wire format (src/pipeline/sync/change-wire.ts) against the
 * reference it replaces, measured in the same run: structured clone, what postMessage does to a
 * `Change[]`. The changes are real decoder output: bench:cdc's Debezium events (table
 * `id int key, name string`, 70 % updates / 30 % deletes, tombstones) through
 * `createDebeziumDecoder`. Each round decodes fresh changes for structuredClone and fresh ones
 * again for encode (untimed), as a worker would hand them over once: a second pass over the
 * same objects is faster (V8 caches what it learnt of their hidden classes), which would flatter
 * both. Then it decodes the wire bytes. Reported: the median round, µs per change. Last line:
 *   bench:change-wire encode_us=<x> decode_us=<x> structured_clone_us=<x>
 *
 *   node --import tsx bench/change-wire.ts [changes=50000] [rounds=5]
 */
import { deepStrictEqual } from 'node:assert/strict';
import { createDebeziumDecoder } from '../src/cdc/debezium/index.ts';
import type { KafkaRecord } from '../src/cdc/debezium/index.ts';
import type { Change } from '../src/core/change.ts';
import { decodeChanges, encodeChanges } from '../src/pipeline/sync/change-wire.ts';
import { DebeziumEventGenerator, EVENTS_TABLE_SCHEMA } from './support/debezium-events.ts';

const COUNT = Number(process.argv[2] ?? 50_000);
const ROUNDS = Number(process.argv[3] ?? 5);

function buildChanges(count: number): Change[] {
  const decode = createDebeziumDecoder({ table: 'bench.events', schema: EVENTS_TABLE_SCHEMA, keyColumns: ['id'] });
  const generator = new DebeziumEventGenerator(1_000_000, 'events');
  generator.fillKeySpace();
  const changes: Change[] = [];
  let offset = 0n;
  while (changes.length < count) {
    for (const e of generator.next(Date.now())) {
      const record: KafkaRecord = {
        topic: 'bench.events', partition: 0, offset: offset++, key: Buffer.from(e.key),
        value: e.value === null ? null : Buffer.from(e.value),
      };
      const decoded = decode(record);
      if (decoded.kind === 'change') changes.push(decoded.change);
    }
  }
  return changes;
}

/** µs per change of `run` over `n` changes. */
function timed(n: number, run: () => void): number {
  const t0 = performance.now();
  run();
  return ((performance.now() - t0) * 1000) / n;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Round { readonly encode: number; readonly decode: number; readonly clone: number }

function round(fresh: () => Change[]): Round {
  const toClone = fresh();
  const clone = timed(toClone.length, () => structuredClone(toClone));
  const toEncode = fresh();
  let wire: Uint8Array = new Uint8Array(0);
  const encode = timed(toEncode.length, () => { wire = encodeChanges(toEncode); });
  const decode = timed(toEncode.length, () => decodeChanges(wire));
  return { encode, decode, clone };
}

const sample = buildChanges(COUNT);
const bytes = encodeChanges(sample);
deepStrictEqual(decodeChanges(bytes), sample);
console.log(`${sample.length} changes, ${bytes.length} bytes (${(bytes.length / sample.length).toFixed(1)} per change)`);
const rounds: Round[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const r = round(() => buildChanges(COUNT));
  rounds.push(r);
  console.log(`round ${i}: encode ${r.encode.toFixed(3)} decode ${r.decode.toFixed(3)} structuredClone ${r.clone.toFixed(3)} µs/change`);
}
const m = { encode: median(rounds.map((r) => r.encode)), decode: median(rounds.map((r) => r.decode)), clone: median(rounds.map((r) => r.clone)) };
console.log(`median: encode ${m.encode.toFixed(3)} + decode ${m.decode.toFixed(3)} µs/change vs structuredClone ${m.clone.toFixed(3)}: ratio ${((m.encode + m.decode) / m.clone).toFixed(3)}`);
console.log(`bench:change-wire encode_us=${m.encode.toFixed(3)} decode_us=${m.decode.toFixed(3)} structured_clone_us=${m.clone.toFixed(3)}`);

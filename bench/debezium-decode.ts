/**
 * Micro benchmark of the Debezium decoder on bench:cdc's records: JSON converter with schemas
 * embedded (~2.6 KB values, 2 KB of them schema), table `id int PK, name text`, 70 % updates /
 * 30 % deletes + tombstones. Reference measured in the same run: TextDecoder + JSON.parse of
 * every key and value, what a decoder that reuses nothing would spend before converting a
 * single value. Both in CPU time of the process. Rounds alternate decoder and reference; the
 * median of each is reported. GC is part of the cost (results are dropped as a consumer would).
 *   node --import tsx bench/debezium-decode.ts [records=60000] [rounds=6]
 * Last line:
 *   bench:debezium-decode us_per_record=<x> reference_us_per_record=<y> ratio=<x/y>
 */
import { DebeziumEventGenerator, EVENTS_TABLE_SCHEMA } from './support/debezium-events.ts';
import { createDebeziumDecoder } from '../src/cdc/debezium/index.ts';
import type { KafkaRecord } from '../src/cdc/debezium/types.ts';

const count = Number(process.argv[2] ?? 60_000);
const rounds = Number(process.argv[3] ?? 6);


/** `n` records as the Kafka consumer hands them over (key and value as Buffers). */
function generate(n: number): KafkaRecord[] {
  const gen = new DebeziumEventGenerator(1_000_000, 'events');
  gen.fillKeySpace();
  const records: KafkaRecord[] = [];
  let offset = 0n;
  while (records.length < n) {
    for (const e of gen.next(Date.now())) {
      records.push({ topic: 'dbz.bench.events', partition: 0, offset: offset++, key: Buffer.from(e.key), value: e.value === null ? null : Buffer.from(e.value) });
    }
  }
  return records;
}

const records = generate(count);
const decode = createDebeziumDecoder({ table: 'bench.events', schema: EVENTS_TABLE_SCHEMA, keyColumns: ['id'] });
const text = new TextDecoder('utf-8', { fatal: true });

/** CPU µs per record (process user + system time, so other work on the machine counts less) of one pass of `each`. */
function pass(each: (r: KafkaRecord) => unknown): number {
  const t = process.cpuUsage();
  let kept = 0;
  for (const r of records) if (each(r) !== null) kept += 1;
  if (kept !== records.length) throw new Error('bench: a record decoded to null');
  const { user, system } = process.cpuUsage(t);
  return (user + system) / records.length;
}

function reference(r: KafkaRecord): unknown {
  const key: unknown = r.key === null ? null : JSON.parse(text.decode(r.key as Uint8Array));
  return r.value === null ? key : JSON.parse(text.decode(r.value as Uint8Array));
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

pass(decode); // warm-up: schema blocks parsed once, code optimized
pass(reference);
const decoderUs: number[] = [];
const referenceUs: number[] = [];
for (let i = 0; i < rounds; i++) {
  decoderUs.push(pass(decode));
  referenceUs.push(pass(reference));
}
const us = median(decoderUs);
const ref = median(referenceUs);
console.log(`${records.length} records (${records.filter((r) => r.value === null).length} tombstones), ${rounds} rounds`);
console.log(`decoder   ${decoderUs.map((x) => x.toFixed(2)).join(' ')} CPU µs/record`);
console.log(`reference ${referenceUs.map((x) => x.toFixed(2)).join(' ')} CPU µs/record (TextDecoder + JSON.parse of key and value)`);
console.log(`bench:debezium-decode us_per_record=${us.toFixed(2)} reference_us_per_record=${ref.toFixed(2)} ratio=${(us / ref).toFixed(2)}`);

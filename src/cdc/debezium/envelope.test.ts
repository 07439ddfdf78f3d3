/**
 * The scanned envelope path (source block read from bytes, only what precedes it parsed) must
 * give exactly what the general path (JSON.parse of the whole payload) gives, and give up on
 * every form it does not read exactly. Checked on every recorded fixture value and on edits of
 * one that reach each rule of source-scan.ts.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RecordsFixture } from '../../../test/support/debezium-fixture-format.ts';
import type { KafkaOrigin } from '../../core/change.ts';
import { readEnvelope, scanEnvelope, type Envelope } from './envelope.ts';
import { utf8Text } from './json-text.ts';
import { parseBody, splitBody } from './schema-types.ts';

const DIR = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'debezium');
const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.records.json'));
const origin: KafkaOrigin = { topic: 't', partition: 0, offset: 1n };
const what = (): string => 'test value';

/** Both paths on one record value; `scanned` is undefined when the scanned path gave up. */
function bothPaths(value: string): { scanned: Envelope | undefined; general: Envelope | Error } {
  const bytes = Buffer.from(value);
  const body = splitBody(bytes, what);
  const scanned = scanEnvelope(body.payload as Uint8Array, utf8Text(body.payload, what), body.schema);
  let general: Envelope | Error;
  try {
    general = readEnvelope(parseBody(bytes, what), 't', origin);
  } catch (e) {
    general = e as Error;
  }
  return { scanned, general };
}

/** Asserts the scanned path agrees with the general one; returns whether it read the value. */
function agrees(value: string): boolean {
  const { scanned, general } = bothPaths(value);
  if (scanned === undefined) return false;
  assert.ok(!(general instanceof Error), `scanned a value the general path refuses (${String(general)}): ${value.slice(-400)}`);
  assert.deepEqual(scanned, general);
  return true;
}

const values = fixtures.flatMap((f) => (JSON.parse(readFileSync(join(DIR, f), 'utf8')) as RecordsFixture).records.flatMap((r) => (r.value === null ? [] : [r.value])));
const update = values.find((v) => v.includes('"op":"u"') && v.startsWith('{"schema":'))!;

describe('Debezium envelope: scanned path', () => {
  it('reads the connector\'s own records, as the general path does', () => {
    const read = values.filter(agrees).length;
    // Only rows holding integers beyond 2^53 (read losslessly by the general path) are left: 18 of 160.
    assert.ok(read >= values.length * 0.85, `scanned ${read} of ${values.length}`);
    assert.ok(agrees(update));
  });

  const edits: [string, (v: string) => string, boolean][] = [
    ['a string with escapes in the source block', (v) => v.replace('"db":"', '"db":"a\\"b\\u00e9\\n'), true],
    ['sequence with a null first LSN', (v) => v.replace(/"sequence":"\[\\"\d+\\",/, '"sequence":"[null,'), true],
    ['snapshot true / "last" / false', (v) => v.replace(/"snapshot":"[a-z]*"/, '"snapshot":true').replace('"db":', '"x":false,"db":'), true],
    ['an Oracle scn as a decimal string beyond 2^64', (v) => v.replace('"db":', '"scn":"123456789012345678901","commit_scn":"9","db":'), true],
    ['txid when txId is null', (v) => v.replace(/"txId":(\d+)/, '"txId":null,"txid":$1'), true],
    ['commit_ts_ms replaces ts_ms', (v) => v.replace('"db":', '"commit_ts_ms":1700000000000,"db":'), true],
    ['a transaction block', (v) => v.replace('"transaction":null', '"transaction":{"id":"571:53195832","total_order":1,"data_collection_order":1}'), true],
    ['op twice: the last counts', (v) => v.replace(/"op":"u"/, '"op":"c","op":"u"'), true],
    ['a source member twice: the last counts', (v) => v.replace(/"lsn":(\d+)/, '"lsn":1,"lsn":$1'), true],
    ['a member between after and the source block', (v) => v.replace(',"source":{', ',"x":[1,{"y":2}],"source":{'), true],
    ['op first (and again after the source block)', (v) => v.replace('"payload":{"before"', '"payload":{"op":"c","before"'), true],
    ['a delete: before holds the row, after is null', (v) => v.replace(/"before":null,"after":(\{[^}]*\})/, '"before":$1,"after":null'), true],
    ['whitespace', (v) => v.replace('"source":{', '"source": {'), false],
    ['an lsn beyond 2^53', (v) => v.replace(/"lsn":\d+/, '"lsn":9007199254740993'), false],
    ['an integer beyond 2^53 in a member floe does not read', (v) => v.replace('"xmin":null', '"xmin":9007199254740993'), false],
    ['an integer written 1e3', (v) => v.replace(/"txId":\d+/, '"txId":1e3'), false],
    ['-0', (v) => v.replace(/"txId":\d+/, '"txId":-0'), false],
    ['a fraction in ts_ms', (v) => v.replace(/"ts_ms":(\d+),"snapshot"/, '"ts_ms":$1.5,"snapshot"'), false],
    ['an escaped key', (v) => v.replace('"lsn":', '"l\\u0073n":'), false],
    ['a non-ASCII source value', (v) => v.replace('"db":"', '"db":"é'), false],
    ['an object in the source block', (v) => v.replace('"db":', '"x":{"a":1},"db":'), false],
    ['after after the source block', (v) => v.replace(/}}$/, ',"after":null}}'), false],
    ['a sequence in another form', (v) => v.replace(/"sequence":"\[\\"(\d+)\\",/, '"sequence":"[\\"$1\\" ,'), false],
    ['an escaped snapshot word', (v) => v.replace(/"snapshot":"[a-z]*"/, '"snapshot":"f\\u0061lse"'), false],
    ['invalid JSON after the source block', (v) => v.replace('"transaction":null', '"transaction":nul'), false],
    ['a trailing comma after the source block', (v) => v.replace(/,"transaction":null.*}}$/, ',}}'), false],
    ['a trailing comma in the source block', (v) => v.replace(/"origin_lsn":null}/, '"origin_lsn":null,}'), false],
    ['the source block ends the envelope (op before it)', (v) => v.replace(/,"transaction":null.*}}$/, '}}').replace('"payload":{', '"payload":{"op":"u",'), true],
    ['an invalid escape', (v) => v.replace('"db":"', '"db":"\\x'), false],
    ['nothing before the source block', (v) => v.replace(/"payload":\{"before":[^]*?"after":(null|\{[^}]*\}),"source"/, '"payload":{,"source"'), false],
  ];
  for (const [name, edit, scanned] of edits) {
    it(`${name}: ${scanned ? 'read as the general path reads it' : 'left to the general path'}`, () => {
      const value = edit(update);
      assert.notEqual(value, update, 'the edit changed nothing');
      assert.equal(agrees(value), scanned);
    });
  }
});

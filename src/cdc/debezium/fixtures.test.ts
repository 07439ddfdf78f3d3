/**
 * Golden files: every test/fixtures/debezium/<case>.<variant>.records.json (raw records from
 * the real Debezium PostgreSQL connector) decodes to its .expected.json. Variants that differ
 * only in the embedded schema must decode alike.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Canonical } from '../../../test/support/canonical.ts';
import { decodeFixture, type RecordsFixture } from '../../../test/support/debezium-fixture-format.ts';

const DIR = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'debezium');
const names = readdirSync(DIR).filter((f) => f.endsWith('.records.json')).map((f) => f.slice(0, -'.records.json'.length)).sort();
const load = (name: string): RecordsFixture => JSON.parse(readFileSync(join(DIR, `${name}.records.json`), 'utf8')) as RecordsFixture;

describe('Debezium golden fixtures', () => {
  it('covers every case of issue 5 with and without schemas', () => {
    assert.ok(names.length >= 30, `only ${names.length} fixtures`);
    for (const c of ['snapshot', 'insert-nulls', 'update', 'delete', 'delete-reinsert', 'pk-update', 'composite-key', 'toast-unchanged', 'numeric', 'numeric-nan', 'temporal', 'temporal-infinity', 'misc-types', 'truncate', 'message']) {
      assert.ok(names.includes(`${c}.schema`) && names.includes(`${c}.plain`), `case ${c} lacks a variant`);
    }
  });

  for (const name of names) {
    it(`${name} decodes to ${name}.expected.json`, () => {
      const expected = JSON.parse(readFileSync(join(DIR, `${name}.expected.json`), 'utf8')) as { results: Canonical[] };
      assert.deepEqual(decodeFixture(load(name)), expected.results);
    });
  }

  /** What must not depend on whether the schema is embedded. */
  const essence = (results: Canonical[]): Canonical[] =>
    results.map((r) => {
      const o = r as Record<string, Canonical>;
      return ('error' in o ? { error: true } : { ignored: o.ignored ?? null, op: o.op ?? null, key: o.key ?? null, after: o.after ?? null, unchanged: o.unchanged ?? null }) as Canonical;
    });

  for (const [withSchema, plain] of [['schema', 'plain'], ['schema-string-connect', 'plain-string-connect']] as const) {
    const cases = names.filter((n) => n.endsWith(`.${withSchema}`)).map((n) => n.slice(0, -withSchema.length - 1));
    // These variants differ on purpose in binary.handling.mode (hex vs base64, which loses the
    // TOAST placeholder) and interval.handling.mode (numeric vs string).
    const onPurpose = plain === 'plain-string-connect' ? ['toast-unchanged', 'temporal'] : [];
    for (const c of cases.filter((x) => names.includes(`${x}.${plain}`) && !onPurpose.includes(x))) {
      it(`${c}: ${withSchema} and ${plain} decode alike`, () => {
        assert.deepEqual(essence(decodeFixture(load(`${c}.${plain}`))), essence(decodeFixture(load(`${c}.${withSchema}`))));
      });
    }
  }
});

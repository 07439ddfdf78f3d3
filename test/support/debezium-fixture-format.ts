/**
 * The golden Debezium fixtures under test/fixtures/debezium: `<case>.<variant>.records.json`
 * (raw Kafka records plus the SQL, connector settings and target table that produced them)
 * and `<case>.<variant>.expected.json` (the decoded results in canonical JSON: exact values as
 * strings, see canonical.ts; errors as their message).
 */
import type { Change } from '../../src/core/change.ts';
import { BadEventError } from '../../src/core/errors.ts';
import { createDebeziumDecoder, type DebeziumDecoder } from '../../src/cdc/debezium/decode-record.ts';
import type { DebeziumDecodeOptions, DecodeResult, SemanticHint } from '../../src/cdc/debezium/types.ts';
import type { JsonValue } from '../../src/iceberg/spec/lossless-json.ts';
import { schemaFromJson } from '../../src/iceberg/spec/schema-json.ts';
import type { NestedField, Row, Schema } from '../../src/iceberg/spec/types.ts';
import { canonicalValue, type Canonical } from './canonical.ts';
import type { RawRecord } from './debezium-capture.ts';

/** A `.records.json` file. */
export interface RecordsFixture {
  readonly case: string;
  readonly variant: string;
  readonly description: string;
  readonly sql: readonly string[];
  readonly connector: { readonly schemasEnable: boolean } & Readonly<Record<string, string | boolean>>;
  readonly table: string;
  readonly target: { readonly schema: unknown; readonly key: readonly string[]; readonly hints: Readonly<Record<string, SemanticHint>> };
  readonly records: readonly RawRecord[];
}

/** Decoder options implied by the fixture's connector settings. */
export function optionsOf(f: RecordsFixture): Partial<DebeziumDecodeOptions> {
  const s = f.connector as Readonly<Record<string, string>>;
  return {
    binaryHandlingMode: s['binary.handling.mode'] as DebeziumDecodeOptions['binaryHandlingMode'],
    decimalHandlingMode: s['decimal.handling.mode'] as DebeziumDecodeOptions['decimalHandlingMode'],
    timePrecisionMode: s['time.precision.mode'] as DebeziumDecodeOptions['timePrecisionMode'],
  };
}

/** The target schema of a fixture. */
export function schemaOf(f: RecordsFixture): Schema {
  return schemaFromJson(f.target.schema as JsonValue, `fixture ${f.case}.${f.variant}`);
}

/** A decoder for the fixture's table, as floe would build it. */
export function decoderFor(f: RecordsFixture): DebeziumDecoder {
  return createDebeziumDecoder({ table: f.table, schema: schemaOf(f), keyColumns: f.target.key, hints: f.target.hints }, optionsOf(f));
}

function canonicalRow(fields: ReadonlyMap<string, NestedField>, row: Row | null): Canonical {
  if (row === null) return null;
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, canonicalValue(fields.get(k)!.type, v)]));
}

/** A change in canonical JSON (bigints as decimal strings). */
export function canonicalChange(schema: Schema, c: Change): Canonical {
  const fields = new Map(schema.fields.map((f) => [f.name, f]));
  const position = Object.fromEntries(Object.entries(c.position).map(([k, v]) => [k, String(v)]));
  return {
    op: c.op,
    key: canonicalRow(fields, c.key),
    after: canonicalRow(fields, c.after),
    before: canonicalRow(fields, c.before),
    unchanged: [...c.unchanged],
    position,
    commitTimeMs: c.commitTimeMs === undefined ? null : String(c.commitTimeMs),
    snapshot: c.snapshot ?? false,
  };
}

/** Decodes every record of the fixture: one canonical entry per record, errors as `{error}`. */
export function decodeFixture(f: RecordsFixture): Canonical[] {
  const schema = schemaOf(f);
  const decode = decoderFor(f);
  return f.records.map((r): Canonical => {
    const at = { offset: r.offset };
    let result: DecodeResult;
    try {
      result = decode({ topic: r.topic, partition: r.partition, offset: BigInt(r.offset), key: r.key, value: r.value, ...(r.headers ? { headers: r.headers } : {}) });
    } catch (e) {
      if (!(e instanceof BadEventError)) throw e;
      return { ...at, error: e.message };
    }
    if (result.kind === 'ignored') return { ...at, ignored: result.reason };
    return { ...at, ...(canonicalChange(schema, result.change) as Record<string, Canonical>) };
  });
}

/** The `.expected.json` content for a fixture. */
export function expectedFixture(f: RecordsFixture): Canonical {
  return { case: f.case, variant: f.variant, results: decodeFixture(f) };
}

/** The mixed-type rows every writer benchmark uses, generated deterministically in batches. */
import type { ColumnBatch, IcebergValue, Schema } from '../../src/iceberg/spec/types.ts';

/** The bench table: one column of each common kind. */
export const BENCH_SCHEMA: Schema = {
  schemaId: 0,
  identifierFieldIds: [1],
  fields: [
    { id: 1, name: 'id', required: true, type: { type: 'long' } },
    { id: 2, name: 'qty', required: false, type: { type: 'int' } },
    { id: 3, name: 'price', required: false, type: { type: 'double' } },
    { id: 4, name: 'amount', required: false, type: { type: 'decimal', precision: 18, scale: 2 } },
    { id: 5, name: 'name', required: false, type: { type: 'string' } },
    { id: 6, name: 'created', required: false, type: { type: 'timestamptz' } },
    { id: 7, name: 'day', required: false, type: { type: 'date' } },
    { id: 8, name: 'active', required: false, type: { type: 'boolean' } },
  ],
};

/** Deterministic pseudo-random rows `[from, from + rows)` (xorshift), ~5 % nulls in nullable columns. */
export function benchBatch(rows: number, from = 0): ColumnBatch {
  let s = 0x9e3779b9 ^ from;
  const rnd = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const cols: IcebergValue[][] = BENCH_SCHEMA.fields.map(() => new Array<IcebergValue>(rows));
  const base = 1_700_000_000_000_000n;
  for (let j = 0; j < rows; j++) {
    const i = from + j;
    const nul = rnd() < 0.05;
    cols[0]![j] = BigInt(i);
    cols[1]![j] = nul ? null : Math.floor(rnd() * 1000);
    cols[2]![j] = Math.round(rnd() * 1e6) / 100;
    cols[3]![j] = nul ? null : BigInt(Math.floor(rnd() * 1e9));
    cols[4]![j] = `customer-${Math.floor(rnd() * 50000)}-${i % 97}`;
    cols[5]![j] = base + BigInt(i) * 1_000_003n;
    cols[6]![j] = 19000 + (i % 3650);
    cols[7]![j] = nul ? null : rnd() < 0.5;
  }
  return { numRows: rows, columns: cols };
}

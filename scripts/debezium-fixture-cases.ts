/**
 * The cases scripts/record-debezium-fixtures.ts records, as data: one source table per case
 * (so one topic per case), the SQL run while the connectors stream, and the connector
 * variants that capture it. Each variant is one Debezium connector with its own settings.
 */

/** Schema all fixture tables live in; dropped and recreated on each recording. */
export const SCHEMA = 'dbz_fx';

/** A connector configuration: JSON converter with or without schemas, plus Debezium settings. */
export interface FixtureVariant {
  readonly name: string;
  readonly schemas: boolean;
  readonly settings: Readonly<Record<string, string>>;
}

export const VARIANTS = [
  {
    name: 'schema',
    schemas: true,
    settings: { 'decimal.handling.mode': 'precise', 'time.precision.mode': 'adaptive_time_microseconds', 'binary.handling.mode': 'bytes', 'interval.handling.mode': 'string' },
  },
  {
    name: 'plain',
    schemas: false,
    settings: { 'decimal.handling.mode': 'precise', 'time.precision.mode': 'adaptive_time_microseconds', 'binary.handling.mode': 'bytes', 'interval.handling.mode': 'string' },
  },
  {
    name: 'schema-string-connect',
    schemas: true,
    settings: { 'decimal.handling.mode': 'string', 'time.precision.mode': 'connect', 'binary.handling.mode': 'hex', 'interval.handling.mode': 'numeric' },
  },
  {
    name: 'plain-string-connect',
    schemas: false,
    settings: { 'decimal.handling.mode': 'string', 'time.precision.mode': 'connect', 'binary.handling.mode': 'base64', 'interval.handling.mode': 'string' },
  },
] as const satisfies readonly FixtureVariant[];

export type VariantName = (typeof VARIANTS)[number]['name'];

export interface FixtureCase {
  readonly name: string;
  readonly table: string; // 'message' = the connector's logical message topic
  readonly description: string;
  /** SQL run before the connectors start (becomes snapshot reads). */
  readonly before?: string;
  /** Statements run in order while the connectors stream; one statement may hold a transaction. */
  readonly sql: readonly string[];
  readonly variants: readonly VariantName[];
}

const ALL: readonly VariantName[] = VARIANTS.map((v) => v.name);
const BASIC: readonly VariantName[] = ['schema', 'plain'];
const T = (name: string): string => `${SCHEMA}.${name}`;

/** DDL for every case table, run once per recording. */
export const SETUP_SQL = `
DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE;
CREATE SCHEMA ${SCHEMA};
CREATE TYPE ${SCHEMA}.mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE ${T('sentinel')} (id int PRIMARY KEY);
INSERT INTO ${T('sentinel')} VALUES (1);
CREATE TABLE ${T('snap')} (id int PRIMARY KEY, name text, amount numeric(12,2));
CREATE TABLE ${T('ins')} (id int PRIMARY KEY, name text, qty int, big bigint, price numeric(10,2), flag boolean, r real, d double precision);
CREATE TABLE ${T('upd')} (id int PRIMARY KEY, name text, qty int);
CREATE TABLE ${T('del')} (id int PRIMARY KEY, name text);
CREATE TABLE ${T('delre')} (id int PRIMARY KEY, name text);
CREATE TABLE ${T('pkupd')} (id int PRIMARY KEY, name text);
CREATE TABLE ${T('comp')} (tenant text, id bigint, v text, PRIMARY KEY (tenant, id));
CREATE TABLE ${T('toast')} (id int PRIMARY KEY, small int, big text, bin bytea, arr text[], js jsonb);
ALTER TABLE ${T('toast')} ALTER COLUMN big SET STORAGE EXTERNAL, ALTER COLUMN bin SET STORAGE EXTERNAL,
  ALTER COLUMN arr SET STORAGE EXTERNAL, ALTER COLUMN js SET STORAGE EXTERNAL;
CREATE TABLE ${T('num')} (id int PRIMARY KEY, n102 numeric(10,2), n380 numeric(38,0), n3810 numeric(38,10), nu numeric, nneg numeric(5,-2));
CREATE TABLE ${T('numnan')} (id int PRIMARY KEY, n102 numeric(10,2), nu numeric);
CREATE TABLE ${T('tmp')} (id int PRIMARY KEY, d date, t time, t3 time(3), ttz timetz, ts timestamp, ts3 timestamp(3), tstz timestamptz, iv interval);
CREATE TABLE ${T('tinf')} (id int PRIMARY KEY, d date, ts timestamp, tstz timestamptz);
CREATE TABLE ${T('misc')} (id int PRIMARY KEY, u uuid, j json, jb jsonb, b bytea, ia int[], ta text[], m ${SCHEMA}.mood, p point, ip inet, x xml);
CREATE TABLE ${T('trunc')} (id int PRIMARY KEY, name text);
`;

// A text value over 8 kB that PostgreSQL stores out of line (STORAGE EXTERNAL: no compression).
const BIG_TEXT = `(SELECT string_agg(md5(g::text), '') FROM generate_series(1, 300) g)`; // 9600 chars
const BIG_BYTES = `(SELECT decode(string_agg(md5(g::text), ''), 'hex') FROM generate_series(1, 600) g)`; // 9600 bytes

export const CASES: readonly FixtureCase[] = [
  {
    name: 'snapshot',
    table: 'snap',
    description: "rows present before the connector starts: snapshot reads (op 'r')",
    before: `INSERT INTO ${T('snap')} VALUES (1, 'one', 10.50), (2, NULL, -0.01), (3, 'three', NULL)`,
    sql: [`INSERT INTO ${T('snap')} VALUES (4, 'streamed', 4.00)`],
    variants: BASIC,
  },
  {
    name: 'insert-nulls',
    table: 'ins',
    description: 'inserts of plain types, one row all NULL but the key, float specials',
    sql: [
      `INSERT INTO ${T('ins')} VALUES (1, 'ä ☃ "quoted"', 42, 9223372036854775807, 12345678.91, true, 1.5, 0.1)`,
      `INSERT INTO ${T('ins')} VALUES (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
      `INSERT INTO ${T('ins')} VALUES (3, '', -2147483648, -9223372036854775808, -0.01, false, 'NaN', '-Infinity')`,
      `INSERT INTO ${T('ins')} VALUES (4, 'x', 0, 9007199254740993, 0, false, '-0', '1e308')`,
    ],
    variants: BASIC,
  },
  {
    name: 'update',
    table: 'upd',
    description: 'updates of non-key columns, including to NULL (REPLICA IDENTITY DEFAULT: before is null)',
    sql: [
      `INSERT INTO ${T('upd')} VALUES (1, 'a', 1), (2, 'b', 2)`,
      `UPDATE ${T('upd')} SET name = 'a2', qty = qty + 10 WHERE id = 1`,
      `UPDATE ${T('upd')} SET name = NULL WHERE id = 2`,
      `UPDATE ${T('upd')} SET qty = 3 WHERE id = 2`,
    ],
    variants: BASIC,
  },
  {
    name: 'delete',
    table: 'del',
    description: 'deletes: before holds only the key, each followed by a tombstone',
    sql: [`INSERT INTO ${T('del')} VALUES (1, 'keep'), (2, 'gone'), (3, 'gone too')`, `DELETE FROM ${T('del')} WHERE id >= 2`],
    variants: BASIC,
  },
  {
    name: 'delete-reinsert',
    table: 'delre',
    description: 'delete and reinsert of one key in one transaction',
    sql: [
      `INSERT INTO ${T('delre')} VALUES (1, 'first')`,
      `BEGIN; DELETE FROM ${T('delre')} WHERE id = 1; INSERT INTO ${T('delre')} VALUES (1, 'second'); COMMIT`,
    ],
    variants: BASIC,
  },
  {
    name: 'pk-update',
    table: 'pkupd',
    description: 'primary-key update: delete of the old key, tombstone, create of the new key',
    sql: [`INSERT INTO ${T('pkupd')} VALUES (1, 'moved'), (2, 'stays')`, `UPDATE ${T('pkupd')} SET id = 10, name = 'moved!' WHERE id = 1`],
    variants: BASIC,
  },
  {
    name: 'composite-key',
    table: 'comp',
    description: 'composite key (text, bigint): insert, update, key-part update, delete',
    sql: [
      `INSERT INTO ${T('comp')} VALUES ('acme', 1, 'a'), ('acme', 2, 'b'), ('zeta', 1, 'c')`,
      `UPDATE ${T('comp')} SET v = 'a2' WHERE tenant = 'acme' AND id = 1`,
      `UPDATE ${T('comp')} SET tenant = 'beta' WHERE tenant = 'acme' AND id = 2`,
      `DELETE FROM ${T('comp')} WHERE tenant = 'zeta' AND id = 1`,
    ],
    variants: BASIC,
  },
  {
    name: 'toast-unchanged',
    table: 'toast',
    description: 'updates leaving out-of-line TOAST columns (text, bytea, text[], jsonb > 8 kB) unchanged, then a key move: placeholders',
    sql: [
      `INSERT INTO ${T('toast')} VALUES (1, 1, ${BIG_TEXT}, ${BIG_BYTES}, ARRAY[${BIG_TEXT}, 'b'], jsonb_build_object('k', ${BIG_TEXT}))`,
      `UPDATE ${T('toast')} SET small = 2 WHERE id = 1`,
      `UPDATE ${T('toast')} SET small = 3, big = 'now short' WHERE id = 1`,
      `UPDATE ${T('toast')} SET id = 2 WHERE id = 1`, // key move: the create carries placeholders of the OLD row
    ],
    variants: ALL,
  },
  {
    name: 'numeric',
    table: 'num',
    description: 'numeric(p,s), numeric(38,0) extremes, unconstrained numeric, negative scale',
    sql: [
      `INSERT INTO ${T('num')} VALUES (1, 12345678.91, 99999999999999999999999999999999999999, 1234567890123456789012345678.0123456789, 1.5, 12300)`,
      `INSERT INTO ${T('num')} VALUES (2, -0.01, -99999999999999999999999999999999999999, -0.0000000001, -123456789012345678901234567.0123456789, -99900)`,
      `INSERT INTO ${T('num')} VALUES (3, 0, 0, 0, 0.000, 0)`,
      `INSERT INTO ${T('num')} VALUES (4, NULL, NULL, NULL, 100, NULL)`,
    ],
    variants: ALL,
  },
  {
    name: 'numeric-nan',
    table: 'numnan',
    description: 'NaN (and an over-scale unconstrained value) cannot enter decimal columns: bad events',
    sql: [
      `INSERT INTO ${T('numnan')} VALUES (1, 'NaN', 1)`,
      `INSERT INTO ${T('numnan')} VALUES (2, 1, 'NaN')`,
      `INSERT INTO ${T('numnan')} VALUES (3, 1, 0.12345678901)`,
      `INSERT INTO ${T('numnan')} VALUES (4, NULL, '-Infinity')`,
    ],
    variants: ALL,
  },
  {
    name: 'temporal',
    table: 'tmp',
    description: 'µs timestamps, timestamptz, dates before 1970 and before year 1, times, timetz, interval',
    sql: [
      `INSERT INTO ${T('tmp')} VALUES (1, '2024-02-29', '23:59:59.999999', '12:34:56.789', '12:34:56.123456+05:30',
        '2024-02-29 23:59:59.123456', '2024-02-29 23:59:59.123', '2024-02-29 23:59:59.123456+02', '1 year 2 months -3 days 04:05:06.789')`,
      `INSERT INTO ${T('tmp')} VALUES (2, '1969-12-31', '00:00:00', '00:00:00.001', '00:00:00-08',
        '1969-12-31 23:59:59.999999', '1900-01-01 00:00:00.001', '1969-12-31 23:59:59.999999-01', '-1 day -00:00:00.000001')`,
      `INSERT INTO ${T('tmp')} VALUES (3, '0001-01-01', '00:00:00.000001', NULL, NULL,
        '0001-01-01 00:00:00', '1970-01-01 00:00:00', '0001-01-01 00:00:00+00', '0')`,
      `INSERT INTO ${T('tmp')} VALUES (4, '4713-01-01 BC', NULL, NULL, NULL, '9999-12-31 23:59:59.999999', NULL, '9999-12-31 23:59:59.999999+00', NULL)`,
    ],
    variants: ALL,
  },
  {
    name: 'temporal-infinity',
    table: 'tinf',
    description: "'infinity' and '-infinity' dates and timestamps: clamped by default",
    sql: [
      `INSERT INTO ${T('tinf')} VALUES (1, 'infinity', 'infinity', 'infinity')`,
      `INSERT INTO ${T('tinf')} VALUES (2, '-infinity', '-infinity', '-infinity')`,
    ],
    variants: ALL,
  },
  {
    name: 'misc-types',
    table: 'misc',
    description: 'uuid, json, jsonb, bytea, int[] and text[] with NULL elements, enum, point, inet, xml',
    sql: [
      `INSERT INTO ${T('misc')} VALUES (1, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{"b": 1,  "a": [1, 2]}', '{"b": 1, "a": [1, 2]}',
        '\\x00ff10', ARRAY[1, NULL, -3], ARRAY['a', NULL, 'c"d', ''], 'happy', '(1.5,-2)', '192.168.0.1/24', '<a>x</a>')`,
      `INSERT INTO ${T('misc')} VALUES (2, NULL, NULL, NULL, '\\x', '{}', '{}', NULL, NULL, NULL, NULL)`,
    ],
    variants: ALL,
  },
  {
    name: 'truncate',
    table: 'trunc',
    description: "TRUNCATE with skipped.operations=none: op 't'",
    sql: [`INSERT INTO ${T('trunc')} VALUES (1, 'a'), (2, 'b')`, `TRUNCATE ${T('trunc')}`, `INSERT INTO ${T('trunc')} VALUES (3, 'c')`],
    variants: BASIC,
  },
  {
    name: 'message',
    table: 'message',
    description: "pg_logical_emit_message with message.prefix.include.list=floe: op 'm', ignored",
    sql: [`SELECT pg_logical_emit_message(true, 'floe', 'hello')`, `SELECT pg_logical_emit_message(false, 'floe', '\\x00ff'::bytea)`],
    variants: BASIC,
  },
];

/**
 * What Debezium's PostgreSQL connector would put in the schema of each column, for records
 * sent without schemas (`schemas.enable=false`): the semantic type by PostgreSQL type and
 * connector modes, as a table. Without these hints a schemaless `timestamp(3)` (sent in ms)
 * could not be told from a `timestamp` (sent in µs).
 */
import type { PgColumn, PgTable } from '../../sources/postgres/pg-table.ts';
import type { SemanticHint } from './types.ts';

/** The connector settings that change how values are encoded. */
export interface DebeziumConnectorModes {
  readonly decimalHandlingMode: 'precise' | 'string' | 'double';
  readonly timePrecisionMode: 'adaptive' | 'adaptive_time_microseconds' | 'connect' | 'isostring';
  readonly intervalHandlingMode: 'numeric' | 'string';
}

const DBZ = 'io.debezium.time.';
const CONNECT = 'org.apache.kafka.connect.data.';

/** Fractional-second digits of a time/timestamp column (typmod; −1 means the default, 6). */
const precisionOf = (c: PgColumn): number => (c.typmod >= 0 ? c.typmod : 6);

type HintRule = (column: PgColumn, modes: DebeziumConnectorModes) => SemanticHint | undefined;

const temporal = (adaptive: (c: PgColumn, m: DebeziumConnectorModes) => string, connect: string, iso: string): HintRule => (c, m) => {
  if (m.timePrecisionMode === 'connect') return { name: CONNECT + connect };
  if (m.timePrecisionMode === 'isostring') return { name: DBZ + iso };
  return { name: DBZ + adaptive(c, m) };
};

/** PostgreSQL type name (pg_type.typname) → hint rule. */
export const PG_HINTS: Readonly<Record<string, HintRule>> = {
  date: temporal(() => 'Date', 'Date', 'IsoDate'),
  time: temporal((c, m) => (m.timePrecisionMode === 'adaptive' && precisionOf(c) <= 3 ? 'Time' : 'MicroTime'), 'Time', 'IsoTime'),
  timestamp: temporal((c) => (precisionOf(c) <= 3 ? 'Timestamp' : 'MicroTimestamp'), 'Timestamp', 'IsoTimestamp'),
  timestamptz: () => ({ name: `${DBZ}ZonedTimestamp` }),
  timetz: () => ({ name: `${DBZ}ZonedTime` }),
  interval: (_c, m) => ({ name: DBZ + (m.intervalHandlingMode === 'string' ? 'Interval' : 'MicroDuration') }),
  numeric: (c, m) => {
    if (m.decimalHandlingMode !== 'precise') return undefined;
    if (!c.numeric) return { name: 'io.debezium.data.VariableScaleDecimal' };
    // Measured (3.6.1, PostgreSQL 15): numeric(5,-2) is sent with scale 2046, the 11-bit field
    // of the typmod read as unsigned (its value bytes are scaled to match).
    const scale = c.numeric.scale < 0 ? c.numeric.scale + 2048 : c.numeric.scale;
    return { name: `${CONNECT}Decimal`, parameters: { scale: String(scale) } };
  },
  uuid: () => ({ name: 'io.debezium.data.Uuid' }),
  json: () => ({ name: 'io.debezium.data.Json' }),
  jsonb: () => ({ name: 'io.debezium.data.Json' }),
  xml: () => ({ name: 'io.debezium.data.Xml' }),
  point: () => ({ name: 'io.debezium.data.geometry.Point' }),
  geometry: () => ({ name: 'io.debezium.data.geometry.Geometry' }),
  geography: () => ({ name: 'io.debezium.data.geometry.Geography' }),
};

/** Hints for every column of `table` that has one (arrays: the element's), by column name. */
export function hintsForPgTable(table: PgTable, modes: DebeziumConnectorModes): Record<string, SemanticHint> {
  const hints: Record<string, SemanticHint> = {};
  for (const column of table.columns) {
    const type = column.type.kind === 'array' ? column.type.element : column.type;
    const rule = type && type.kind === 'base' ? PG_HINTS[type.name] : undefined;
    const hint = rule?.(column, modes);
    if (hint) hints[column.name] = hint;
  }
  return hints;
}

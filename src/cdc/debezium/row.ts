/**
 * A Debezium row image (`before`, `after` or a key) → a Row of the target table: columns
 * matched to target fields by exact name, values converted by converters.ts, unchanged-TOAST
 * placeholders collected instead of values. Every failure becomes a BadEventError naming the
 * table, column, Kafka position and the value.
 */
import type { KafkaOrigin } from '../../core/change.ts';
import { BadEventError } from '../../core/errors.ts';
import type { JsonValue } from '../../iceberg/spec/lossless-json.ts';
import type { IcebergValue, NestedField, Row } from '../../iceberg/spec/types.ts';
import { convertValue, type ValueSchema } from './converters.ts';
import { isObject, previewValue } from './json-text.ts';
import { binaryPlaceholders } from './text-converters.ts';
import { fieldSchemas } from './schema-types.ts';
import type { ConnectSchema, DebeziumDecodeOptions, DebeziumTarget } from './types.ts';

/** Where a row image sits, for messages: `dbz.t.after` at `topic/partition@offset`. */
export function describeOrigin(origin: KafkaOrigin): string {
  return `${origin.topic}/${origin.partition}@${origin.offset}`;
}

const NO_COLUMNS: readonly string[] = Object.freeze([]);

/** A converted image: the row (without unchanged columns) and the unchanged column names. */
export interface ConvertedRow {
  readonly row: Row;
  readonly unchanged: readonly string[];
}

/** Whether a raw value is the unavailable-value placeholder, in any of the forms Debezium sends. */
function isPlaceholder(raw: JsonValue, field: NestedField, options: DebeziumDecodeOptions, binaryForms: readonly string[]): boolean {
  if (typeof raw === 'string') {
    if (raw === options.unavailableValue) return true;
    return (field.type.type === 'binary' || field.type.type === 'fixed') && binaryForms.includes(raw);
  }
  // Arrays: Debezium sends a one-element list holding the placeholder.
  if (Array.isArray(raw) && field.type.type === 'list') return raw.some((v) => v === options.unavailableValue);
  return false;
}

/** Field lookup for a target, built once per target and reused for every record. */
export class TargetFields {
  readonly byName: ReadonlyMap<string, NestedField>;
  readonly binaryForms: readonly string[];
  constructor(
    readonly target: DebeziumTarget,
    readonly options: DebeziumDecodeOptions,
  ) {
    this.byName = new Map(target.schema.fields.map((f) => [f.name, f]));
    this.binaryForms = binaryPlaceholders(options);
  }

  /**
   * Converts `image` (a JSON object) with its struct schema (when embedded). `partial` images
   * (keys) may lack columns; full images give null to absent optional columns. Throws
   * BadEventError for unknown columns, values that do not fit, and nulls in required columns.
   */
  convert(image: JsonValue, struct: ConnectSchema | undefined, part: string, origin: KafkaOrigin, partial = false): ConvertedRow {
    // Messages are built only on failure: a template per record cost ~10 % of decoding.
    if (!isObject(image)) throw new BadEventError(`${this.where(part, origin)}: expected an object, got ${previewValue(image)}`);
    const schemas = struct ? fieldSchemas(struct) : undefined;
    const row: Record<string, IcebergValue> = {};
    let unchanged: string[] | undefined; // most images have none: no array for them
    for (const column in image) {
      const field = this.byName.get(column);
      if (!field) {
        if (this.target.ignoredColumn?.(column) === true) continue;
        throw new BadEventError(`${this.where(part, origin)}: column ${JSON.stringify(column)} is not in the target table (schema change? floe stops this table until it is evolved)`);
      }
      const raw = image[column]!;
      if (isPlaceholder(raw, field, this.options, this.binaryForms)) {
        (unchanged ??= []).push(column);
        continue;
      }
      row[column] = this.value(raw, field, (schemas?.get(column) as ValueSchema | undefined) ?? this.target.hints?.[column], part, origin);
    }
    if (!partial) {
      for (const field of this.target.schema.fields) {
        if (field.name in row || unchanged?.includes(field.name)) continue;
        if (field.required) throw new BadEventError(`${this.where(part, origin)}: required column ${JSON.stringify(field.name)} is missing`);
        row[field.name] = null;
      }
    }
    return { row, unchanged: unchanged ?? NO_COLUMNS };
  }

  /** `table part at topic/partition@offset`, for messages. */
  private where(part: string, origin: KafkaOrigin): string {
    return `${this.target.table} ${part} at ${describeOrigin(origin)}`;
  }

  private value(raw: JsonValue, field: NestedField, schema: ValueSchema | undefined, part: string, origin: KafkaOrigin): IcebergValue {
    let value: IcebergValue;
    try {
      value = convertValue(raw, field.type, schema, this.options);
    } catch (cause) {
      if (!(cause instanceof BadEventError)) throw cause;
      throw new BadEventError(`${this.where(part, origin)}: column ${JSON.stringify(field.name)} value ${previewValue(raw)}: ${cause.message}`, { cause });
    }
    if (value === null && field.required) {
      throw new BadEventError(`${this.where(part, origin)}: column ${JSON.stringify(field.name)} is required but the value is null (raw ${previewValue(raw)})`);
    }
    return value;
  }
}

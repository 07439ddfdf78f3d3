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
import { converterFor, convertValue, NO_SCHEMA, type Converter, type ValueSchema } from './converters.ts';
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

/** How one column of an image converts, resolved once per (struct schema, column name). */
interface ColumnPlan {
  /** Undefined: a column the table leaves out on purpose (dropped from images). */
  readonly field: NestedField | undefined;
  readonly schema: ValueSchema | undefined;
  /** What convertValue would call for a non-null value; undefined for lists. */
  readonly converter: Converter | undefined;
}

const IGNORED: ColumnPlan = { field: undefined, schema: undefined, converter: undefined };
/** The plans key of images without an embedded schema. */
const NO_STRUCT = {} as ConnectSchema;

/** Field lookup for a target, built once per target and reused for every record. */
export class TargetFields {
  readonly byName: ReadonlyMap<string, NestedField>;
  readonly binaryForms: readonly string[];
  readonly #plans = new WeakMap<ConnectSchema, Map<string, ColumnPlan>>();
  /** The plans of the struct schema the last image had (a topic's images share one). */
  #lastStruct: ConnectSchema | undefined;
  #lastPlans = new Map<string, ColumnPlan>();
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
    const plans = this.plansOf(struct);
    const row: Record<string, IcebergValue> = {};
    let unchanged: string[] | undefined; // most images have none: no array for them
    for (const column in image) {
      const plan = plans.get(column) ?? this.plan(plans, column, struct, part, origin);
      const field = plan.field;
      if (field === undefined) continue;
      const raw = image[column]!;
      if (isPlaceholder(raw, field, this.options, this.binaryForms)) {
        (unchanged ??= []).push(column);
        continue;
      }
      row[column] = this.value(raw, field, plan, part, origin);
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

  /** The column plans of images with `struct` (undefined: no embedded schema). */
  private plansOf(struct: ConnectSchema | undefined): Map<string, ColumnPlan> {
    const key = struct ?? NO_STRUCT;
    if (key === this.#lastStruct) return this.#lastPlans;
    let plans = this.#plans.get(key);
    if (plans === undefined) this.#plans.set(key, (plans = new Map()));
    this.#lastStruct = key;
    this.#lastPlans = plans;
    return plans;
  }

  /** Resolves (and keeps) the plan of `column`; throws BadEventError for a column not in the target table. */
  private plan(plans: Map<string, ColumnPlan>, column: string, struct: ConnectSchema | undefined, part: string, origin: KafkaOrigin): ColumnPlan {
    const field = this.byName.get(column);
    let plan = IGNORED;
    if (!field) {
      if (this.target.ignoredColumn?.(column) !== true) {
        throw new BadEventError(`${this.where(part, origin)}: column ${JSON.stringify(column)} is not in the target table (schema change? floe stops this table until it is evolved)`);
      }
    } else {
      const schemas = struct ? fieldSchemas(struct) : undefined;
      const schema = (schemas?.get(column) as ValueSchema | undefined) ?? this.target.hints?.[column];
      plan = { field, schema, converter: converterFor(field.type, schema ?? NO_SCHEMA) };
    }
    plans.set(column, plan);
    return plan;
  }

  /** `table part at topic/partition@offset`, for messages. */
  private where(part: string, origin: KafkaOrigin): string {
    return `${this.target.table} ${part} at ${describeOrigin(origin)}`;
  }

  private value(raw: JsonValue, field: NestedField, plan: ColumnPlan, part: string, origin: KafkaOrigin): IcebergValue {
    let value: IcebergValue;
    try {
      // As convertValue, with the converter it would pick resolved once per column.
      const { converter, schema } = plan;
      value = raw === null ? null : converter !== undefined ? converter(raw, field.type, schema ?? NO_SCHEMA, this.options) : convertValue(raw, field.type, schema, this.options);
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

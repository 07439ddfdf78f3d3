/**
 * Pure schema evolution (spec "Schema Evolution", v2 rules): a list of changes applied in
 * order to the current schema gives a new schema with the next schema id. Field ids never
 * change; added fields get fresh ids above `lastColumnId`. Every illegal change throws
 * UnsupportedTypeError naming the column and the types.
 *
 * Columns are named by dotted path in the schema as changed so far (`addr.city`); lists and
 * maps are crossed with `element`, `key`, `value` (`points.element.x`).
 *
 * Required columns: v2 has no default values, so adding a required column (or making an
 * optional one required) would leave existing rows without a value. floe allows a required
 * add only when the caller states the table has no rows (`options.emptyTable`).
 */
import type { IcebergType, NestedField, PrimitiveType, Schema } from './types.ts';
import { UnsupportedTypeError } from '../../core/errors.ts';
import { assertUniqueNames, assignIds, findFieldByName, isPrimitive, maxFieldId, typeToString, type UnassignedType } from './schema.ts';

/** One schema change; `name`/`parent` are dotted paths (see file comment). */
export type SchemaChange =
  | {
      readonly kind: 'add-column';
      /** Dotted path of the enclosing struct; omitted for a top-level column. */
      readonly parent?: string;
      readonly name: string;
      readonly type: UnassignedType;
      /** Default false. True needs `options.emptyTable`. Nested fields keep their own flags. */
      readonly required?: boolean;
      readonly doc?: string;
    }
  | { readonly kind: 'rename-column'; readonly name: string; readonly newName: string }
  /** Widen a primitive: int -> long, float -> double, decimal(P,S) -> decimal(P',S) with P' > P. */
  | { readonly kind: 'update-column-type'; readonly name: string; readonly type: PrimitiveType }
  | { readonly kind: 'make-optional'; readonly name: string }
  | { readonly kind: 'delete-column'; readonly name: string }
  /** Replace the identifier fields (the row key); each must be a required primitive, not in a list or map. */
  | { readonly kind: 'set-identifier-fields'; readonly names: readonly string[] };

export interface EvolveOptions {
  /** Id of the new schema; default `current.schemaId + 1` (pass the table's max + 1 if ids have gaps). */
  readonly schemaId?: number;
  /** The table has no rows, so required columns may be added. Default false. */
  readonly emptyTable?: boolean;
}

function fail(message: string): never {
  throw new UnsupportedTypeError(`schema change: ${message}`);
}

const samePrimitive = (a: PrimitiveType, b: PrimitiveType): boolean => typeToString(a) === typeToString(b);

/** True when a v1/v2 table may promote `from` to `to` (identical types count as allowed). */
export function isAllowedPromotion(from: PrimitiveType, to: PrimitiveType): boolean {
  if (samePrimitive(from, to)) return true;
  if (from.type === 'int' && to.type === 'long') return true;
  if (from.type === 'float' && to.type === 'double') return true;
  return from.type === 'decimal' && to.type === 'decimal' && to.scale === from.scale && to.precision > from.precision;
}

type FieldsEdit = (fields: readonly NestedField[], where: string) => readonly NestedField[];

/** Rebuilds `type` with `edit` applied to the struct at `segments` below it. */
function editStruct(type: IcebergType, segments: readonly string[], edit: FieldsEdit, where: string): IcebergType {
  if (segments.length === 0) {
    if (type.type !== 'struct') fail(`'${where}' is ${typeToString(type)}, not a struct`);
    return { ...type, fields: edit(type.fields, where) };
  }
  const [head, ...rest] = segments as [string, ...string[]];
  const here = where ? `${where}.${head}` : head;
  if (type.type === 'struct') {
    const i = type.fields.findIndex((f) => f.name === head);
    if (i < 0) fail(`no column '${here}'`);
    const fields = [...type.fields];
    fields[i] = { ...fields[i]!, type: editStruct(fields[i]!.type, rest, edit, here) };
    return { ...type, fields };
  }
  if (type.type === 'list' && head === 'element') return { ...type, element: editStruct(type.element, rest, edit, here) };
  if (type.type === 'map' && head === 'key') return { ...type, key: editStruct(type.key, rest, edit, here) };
  if (type.type === 'map' && head === 'value') return { ...type, value: editStruct(type.value, rest, edit, here) };
  return fail(`no column '${here}' (${where} is ${typeToString(type)})`);
}

/** Applies `edit` to the field `dotted` names, inside its parent struct. */
function editField(schema: Schema, dotted: string, edit: (field: NestedField, siblings: readonly NestedField[]) => NestedField | null): Schema {
  const segments = dotted.split('.');
  const leaf = segments.pop()!;
  const root = editStruct({ type: 'struct', fields: schema.fields }, segments, (fields) => {
    const i = fields.findIndex((f) => f.name === leaf);
    if (i < 0) fail(`no column '${dotted}'`);
    const replaced = edit(fields[i]!, fields);
    return replaced === null ? fields.filter((_, j) => j !== i) : fields.map((f, j) => (j === i ? replaced : f));
  }, '');
  return { ...schema, fields: (root as { fields: readonly NestedField[] }).fields };
}

interface State {
  schema: Schema;
  lastColumnId: number;
}

type Apply<K extends SchemaChange['kind']> = (s: State, c: Extract<SchemaChange, { kind: K }>, o: EvolveOptions) => void;

const addColumn: Apply<'add-column'> = (s, c, o) => {
  const where = c.parent ? `${c.parent}.${c.name}` : c.name;
  if (c.required && !o.emptyTable) {
    fail(`cannot add required column '${where}' ${typeToString(c.type as IcebergType)}: existing rows have no value (add it optional)`);
  }
  if (c.name === '' || c.name.includes('.')) fail(`column name '${c.name}' must be non-empty and without dots (use parent)`);
  let next = s.lastColumnId;
  const id = ++next;
  const type = assignIds(c.type, () => ++next);
  assertUniqueNames(type, `${where}.`);
  const field: NestedField = { id, name: c.name, required: c.required ?? false, type, ...(c.doc !== undefined ? { doc: c.doc } : {}) };
  const root = editStruct({ type: 'struct', fields: s.schema.fields }, c.parent ? c.parent.split('.') : [], (fields) => {
    if (fields.some((f) => f.name === c.name)) fail(`column '${where}' already exists`);
    return [...fields, field];
  }, '');
  s.schema = { ...s.schema, fields: (root as { fields: readonly NestedField[] }).fields };
  s.lastColumnId = next;
};

const renameColumn: Apply<'rename-column'> = (s, c) => {
  if (c.newName === '' || c.newName.includes('.')) fail(`cannot rename '${c.name}' to '${c.newName}': new name must be non-empty and without dots`);
  s.schema = editField(s.schema, c.name, (f, siblings) => {
    if (f.name !== c.newName && siblings.some((x) => x.name === c.newName)) fail(`cannot rename '${c.name}' to '${c.newName}': that name is taken`);
    return { ...f, name: c.newName };
  });
};

const updateColumnType: Apply<'update-column-type'> = (s, c) => {
  s.schema = editField(s.schema, c.name, (f) => {
    if (!isPrimitive(f.type)) fail(`cannot change column '${c.name}' from ${typeToString(f.type)} to ${typeToString(c.type)}: not a primitive`);
    if (!isAllowedPromotion(f.type, c.type)) {
      fail(
        `cannot change column '${c.name}' from ${typeToString(f.type)} to ${typeToString(c.type)}: ` +
          'only int -> long, float -> double and decimal(P,S) -> decimal(P2,S) with P2 > P are allowed',
      );
    }
    return { ...f, type: c.type };
  });
};

const makeOptional: Apply<'make-optional'> = (s, c) => {
  s.schema = editField(s.schema, c.name, (f) => {
    if (s.schema.identifierFieldIds.includes(f.id)) fail(`cannot make identifier column '${c.name}' optional`);
    return { ...f, required: false };
  });
};

const deleteColumn: Apply<'delete-column'> = (s, c) => {
  s.schema = editField(s.schema, c.name, (f) => {
    if (s.schema.identifierFieldIds.includes(f.id)) fail(`cannot delete identifier column '${c.name}'; change the identifier fields first`);
    return null;
  });
};

const setIdentifierFields: Apply<'set-identifier-fields'> = (s, c) => {
  const ids = c.names.map((name) => {
    const f = findFieldByName(s.schema, name);
    if (!f) fail(`identifier column '${name}' does not exist`);
    if (!structPath(s.schema, name)) fail(`identifier column '${name}' may not be inside a list or map`);
    if (!f.required) fail(`identifier column '${name}' must be required`);
    if (!isPrimitive(f.type) || f.type.type === 'float' || f.type.type === 'double') {
      fail(`identifier column '${name}' must be a primitive other than float/double, got ${typeToString(f.type)}`);
    }
    return f.id;
  });
  s.schema = { ...s.schema, identifierFieldIds: [...new Set(ids)] };
};

/** True when every segment of `dotted` is a struct field (no list/map crossing). */
function structPath(schema: Schema, dotted: string): boolean {
  let fields: readonly NestedField[] | undefined = schema.fields;
  for (const seg of dotted.split('.')) {
    const f: NestedField | undefined = fields?.find((x) => x.name === seg);
    if (!f) return false;
    fields = f.type.type === 'struct' ? f.type.fields : undefined;
  }
  return true;
}

const APPLY: { [K in SchemaChange['kind']]: Apply<K> } = {
  'add-column': addColumn,
  'rename-column': renameColumn,
  'update-column-type': updateColumnType,
  'make-optional': makeOptional,
  'delete-column': deleteColumn,
  'set-identifier-fields': setIdentifierFields,
};

/**
 * Applies `changes` in order to `current`. Returns the new schema (id `options.schemaId` or
 * `current.schemaId + 1`, identifier ids kept) and the table's new lastColumnId
 * (>= both `lastColumnId` and the schema's highest id). Pure: the
 * inputs are not modified. Throws UnsupportedTypeError on the first illegal change.
 */
export function evolveSchema(
  current: Schema,
  lastColumnId: number,
  changes: readonly SchemaChange[],
  options: EvolveOptions = {},
): { schema: Schema; lastColumnId: number } {
  // Never reuse an id, even if the caller's lastColumnId lags behind the schema.
  const state: State = { schema: current, lastColumnId: Math.max(lastColumnId, maxFieldId(current)) };
  for (const change of changes) (APPLY[change.kind] as Apply<SchemaChange['kind']>)(state, change, options);
  return { schema: { ...state.schema, schemaId: options.schemaId ?? current.schemaId + 1 }, lastColumnId: state.lastColumnId };
}

/**
 * The JSON Schema (draft 2020-12) of floe.yaml for editors, generated from the zod schema.
 * Integer and enum settings also accept a `${scheme:…}` reference string, as the loader does.
 */
import { z } from 'zod';
import { configSchema } from './schema.ts';

const REFERENCE = { type: 'string', pattern: '^\\$\\{[A-Za-z][\\w-]*:[^}]*\\}$', description: 'A ${env:VAR} or ${file:/path} reference' };

function allowReferences(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowReferences);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = allowReferences(value);
  const isLeaf = out.type === 'integer' || (Array.isArray(out.enum) && out.enum.length > 1);
  if (!isLeaf) return out;
  const { description, default: dflt, ...rest } = out;
  return { ...(description === undefined ? {} : { description }), ...(dflt === undefined ? {} : { default: dflt }), anyOf: [rest, REFERENCE] };
}

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Copies `default`s from the output-side schema into the input-side one, following object
 * properties (and $defs) by name and union branches by position: zod leaves a default out of the input side when the value
 * goes through a preprocess (every integer setting: int() in schema.ts accepts digit strings).
 */
function copyDefaults(input: Node, output: Node): void {
  if (input.default === undefined && output.default !== undefined) input.default = output.default;
  for (const key of ['properties', '$defs']) {
    const ins = input[key];
    const outs = output[key];
    if (!isNode(ins) || !isNode(outs)) continue;
    for (const [name, child] of Object.entries(ins)) {
      const twin = outs[name];
      if (isNode(child) && isNode(twin)) copyDefaults(child, twin);
    }
  }
  // union branches come out in the same order on both sides
  for (const key of ['oneOf', 'anyOf']) {
    const ins = input[key];
    const outs = output[key];
    if (!Array.isArray(ins) || !Array.isArray(outs) || ins.length !== outs.length) continue;
    ins.forEach((child: unknown, i) => {
      const twin: unknown = outs[i];
      if (isNode(child) && isNode(twin)) copyDefaults(child, twin);
    });
  }
}

/** The config's JSON Schema as a plain object (input side: what a user writes), with every setting's default. */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Node;
  copyDefaults(schema, z.toJSONSchema(configSchema, { io: 'output', unrepresentable: 'any' }) as Node);
  return {
    ...(allowReferences(schema) as Record<string, unknown>),
    $id: 'https://floe.dev/floe.schema.json',
    title: 'floe configuration (floe.yaml)',
  };
}

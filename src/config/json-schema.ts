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

/** The config's JSON Schema as a plain object (input side: what a user writes). */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...(allowReferences(schema) as Record<string, unknown>),
    $id: 'https://floe.dev/floe.schema.json',
    title: 'floe configuration (floe.yaml)',
  };
}

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { configJsonSchema } from './json-schema.ts';

type Node = Record<string, unknown>;
const at = (node: unknown, ...path: (string | number)[]): Node => path.reduce<Node>((n, k) => (n as Record<string | number, Node>)[k]!, node as Node);

describe('config JSON Schema', () => {
  const schema = configJsonSchema();

  it('gives integer settings their defaults, also inside a union branch', () => {
    assert.equal(at(schema, 'properties', 'sync', 'properties', 'maxBatchMiB').default, 128);
    assert.equal(at(schema, 'properties', 'load', 'properties', 'parallelism').default, 2);
    const kafka = at(schema, 'properties', 'sync', 'properties', 'source', 'oneOf', 0, 'properties');
    assert.equal(at(kafka, 'fetch', 'properties', 'partitionMaxKiB').default, 1024);
  });

  it('still accepts a ${…} reference for an integer setting', () => {
    const branches = at(schema, 'properties', 'sync', 'properties', 'maxBatchMiB').anyOf as Node[];
    assert.deepEqual(branches.map((b) => b.type), ['integer', 'string']);
  });

  it('is what docs/floe.schema.json holds (run `npm run config:schema` after changing the config)', () => {
    const committed: unknown = JSON.parse(readFileSync(new URL('../../docs/floe.schema.json', import.meta.url), 'utf8'));
    assert.deepEqual(committed, schema);
  });
});

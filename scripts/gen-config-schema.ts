/**
 * Writes docs/floe.schema.json, the JSON Schema of floe.yaml, from src/config (npm run config:schema).
 * Point an editor at it with `# yaml-language-server: $schema=docs/floe.schema.json`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../src/config/json-schema.ts';

const out = fileURLToPath(new URL('../docs/floe.schema.json', import.meta.url));
writeFileSync(out, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`wrote ${out}`);

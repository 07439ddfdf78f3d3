/** floe's configuration: load, validate, JSON Schema and secret redaction. */
export { loadConfig, parseConfigText, buildConfig, DEFAULT_CONFIG_FILE, type LoadConfigOptions } from './load-config.ts';
export { secretValues, redactor } from './secrets.ts';
export { defaultResolvers, envResolver, fileResolver, type ReferenceResolver, type ResolverRegistry } from './references.ts';
export { configJsonSchema } from './json-schema.ts';
export type * from './types.ts';

/**
 * Which strings in a config are secrets, so the logger (and error paths) can redact them:
 * every `password`-like field, the password part of every connection URL, and every value a
 * secret resolver (`${file:…}`, later `${vault:…}`) produced.
 */
import type { Config } from './types.ts';
import { isSecretPath, isUrlPath, urlPasswords, type ConfigPath } from './issues.ts';

const resolvedSecrets = new WeakMap<object, ReadonlySet<string>>();

/** Records the values secret resolvers produced while loading `config` (load-config.ts only). */
export function rememberResolvedSecrets(config: Config, secrets: ReadonlySet<string>): void {
  resolvedSecrets.set(config, secrets);
}

/**
 * Every secret string in `config`, longest first so a redactor replaces whole values before
 * their parts. Empty strings are never included.
 */
export function secretValues(config: Config): readonly string[] {
  const found = new Set<string>(resolvedSecrets.get(config) ?? []);
  const walk = (node: unknown, path: ConfigPath): void => {
    if (typeof node === 'string') {
      if (isSecretPath(path)) found.add(node);
      if (isUrlPath(path)) for (const pw of urlPasswords(node)) found.add(pw);
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, [...path, i]));
    } else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) walk(value, [...path, key]);
    }
  };
  walk(config, []);
  found.delete('');
  return [...found].sort((a, b) => b.length - a.length);
}

/** A function replacing every occurrence of every secret in a string by `<redacted>`. */
export function redactor(secrets: readonly string[]): (text: string) => string {
  if (secrets.length === 0) return (text) => text;
  const escaped = [...secrets].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(escaped.join('|'), 'g');
  return (text) => text.replace(pattern, '<redacted>');
}

/**
 * Turns validation problems into lines a person can act on: the exact path
 * (`tables[2].primaryKey[0]`), the value found (secrets redacted) and what was expected.
 */
import type { z } from 'zod';

/** A location in the config document: object keys and array indexes. */
export type ConfigPath = readonly PropertyKey[];

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** `['tables', 2, 'primaryKey', 0]` → `tables[2].primaryKey[0]`; odd keys as `["my key"]`; root is `(root)`. */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && PLAIN_KEY.test(key)) out += out === '' ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out === '' ? '(root)' : out;
}

/** Keys whose whole value is a secret. */
const SECRET_KEYS = new Set(['password', 'secret', 'token', 'apiKey']);
/** Keys holding connection URLs whose password part is a secret. */
const URL_KEYS = new Set(['url', 'uri']);

/** True when the value at `path` is a secret as a whole (e.g. `sources.x.password`). */
export function isSecretPath(path: ConfigPath): boolean {
  const last = path[path.length - 1];
  return typeof last === 'string' && SECRET_KEYS.has(last);
}

/** True when the value at `path` may be a URL carrying a password. */
export function isUrlPath(path: ConfigPath): boolean {
  const last = path[path.length - 1];
  return typeof last === 'string' && URL_KEYS.has(last);
}

/** The password embedded in a URL (`scheme://user:pw@host`), raw and percent-decoded, if any. */
export function urlPasswords(text: string): string[] {
  const m = /^[a-z][\w+.-]*:\/\/[^:@/]*:([^@/]*)@/i.exec(text);
  if (!m?.[1]) return [];
  let decoded = m[1];
  try {
    decoded = decodeURIComponent(m[1]);
  } catch {
    // not percent-encoded: the raw form is all there is
  }
  return decoded === m[1] ? [m[1]] : [m[1], decoded];
}

/** The value at `path` in `root`, or undefined. */
export function valueAt(root: unknown, path: ConfigPath): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** A short, redacted rendering of a config value for an error message. */
export function describeValue(value: unknown, path: ConfigPath): string {
  if (value === undefined) return 'missing';
  if (isSecretPath(path)) return 'got <redacted>';
  let text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  if (typeof value === 'string' && isUrlPath(path)) {
    for (const pw of urlPasswords(value)) text = text.replaceAll(pw, '<redacted>');
  }
  if (text.length > 80) text = `${text.slice(0, 77)}...`;
  return `got ${text}`;
}

function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}`;
    case 'invalid_union':
      if ('discriminator' in issue && issue.discriminator !== undefined) {
        const options = (issue as { options?: unknown[] }).options ?? [];
        return `expected ${options.map((v) => JSON.stringify(v)).join(' | ')}`;
      }
      return issue.message;
    case 'too_small':
      return `expected ${issue.origin === 'array' ? 'at least' : issue.inclusive === false ? 'more than' : '≥'} ${String(issue.minimum)}${issue.origin === 'array' ? ' item(s)' : issue.origin === 'string' ? ' character(s)' : ''}`;
    case 'too_big':
      return `expected ${issue.origin === 'array' ? 'at most' : issue.inclusive === false ? 'less than' : '≤'} ${String(issue.maximum)}${issue.origin === 'array' ? ' item(s)' : ''}`;
    default:
      return issue.message;
  }
}

/** One line per zod issue, `path: got VALUE; EXPECTATION`, values looked up in `input`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${formatPath([...issue.path, key])}: unknown setting`);
      continue;
    }
    const path = issue.path;
    lines.push(`${formatPath(path)}: ${describeValue(valueAt(input, path), path)}; ${expectation(issue)}`);
  }
  return lines;
}

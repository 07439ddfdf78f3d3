/**
 * `${scheme:body}` references inside any string of floe.yaml, resolved by a registry of
 * resolvers: `env` (process environment) and `file` (file contents, one trailing newline
 * removed) built in; secret managers (`vault`, `aws-sm`, ...) plug in as more entries.
 * `$${` writes a literal `${`. Only this folder reads process.env.
 */
import { readFile } from 'node:fs/promises';
import { formatPath, type ConfigPath } from './issues.ts';

/** Resolves the body of `${scheme:body}` to a string; throws an Error whose message says why not. */
export interface ReferenceResolver {
  /** True when every value it returns is a secret (kept out of logs). */
  readonly secret: boolean;
  resolve(body: string): string | Promise<string>;
}

/** Resolvers by scheme. */
export type ResolverRegistry = Readonly<Record<string, ReferenceResolver>>;

/** `${env:NAME}`: the variable's value; an unset variable is an error (an empty one is not). */
export function envResolver(env: Readonly<Record<string, string | undefined>> = process.env): ReferenceResolver {
  return {
    secret: false,
    resolve(name) {
      const value = env[name];
      if (value === undefined) throw new Error(`environment variable ${name} is not set`);
      return value;
    },
  };
}

/** `${file:/path}`: the file's UTF-8 text minus one trailing newline (`\n` or `\r\n`). Secret. */
export const fileResolver: ReferenceResolver = {
  secret: true,
  async resolve(path) {
    try {
      return (await readFile(path, 'utf8')).replace(/\r?\n$/, '');
    } catch (err) {
      throw new Error(`cannot read file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  },
};

/** The built-in registry: env (from `env`, default process.env) and file. */
export function defaultResolvers(env?: Readonly<Record<string, string | undefined>>): ResolverRegistry {
  return { env: envResolver(env), file: fileResolver };
}

/** Result of resolving a document: the new tree, secrets met on the way, and problems. */
export interface ResolvedTree {
  readonly value: unknown;
  /** Values produced by secret resolvers (and whole strings containing them). */
  readonly secrets: ReadonlySet<string>;
  /** One line per failed reference: `path: why`. */
  readonly problems: readonly string[];
  /** Formatted paths of strings whose references failed (their values are not meaningful). */
  readonly failedPaths: ReadonlySet<string>;
}

const REF = /\$(\$?)\{([A-Za-z][\w-]*):([^}]*)\}/g;

/** Replaces every reference in every string of `tree` (keys untouched); never throws. */
export async function resolveReferences(tree: unknown, resolvers: ResolverRegistry): Promise<ResolvedTree> {
  const secrets = new Set<string>();
  const problems: string[] = [];
  const failedPaths = new Set<string>();

  async function resolveString(text: string, path: ConfigPath): Promise<string> {
    if (!text.includes('${')) return text;
    let out = '';
    let last = 0;
    let secret = false;
    for (const m of text.matchAll(REF)) {
      const [whole, escape, scheme, body] = m as unknown as [string, string, string, string];
      out += text.slice(last, m.index);
      last = m.index + whole.length;
      if (escape) {
        out += whole.slice(1);
        continue;
      }
      const resolver = Object.hasOwn(resolvers, scheme) ? resolvers[scheme] : undefined;
      if (!resolver) {
        problems.push(`${formatPath(path)}: unknown reference scheme "${scheme}" (known: ${Object.keys(resolvers).join(', ')})`);
        failedPaths.add(formatPath(path));
        continue;
      }
      try {
        const value = await resolver.resolve(body);
        if (resolver.secret) {
          secret = true;
          if (value !== '') secrets.add(value);
        }
        out += value;
      } catch (err) {
        problems.push(`${formatPath(path)}: \${${scheme}:…} ${(err as Error).message}`);
        failedPaths.add(formatPath(path));
      }
    }
    out += text.slice(last);
    if (secret && out !== '') secrets.add(out);
    return out;
  }

  async function walk(node: unknown, path: ConfigPath): Promise<unknown> {
    if (typeof node === 'string') return resolveString(node, path);
    if (Array.isArray(node)) return Promise.all(node.map((item, i) => walk(item, [...path, i])));
    if (node !== null && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) out[key] = await walk(value, [...path, key]);
      return out;
    }
    return node;
  }

  const value = await walk(tree, []);
  return { value, secrets, problems, failedPaths };
}

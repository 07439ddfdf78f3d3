/**
 * SQL text helpers. Identifiers are always quoted (names with spaces, quotes, capitals, reserved
 * words or non-ASCII work as is); values never go into SQL text: they are bind parameters.
 */

/** `name` as a quoted identifier: `a"b` → `"a""b"`. Throws on NUL, which PostgreSQL rejects. */
export function quoteIdent(name: string): string {
  if (name.includes('\0')) throw new Error(`postgres identifier contains NUL: ${JSON.stringify(name)}`);
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."table"`, both parts quoted. */
export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/**
 * `COPY (SELECT <exprs> FROM "s"."t" [WHERE <where>]) TO STDOUT (FORMAT binary)`. `selectExprs`
 * and `where` must already be safe SQL (quoted identifiers, no values: COPY takes no parameters).
 */
export function copyBinarySql(schema: string, table: string, selectExprs: readonly string[], where?: string): string {
  const whereSql = where === undefined ? '' : ` WHERE ${where}`;
  return `COPY (SELECT ${selectExprs.join(', ')} FROM ${qualifiedName(schema, table)}${whereSql}) TO STDOUT (FORMAT binary)`;
}

/**
 * PostgreSQL's array output format (`array_out`): an optional `[lo:hi]=` bounds prefix, braces
 * per dimension, elements separated by the type's delimiter, `"quoted"` with backslash escapes
 * when they hold special characters, unquoted `NULL` for null. Only output is parsed (no
 * whitespace tolerance beyond what array_out emits).
 */

/** A parsed array: its dimension count and, flattened in order, the element texts (null = NULL). */
export interface PgArrayText {
  readonly dimensions: number;
  readonly items: (string | null)[];
}

/** Parses `text` as array_out prints it; throws an Error naming the text when malformed. */
export function parsePgArray(text: string, delimiter = ','): PgArrayText {
  let i = 0;
  if (text.startsWith('[')) {
    const eq = text.indexOf('=');
    if (eq < 0) throw new Error(`postgres array text ${JSON.stringify(text.slice(0, 40))}: bounds without '='`);
    i = eq + 1;
  }
  const items: (string | null)[] = [];
  let depth = 0;
  let dimensions = 0;
  const fail = (why: string) => new Error(`postgres array text ${JSON.stringify(text.slice(0, 40))}: ${why} at ${i}`);
  while (i < text.length) {
    const c = text[i]!;
    if (c === '{') {
      depth++;
      dimensions = Math.max(dimensions, depth);
      i++;
    } else if (c === '}') {
      depth--;
      i++;
    } else if (c === delimiter) {
      i++;
    } else if (c === '"') {
      let out = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\') i++;
        out += text[i]!;
        i++;
      }
      if (i >= text.length) throw fail('unterminated quoted element');
      i++;
      items.push(out);
    } else {
      let j = i;
      while (j < text.length && text[j] !== delimiter && text[j] !== '}') j++;
      const raw = text.slice(i, j);
      items.push(raw === 'NULL' ? null : raw);
      i = j;
    }
    if (depth < 0) throw fail('unbalanced braces');
  }
  if (depth !== 0) throw fail('unbalanced braces');
  return { dimensions: items.length === 0 ? Math.min(dimensions, 1) : dimensions, items };
}

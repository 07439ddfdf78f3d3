/**
 * pgoutput protocol version 1 messages (PostgreSQL "Logical Replication Message Formats") as
 * plain data, with column values kept as PostgreSQL's text (no type parsing here: the column's
 * converter does that exactly, see pg-text-codecs.ts). LSNs are bigint. Unchanged TOAST values
 * are `UNCHANGED`, nulls `null`.
 */

/** Marker for a column sent as 'u': an unchanged TOASTed value that was not sent. */
export const UNCHANGED: unique symbol = Symbol('unchanged-toast');

/** One tuple's values by column position: text, null, or UNCHANGED. */
export type TupleValue = string | null | typeof UNCHANGED;

export interface RelationColumn {
  readonly name: string;
  readonly isKey: boolean; // part of the replica identity
  readonly typeOid: number;
  readonly typeMod: number;
}

export interface RelationMessage {
  readonly tag: 'relation';
  readonly relationId: number;
  readonly schema: string;
  readonly name: string;
  readonly replicaIdentity: 'default' | 'nothing' | 'full' | 'index';
  readonly columns: readonly RelationColumn[];
}

export type PgoutputMessage =
  | { readonly tag: 'begin'; readonly finalLsn: bigint; readonly commitTimeMs: number; readonly xid: number }
  | { readonly tag: 'commit'; readonly commitLsn: bigint; readonly endLsn: bigint; readonly commitTimeMs: number }
  | RelationMessage
  | { readonly tag: 'insert'; readonly relationId: number; readonly newTuple: TupleValue[] }
  | { readonly tag: 'update'; readonly relationId: number; readonly oldKind: 'K' | 'O' | null; readonly oldTuple: TupleValue[] | null; readonly newTuple: TupleValue[] }
  | { readonly tag: 'delete'; readonly relationId: number; readonly oldKind: 'K' | 'O'; readonly oldTuple: TupleValue[] }
  | { readonly tag: 'truncate'; readonly relationIds: number[]; readonly cascade: boolean; readonly restartIdentity: boolean }
  | { readonly tag: 'message'; readonly transactional: boolean; readonly lsn: bigint; readonly prefix: string; readonly content: Buffer }
  | { readonly tag: 'type' | 'origin' };

/** PostgreSQL timestamps (µs since 2000-01-01) → ms since 1970. */
const PG_EPOCH_MS = 946_684_800_000;
const IDENTITY = { d: 'default', n: 'nothing', f: 'full', i: 'index' } as const;

class Reader {
  p = 0;
  constructor(readonly b: Buffer) {}
  u8(): number {
    return this.b[this.p++]!;
  }
  i16(): number {
    const v = this.b.readInt16BE(this.p);
    this.p += 2;
    return v;
  }
  i32(): number {
    const v = this.b.readInt32BE(this.p);
    this.p += 4;
    return v;
  }
  u64(): bigint {
    const v = this.b.readBigUInt64BE(this.p);
    this.p += 8;
    return v;
  }
  timeMs(): number {
    const v = this.b.readBigInt64BE(this.p);
    this.p += 8;
    return Number(v / 1000n) + PG_EPOCH_MS;
  }
  str(): string {
    const end = this.b.indexOf(0, this.p);
    if (end < 0) throw new Error(`pgoutput: unterminated string at byte ${this.p}`);
    const s = this.b.toString('utf8', this.p, end);
    this.p = end + 1;
    return s;
  }
  tuple(): TupleValue[] {
    const n = this.i16();
    const out: TupleValue[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const kind = this.u8();
      if (kind === 0x74 /* t */) {
        const len = this.i32();
        out[i] = this.b.toString('utf8', this.p, this.p + len);
        this.p += len;
      } else if (kind === 0x6e /* n */) out[i] = null;
      else if (kind === 0x75 /* u */) out[i] = UNCHANGED;
      else throw new Error(`pgoutput: column ${i} has kind ${JSON.stringify(String.fromCharCode(kind))} (binary mode is not used by floe)`);
    }
    return out;
  }
}

/** Parses one pgoutput message (the XLogData payload). Throws an Error naming the tag for malformed input. */
export function parsePgoutput(buf: Buffer): PgoutputMessage {
  const r = new Reader(buf);
  const tag = String.fromCharCode(r.u8());
  switch (tag) {
    case 'B':
      return { tag: 'begin', finalLsn: r.u64(), commitTimeMs: r.timeMs(), xid: r.i32() >>> 0 };
    case 'C': {
      r.u8(); // flags, unused
      return { tag: 'commit', commitLsn: r.u64(), endLsn: r.u64(), commitTimeMs: r.timeMs() };
    }
    case 'R': {
      const relationId = r.i32() >>> 0;
      const schema = r.str();
      const name = r.str();
      const ident = String.fromCharCode(r.u8()) as keyof typeof IDENTITY;
      const n = r.i16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < n; i++) {
        const flags = r.u8();
        columns.push({ isKey: (flags & 1) === 1, name: r.str(), typeOid: r.i32() >>> 0, typeMod: r.i32() });
      }
      return { tag: 'relation', relationId, schema, name, replicaIdentity: IDENTITY[ident] ?? 'default', columns };
    }
    case 'I': {
      const relationId = r.i32() >>> 0;
      r.u8(); // 'N'
      return { tag: 'insert', relationId, newTuple: r.tuple() };
    }
    case 'U': {
      const relationId = r.i32() >>> 0;
      let kind = String.fromCharCode(r.u8());
      let oldTuple: TupleValue[] | null = null;
      let oldKind: 'K' | 'O' | null = null;
      if (kind === 'K' || kind === 'O') {
        oldKind = kind;
        oldTuple = r.tuple();
        kind = String.fromCharCode(r.u8());
      }
      if (kind !== 'N') throw new Error(`pgoutput: update of relation ${relationId} without new tuple (got ${JSON.stringify(kind)})`);
      return { tag: 'update', relationId, oldKind, oldTuple, newTuple: r.tuple() };
    }
    case 'D': {
      const relationId = r.i32() >>> 0;
      const kind = String.fromCharCode(r.u8());
      if (kind !== 'K' && kind !== 'O') throw new Error(`pgoutput: delete of relation ${relationId} with old tuple kind ${JSON.stringify(kind)}`);
      return { tag: 'delete', relationId, oldKind: kind, oldTuple: r.tuple() };
    }
    case 'T': {
      const n = r.i32();
      const flags = r.u8();
      const relationIds: number[] = [];
      for (let i = 0; i < n; i++) relationIds.push(r.i32() >>> 0);
      return { tag: 'truncate', relationIds, cascade: (flags & 1) !== 0, restartIdentity: (flags & 2) !== 0 };
    }
    case 'M': {
      const flags = r.u8();
      const lsn = r.u64();
      const prefix = r.str();
      const len = r.i32();
      return { tag: 'message', transactional: (flags & 1) !== 0, lsn, prefix, content: buf.subarray(r.p, r.p + len) };
    }
    case 'Y':
      return { tag: 'type' };
    case 'O':
      return { tag: 'origin' };
    default:
      throw new Error(`pgoutput: unknown message tag ${JSON.stringify(tag)} (${buf.length} bytes)`);
  }
}

export { formatLsn, parseLsn } from '../../core/lsn.ts';

/**
 * The FileIO contract as one test body; every implementation runs it against itself
 * (see file-io.test.ts). `root()` returns a fresh base URI (no trailing slash) per test.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlreadyExistsError, CorruptFileError, NotFoundError } from '../../src/core/errors.ts';
import type { FileIO } from '../../src/io/file-io.ts';

/** What a suite run needs: the IO and a fresh directory-like URI prefix per test. */
export interface FileIOTarget {
  readonly name: string;
  readonly io: FileIO;
  root(): Promise<string>;
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Registers the conformance tests for one FileIO. */
export function fileIOConformance(t: FileIOTarget): void {
  const { io } = t;
  describe(`FileIO conformance: ${t.name}`, () => {
    it('writes, reads, sizes and ranges a file (creating parent directories)', async () => {
      const p = `${await t.root()}/a/b/c.bin`;
      await io.write(p, bytes('hello world'));
      assert.equal(text(await io.read(p)), 'hello world');
      assert.equal(await io.length(p), 11);
      assert.equal(text(await io.readRange(p, 6, 5)), 'world');
      assert.equal((await io.readRange(p, 11, 0)).length, 0);
      assert.equal(await io.exists(p), true);
    });

    it('write replaces an existing file', async () => {
      const p = `${await t.root()}/r.txt`;
      await io.write(p, bytes('first version, longer'));
      await io.write(p, bytes('second'));
      assert.equal(text(await io.read(p)), 'second');
    });

    it('missing files: NotFoundError naming the path; exists false; delete is a no-op', async () => {
      const p = `${await t.root()}/missing.json`;
      await assert.rejects(io.read(p), (e: unknown) => e instanceof NotFoundError && e.message.includes(p));
      await assert.rejects(io.length(p), NotFoundError);
      await assert.rejects(io.readRange(p, 0, 1), NotFoundError);
      assert.equal(await io.exists(p), false);
      await io.delete(p);
    });

    it('readRange past the end fails naming the file', async () => {
      const p = `${await t.root()}/short.bin`;
      await io.write(p, bytes('abc'));
      await assert.rejects(io.readRange(p, 2, 5), (e: unknown) => e instanceof CorruptFileError && e.message.includes(p));
    });

    it('writeNew creates once and refuses to replace', async () => {
      const p = `${await t.root()}/v1.metadata.json`;
      await io.writeNew(p, bytes('one'));
      await assert.rejects(io.writeNew(p, bytes('two')), (e: unknown) => e instanceof AlreadyExistsError && e.message.includes(p));
      assert.equal(text(await io.read(p)), 'one');
    });

    it('of many racing writeNew calls exactly one wins, and its bytes are the file', async () => {
      const p = `${await t.root()}/race.json`;
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => io.writeNew(p, bytes(`writer-${i}`))));
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      assert.equal(won.length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof AlreadyExistsError);
      assert.equal(text(await io.read(p)), `writer-${won[0]}`);
    });

    it('openOutput publishes only on close and reports positions', async () => {
      const p = `${await t.root()}/stream.bin`;
      const out = await io.openOutput(p);
      await out.write(bytes('abc'));
      await out.write(bytes('defg'));
      assert.equal(out.position, 7);
      assert.equal(await io.exists(p), false);
      assert.equal(await out.close(), 7);
      assert.equal(text(await io.read(p)), 'abcdefg');
    });

    it('openOutput abort leaves the previous file untouched', async () => {
      const p = `${await t.root()}/keep.bin`;
      await io.write(p, bytes('old'));
      const out = await io.openOutput(p);
      await out.write(bytes('new partial'));
      await out.abort();
      assert.equal(text(await io.read(p)), 'old');
    });

    it('delete removes a file', async () => {
      const p = `${await t.root()}/gone.bin`;
      await io.write(p, bytes('x'));
      await io.delete(p);
      assert.equal(await io.exists(p), false);
    });

    it('stored bytes do not alias the caller buffer', async () => {
      const p = `${await t.root()}/alias.bin`;
      const buf = bytes('abc');
      await io.write(p, buf);
      buf[0] = 0x7a;
      const got = await io.read(p);
      assert.equal(text(got), 'abc');
    });
  });
}

/** Runs the FileIO conformance suite against every implementation, plus registry checks. */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../../src/core/errors.ts';
import { LocalFileIO } from '../../src/io/local-file-io.ts';
import { MemoryFileIO } from '../../src/io/memory-file-io.ts';
import { fileIOFor, schemeOf } from '../../src/io/registry.ts';
import { fileIOConformance } from './file-io.conformance.ts';

const base = await mkdtemp(join(tmpdir(), 'floe-fileio-'));
after(() => rm(base, { recursive: true, force: true }));
let n = 0;

fileIOConformance({ name: 'local (absolute paths)', io: new LocalFileIO(), root: async () => join(base, `abs-${n++}`) });
fileIOConformance({
  name: 'local (file:// URIs)',
  io: new LocalFileIO(),
  root: async () => pathToFileURL(join(base, `uri-${n++}`)).href,
});
fileIOConformance({ name: 'memory', io: new MemoryFileIO(), root: async () => `memory://bucket/t${n++}` });

describe('LocalFileIO specifics', () => {
  it('leaves no temp files behind after writes, failed writeNew and aborted outputs', async () => {
    const io = new LocalFileIO();
    const dir = join(base, 'clean');
    await io.write(join(dir, 'a'), new Uint8Array([1]));
    await io.writeNew(join(dir, 'b'), new Uint8Array([2]));
    await io.writeNew(join(dir, 'b'), new Uint8Array([3])).catch(() => undefined);
    const out = await io.openOutput(join(dir, 'c'));
    await out.abort();
    assert.deepEqual((await readdir(dir)).sort(), ['a', 'b']);
  });

  it('accepts Hadoop-style file:/path URIs', async () => {
    const io = new LocalFileIO();
    const p = join(base, 'hadoop.txt');
    await io.write(`file:${p}`, new Uint8Array([9]));
    assert.deepEqual([...(await io.read(p))], [9]);
    assert.equal(io.localPath(`file:${p}`), p);
    assert.equal(io.localPath('s3://b/k'), undefined);
  });
});

describe('fileIOFor', () => {
  it('picks implementations by scheme', () => {
    assert.ok(fileIOFor('/tmp/x') instanceof LocalFileIO);
    assert.ok(fileIOFor('file:///tmp/x') instanceof LocalFileIO);
    assert.ok(fileIOFor('memory://w/x') instanceof MemoryFileIO);
    assert.equal(fileIOFor('memory://a'), fileIOFor('memory://b'));
    assert.equal(schemeOf('S3://b/k'), 's3');
  });

  it('names an unknown scheme in a ConfigError', () => {
    assert.throws(() => fileIOFor('gopher://host/x'), (e: unknown) => e instanceof ConfigError && e.message.includes('"gopher"'));
    assert.throws(() => fileIOFor('relative/path'), ConfigError);
  });
});

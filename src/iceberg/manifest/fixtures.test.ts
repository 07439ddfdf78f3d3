/**
 * Golden files in test/fixtures/avro: manifest lists and manifests written by pyiceberg
 * (make_pyiceberg_fixtures.py) and by floe (make_floe_fixtures.ts), each list with a .json of
 * what pyiceberg reads back (canonical.py; fastavro also decodes them and sees every field id).
 * floe must read the same, and, rewriting the same entries, compute the same counts and
 * partition summaries.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '../../core/errors.ts';
import { MemoryFileIO } from '../../io/memory-file-io.ts';
import { decodeAvroFile } from '../avro/container.ts';
import { parseJsonLossless } from '../spec/lossless-json.ts';
import { partitionFieldsFromJson, schemaFromJson } from '../spec/schema-json.ts';
import type { IcebergValue, ManifestEntry, ManifestFile } from '../spec/types.ts';
import { readManifestList } from './manifest-list.ts';
import { readManifest } from './manifest-reader.ts';
import { writeManifest } from './manifest-writer.ts';
import type { FileIO } from '../../io/file-io.ts';

const DIR = fileURLToPath(new URL('../../../test/fixtures/avro/', import.meta.url));

/** Reads fixtures by basename, whatever directory the writer recorded in the list. */
function fixtureIO(): FileIO {
  const io = new MemoryFileIO();
  const read = async (path: string): Promise<Uint8Array> => {
    try {
      return new Uint8Array(readFileSync(join(DIR, basename(path))));
    } catch (cause) {
      throw new NotFoundError(`fixture ${path} does not exist`, { cause });
    }
  };
  return Object.assign(io, { read });
}

// Canonical form of canonical.py. Floats print like Python's repr for the values the fixtures
// use (non-integral, NaN, -0.0); an integral float would print without ".0" here.
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
function value(v: IcebergValue | undefined): unknown {
  if (v === null || v === undefined || typeof v === 'boolean' || typeof v === 'string') return v ?? null;
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0.0' : String(v);
  if (v instanceof Uint8Array) return hex(v);
  throw new TypeError(`no canonical form for ${String(v)}`);
}
function intMap<V>(m: ReadonlyMap<number, V> | undefined, conv: (v: V) => unknown): unknown {
  return m === undefined ? null : Object.fromEntries([...m].sort(([a], [b]) => a - b).map(([k, v]) => [String(k), conv(v)]));
}

function canonicalManifest(m: ManifestFile): unknown {
  return {
    manifest_path: basename(m.manifestPath),
    manifest_length: value(m.manifestLength),
    partition_spec_id: value(m.partitionSpecId),
    content: value(m.content),
    sequence_number: value(m.sequenceNumber),
    min_sequence_number: value(m.minSequenceNumber),
    added_snapshot_id: value(m.addedSnapshotId),
    counts: [m.addedFilesCount, m.existingFilesCount, m.deletedFilesCount, m.addedRowsCount, m.existingRowsCount, m.deletedRowsCount].map(value),
    partitions:
      m.partitions?.map((s) => ({
        contains_null: s.containsNull,
        contains_nan: s.containsNan ?? null,
        lower_bound: s.lowerBound === undefined ? null : hex(s.lowerBound),
        upper_bound: s.upperBound === undefined ? null : hex(s.upperBound),
      })) ?? null,
  };
}

function canonicalEntry(e: ManifestEntry): unknown {
  const f = e.dataFile;
  return {
    status: value(e.status),
    snapshot_id: value(e.snapshotId),
    sequence_number: value(e.sequenceNumber),
    file_sequence_number: value(e.fileSequenceNumber),
    data_file: {
      content: value(f.content),
      file_path: f.filePath,
      file_format: f.fileFormat,
      partition: f.partition.map(value),
      record_count: value(f.recordCount),
      file_size_in_bytes: value(f.fileSizeInBytes),
      column_sizes: intMap(f.columnSizes, value),
      value_counts: intMap(f.valueCounts, value),
      null_value_counts: intMap(f.nullValueCounts, value),
      nan_value_counts: intMap(f.nanValueCounts, value),
      lower_bounds: intMap(f.lowerBounds, hex),
      upper_bounds: intMap(f.upperBounds, hex),
      split_offsets: f.splitOffsets?.map(value) ?? null,
      sort_order_id: value(f.sortOrderId),
    },
  };
}

interface Expectation {
  header: Record<string, string>;
  manifest_headers: Record<string, Record<string, string>>;
  manifests: unknown[];
  entries: Record<string, unknown[]>;
}

const lists = readdirSync(DIR).filter((n) => n.endsWith('-list.json'));

test('fixtures exist', () => assert.ok(lists.length >= 2, `no *-list.json in ${DIR}`));

for (const json of lists) {
  const listFile = json.replace(/\.json$/, '.avro');
  const expected = JSON.parse(readFileSync(join(DIR, json), 'utf8')) as Expectation;

  test(`${listFile}: floe reads what pyiceberg reads`, async () => {
    const io = fixtureIO();
    const manifests = await readManifestList(io, `file:///anywhere/${listFile}`);
    assert.deepEqual(manifests.map(canonicalManifest), expected.manifests);
    assert.deepEqual(icebergHeader(await io.read(listFile), listFile), expected.header);
    for (const m of manifests) {
      const entries = await readManifest(io, m);
      const name = basename(m.manifestPath);
      assert.deepEqual(entries.map(canonicalEntry), expected.entries[name]);
      assert.deepEqual(icebergHeader(await io.read(name), name), expected.manifest_headers[name]);
    }
  });

  test(`${listFile}: floe rewrites its entries with the same counts and partition summaries`, async () => {
    const io = fixtureIO();
    for (const listed of await readManifestList(io, listFile)) await rewriteMatches(io, listed, expected);
  });
}

/** Header keys other than avro.*, as read by floe. */
function icebergHeader(bytes: Uint8Array, file: string): Record<string, string> {
  return Object.fromEntries([...decodeAvroFile(bytes, file).metadata].filter(([k]) => !k.startsWith('avro.')));
}

/** Writing a manifest's entries anew gives the counts and summaries its writer computed. */
async function rewriteMatches(io: FileIO, listed: ManifestFile, expected: Expectation): Promise<void> {
  const header = decodeAvroFile(await io.read(listed.manifestPath), listed.manifestPath).metadata;
  const schema = schemaFromJson(parseJsonLossless(header.get('schema') ?? '', 'schema'), 'fixture');
  const fields = partitionFieldsFromJson(parseJsonLossless(header.get('partition-spec') ?? '', 'spec'), 'fixture');
  const spec = { specId: listed.partitionSpecId, fields };
  const entries = await readManifest(io, listed);
  const out = new MemoryFileIO();
  const ours = await writeManifest(out, 'memory://rewritten.avro', { schema, spec, content: listed.content, snapshotId: listed.addedSnapshotId, entries });
  const theirs = canonicalManifest(listed) as Record<string, unknown>;
  const mine = canonicalManifest(ours) as Record<string, unknown>;
  assert.deepEqual(mine.counts, theirs.counts);
  assert.deepEqual(mine.partitions, theirs.partitions);
  const back = await readManifest(out, { ...ours, sequenceNumber: listed.sequenceNumber });
  assert.deepEqual(back.map(canonicalEntry), expected.entries[basename(listed.manifestPath)]);
}

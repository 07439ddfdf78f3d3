/**
 * Scan planning: which data files of a snapshot to read and which position deletes may apply
 * to each. Reading manifests is the only effect; pairing files with deletes is pure.
 */
import type { FileIO } from '../../io/file-io.ts';
import { readManifestList } from '../manifest/manifest-list.ts';
import { readManifest } from '../manifest/manifest-reader.ts';
import { EntryStatus, FileContent, ManifestContent, type DataFile, type ManifestEntry, type TableMetadata } from '../spec/types.ts';
import { currentSchema, currentSnapshot, snapshotById, specById } from './metadata-access.ts';
import { fileMightMatch, type Filter } from './predicate.ts';

/** One data file to read and the position delete files that may hold deletes for it. */
export interface FileScanTask {
  readonly dataFile: DataFile;
  readonly dataSequenceNumber: number;
  readonly deletes: readonly DataFile[];
}

/** Live entries of a snapshot's manifests, data and deletes apart. */
export interface LiveFiles {
  readonly data: readonly ManifestEntry[];
  readonly deletes: readonly ManifestEntry[];
}

/** Reads the manifests of a snapshot and keeps live (added or existing) entries. */
export async function liveFiles(io: FileIO, metadata: TableMetadata, snapshotId?: bigint): Promise<LiveFiles> {
  const snapshot = snapshotId === undefined ? currentSnapshot(metadata) : snapshotById(metadata, snapshotId);
  if (snapshot === undefined) return { data: [], deletes: [] };
  const data: ManifestEntry[] = [];
  const deletes: ManifestEntry[] = [];
  for (const manifest of await readManifestList(io, snapshot.manifestList)) {
    const target = manifest.content === ManifestContent.Data ? data : deletes;
    for (const entry of await readManifest(io, manifest)) {
      if (entry.status !== EntryStatus.Deleted) target.push(entry);
    }
  }
  return { data, deletes };
}

function partitionKey(file: DataFile): string {
  return `${file.specId}|${file.partition.map((v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : String(v))).join('|')}`;
}

/**
 * Pairs data files with the position deletes that may apply: same spec and partition, a data
 * sequence number at or above the data file's, and the same referenced file when one is named.
 * Equality deletes are refused: floe never writes them and cannot apply them.
 */
export function planTasks(metadata: TableMetadata, files: LiveFiles, filter: Filter = []): FileScanTask[] {
  const schema = currentSchema(metadata);
  const deletesByPartition = new Map<string, ManifestEntry[]>();
  for (const entry of files.deletes) {
    if (entry.dataFile.content === FileContent.EqualityDeletes) {
      throw new Error(`iceberg table ${metadata.location}: equality delete file ${entry.dataFile.filePath} is not supported`);
    }
    const key = partitionKey(entry.dataFile);
    const list = deletesByPartition.get(key) ?? [];
    list.push(entry);
    deletesByPartition.set(key, list);
  }
  const tasks: FileScanTask[] = [];
  for (const entry of files.data) {
    const file = entry.dataFile;
    if (!fileMightMatch(schema, specById(metadata, file.specId), filter, file)) continue;
    const dataSequenceNumber = entry.sequenceNumber ?? 0;
    const deletes = (deletesByPartition.get(partitionKey(file)) ?? [])
      .filter((d) => (d.sequenceNumber ?? 0) >= dataSequenceNumber)
      .filter((d) => d.dataFile.referencedDataFile === undefined || d.dataFile.referencedDataFile === file.filePath)
      .map((d) => d.dataFile);
    tasks.push({ dataFile: file, dataSequenceNumber, deletes });
  }
  return tasks;
}


/**
 * Page compression for the flat Parquet encoder. ZSTD goes through zstd-napi's low-level
 * binding (one reused compression context and output buffer: no allocation per page); SNAPPY
 * uses hyparquet-writer's JS implementation (the codec floe offers for compatibility, not
 * speed); UNCOMPRESSED hands the bytes back.
 */
import { createRequire } from 'node:module';
import { snappyCompress } from 'hyparquet-writer/src/snappy.js';

type ZstdBinding = typeof import('zstd-napi/binding.js');
const zstd = createRequire(import.meta.url)('zstd-napi/binding.js') as ZstdBinding;

/** Parquet codec names the encoder writes, with their footer enum values. */
export const CODEC_IDS = { UNCOMPRESSED: 0, SNAPPY: 1, ZSTD: 6 } as const;
export type PageCodec = keyof typeof CODEC_IDS;

/** zstd level 1: Iceberg's default codec at the fastest level (level 3 measured ~same size here, slower). */
export const ZSTD_LEVEL = 1;

/** Compresses page bodies; the result is valid until the next call. */
export interface PageCompressor {
  readonly codec: PageCodec;
  compress(src: Uint8Array): Uint8Array;
}

class ZstdCompressor implements PageCompressor {
  readonly codec = 'ZSTD';
  private readonly cctx = new zstd.CCtx();
  private dst = Buffer.allocUnsafe(0);

  compress(src: Uint8Array): Uint8Array {
    const bound = zstd.compressBound(src.length);
    if (this.dst.length < bound) this.dst = Buffer.allocUnsafe(Math.max(bound, 64 * 1024));
    const n = this.cctx.compress(this.dst, src, ZSTD_LEVEL);
    return this.dst.subarray(0, n);
  }
}

/** A compressor for `codec` (one per file writer: the zstd context is not shared across threads' files). */
export function pageCompressor(codec: PageCodec): PageCompressor {
  if (codec === 'ZSTD') return new ZstdCompressor();
  if (codec === 'SNAPPY') return { codec, compress: (src) => snappyCompress(src) };
  return { codec, compress: (src) => src };
}

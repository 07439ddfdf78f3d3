import { test } from 'node:test';
import assert from 'node:assert/strict';
import { murmur3Hash32, murmur3HashLong } from './murmur3.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);

test('spec Appendix B vectors', () => {
  assert.equal(murmur3HashLong(34n), 2017239379); // int and long 34
  assert.equal(murmur3HashLong(34), 2017239379);
  assert.equal(murmur3Hash32(utf8('iceberg')), 1210000089);
  assert.equal(murmur3Hash32(Uint8Array.of(0, 1, 2, 3)), -188683207);
  assert.equal(murmur3HashLong(1), 1392991556); // boolean true: spec says hashInt, Java hashes 8 bytes
  assert.equal(murmur3HashLong(17486), -653330422); // date 2017-11-16
  assert.equal(murmur3HashLong(0x3ff0000000000000n), -142385009); // 1.0D bits
  assert.equal(murmur3HashLong(0n), 1669671676); // 0.0D bits
});

test('every tail length (0..3 trailing bytes) matches reference values', () => {
  // Reference values of the canonical MurmurHash3_x86_32 (seed 0).
  assert.equal(murmur3Hash32(new Uint8Array(0)), 0);
  assert.equal(murmur3Hash32(utf8('a')) >>> 0, 0x3c2569b2);
  assert.equal(murmur3Hash32(utf8('ab')) >>> 0, 0x9bbfd75f);
  assert.equal(murmur3Hash32(utf8('abc')) >>> 0, 0xb3dd93fa);
  assert.equal(murmur3Hash32(utf8('abcd')) >>> 0, 0x43ed676a);
  assert.equal(murmur3Hash32(utf8('Hello, world!')) >>> 0, 0xc0363e43);
});

test('negative longs hash their two-complement bytes', () => {
  const bytes = new Uint8Array(8).fill(0xff);
  assert.equal(murmur3HashLong(-1n), murmur3Hash32(bytes));
});

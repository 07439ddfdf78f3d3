/**
 * The flat image scan must read exactly what JSON.parse reads (values, member order, a later
 * member of the same name replacing an earlier one) and give up on every form outside it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scanFlatImage } from './image-scan.ts';

/** Scans `text` placed inside other bytes (as a record's image is); undefined when the scan gave up. */
function scan(text: string): unknown {
  const bytes = Buffer.from(`xx${text},"source":{`);
  return scanFlatImage(bytes as Parameters<typeof scanFlatImage>[0], 2, 2 + Buffer.byteLength(text));
}

/** Asserts the scan agrees with JSON.parse; returns whether it read the image. */
function agrees(text: string): boolean {
  const scanned = scan(text);
  if (scanned === undefined) return false;
  const parsed: unknown = JSON.parse(text);
  assert.deepStrictEqual(scanned, parsed, text);
  assert.deepEqual(Object.keys(scanned as object), Object.keys(parsed as object), text);
  return true;
}

describe('Debezium flat image scan', () => {
  const read = [
    '{}',
    '{"id":77,"name":"name 77 4radtxpu"}',
    '{"id":-5,"v":null,"ok":true,"no":false,"z":0,"e":""}',
    '{"id":999999999999999,"n":-999999999999999}',
    '{"a":1,"a":2}',
    '{"2":"b","1":"a","x":"~ !#$%&\'()*+,-./:;<=>?@[]^_`{|}\x7f"}',
    '{"":1}',
  ];
  for (const text of read) it(`reads ${text} as JSON.parse does`, () => assert.ok(agrees(text)));

  it('reads the same names by position again, and new ones when they change', () => {
    assert.ok(agrees('{"id":1,"name":"a"}'));
    assert.ok(agrees('{"id":2,"name":"b"}'));
    assert.ok(agrees('{"ic":2,"name":"b"}'));
    assert.ok(agrees('{"id":2,"nam":"b","x":1}'));
  });

  const refused = [
    '{"id":1.5}', '{"id":1e3}', '{"id":-0}', '{"id":01}', '{"id":1234567890123456}', '{"id":-}',
    '{"s":"a\\"b"}', '{"s":"é"}', '{"s":"a\tb"}', '{"\\u0069d":1}',
    '{"a":{"b":1}}', '{"a":[1]}', '{"__proto__":1}',
    '{ "id":1}', '{"id": 1}', '{"id":1 }', '{"id":1,}', '{"id":nul}', '{"id":tru}', '{"id":fals}', '{"id":1', '{"id"1}', 'null', '[]', '{',
  ];
  for (const text of refused) {
    it(`leaves ${text} to JSON.parse`, () => assert.equal(scan(text), undefined));
  }

  it('agrees with JSON.parse on random flat images (or gives up)', () => {
    const atoms = ['0', '7', '-12', '123456789012345', '1234567890123456', '1.5', 'null', 'true', 'false', '"x"', '""', '"a b"', '"\\n"', '"é"', '{}', '[]'];
    const keys = ['id', 'name', 'a', '', '1', 'id'];
    let readCount = 0;
    let seed = 7;
    const next = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let i = 0; i < 2000; i++) {
      const members = Array.from({ length: next(5) }, () => `"${keys[next(keys.length)]}":${atoms[next(atoms.length)]}`);
      const text = `{${members.join(',')}}`;
      if (agrees(text)) readCount += 1;
    }
    assert.ok(readCount > 500, `only ${readCount} of 2000 read`);
  });
});

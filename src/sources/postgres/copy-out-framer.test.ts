import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CopyOutFramer } from './copy-out-framer.ts';

function message(code: string, body: Uint8Array): Buffer {
  const b = Buffer.alloc(5 + body.length);
  b[0] = code.charCodeAt(0);
  b.writeInt32BE(4 + body.length, 1);
  b.set(body, 5);
  return b;
}

const rowBytes = (i: number, len: number) => Uint8Array.from({ length: len }, (_, k) => (i * 31 + k) & 0xff);

/** A COPY OUT conversation: CopyOutResponse, data (rows of varied sizes, a notice in between), CopyDone, CommandComplete. */
function conversation(): { wire: Buffer; payload: Buffer; restStart: number } {
  const rows = Array.from({ length: 40 }, (_, i) => rowBytes(i, [0, 1, 7, 95, 96, 97, 300][i % 7]!));
  const parts = [message('H', Uint8Array.from([1, 0, 0]))];
  rows.forEach((r, i) => {
    parts.push(message('d', r));
    if (i === 17) parts.push(message('N', Buffer.from('Snotice\0\0')), message('S', Buffer.from('a\0b\0')));
  });
  const before = Buffer.concat(parts);
  const tail = Buffer.concat([message('c', new Uint8Array(0)), message('C', Buffer.from('COPY 40\0'))]);
  return { wire: Buffer.concat([before, tail]), payload: Buffer.concat(rows), restStart: before.length };
}

test('CopyOutFramer: payloads concatenated and the rest handed back, whatever the chunk boundaries', () => {
  const { wire, payload, restStart } = conversation();
  for (const size of [1, 2, 3, 4, 5, 6, 7, 64, 97, 101, 4096, wire.length]) {
    const framer = new CopyOutFramer('t chunk 00001');
    const out: Buffer[] = [];
    let rest = Buffer.alloc(0);
    for (let at = 0; at < wire.length; at += size) {
      const chunk = Buffer.from(wire.subarray(at, at + size)); // owned copy: the framer writes into it
      if (framer.stopped) {
        rest = Buffer.concat([rest, chunk]);
        continue;
      }
      out.push(Buffer.from(framer.push(chunk)));
      if (framer.stopped) rest = Buffer.from(framer.rest);
    }
    assert.ok(framer.stopped, `chunk size ${size}`);
    assert.equal(framer.stopCode, 'c'.charCodeAt(0));
    assert.deepEqual(Buffer.concat(out), payload, `chunk size ${size}`);
    assert.equal(framer.payloadBytes, payload.length);
    assert.deepEqual(rest, wire.subarray(restStart), `chunk size ${size}`);
  }
});

test('CopyOutFramer: an ErrorResponse before or during the data stops at its first byte', () => {
  const err = message('E', Buffer.from('SERROR\0C42P01\0\0'));
  const early = new CopyOutFramer('t');
  assert.equal(early.push(Buffer.from(err)).length, 0);
  assert.equal(early.stopCode, 'E'.charCodeAt(0));
  assert.deepEqual(early.rest, err);
  const mid = new CopyOutFramer('t');
  const data = mid.push(Buffer.concat([message('H', new Uint8Array(3)), message('d', Uint8Array.from([9, 8, 7])), err]));
  assert.deepEqual([...data], [9, 8, 7]);
  assert.deepEqual(mid.rest, err);
  assert.equal(mid.push(Buffer.from([1, 2, 3])).length, 0, 'nothing after a stop');
});

test('CopyOutFramer: a message length below 4 is corrupt, naming the COPY and the message', () => {
  const bad = Buffer.from([0x64, 0, 0, 0, 3]);
  assert.throws(() => new CopyOutFramer('s.t chunk 00002').push(bad), /COPY OUT of s\.t chunk 00002: message 'd' has length 3/);
});

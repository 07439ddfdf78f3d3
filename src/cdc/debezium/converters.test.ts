/** Value converters: exact decimals, intervals, geometry, binary modes, infinity rules. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convertValue } from './converters.ts';
import { rescale, twosComplement } from './numeric-converters.ts';
import { binaryBytes, geometryText, intervalText, microDurationText } from './text-converters.ts';
import { DEFAULT_DECODE_OPTIONS } from './types.ts';

const opts = DEFAULT_DECODE_OPTIONS;

describe('Debezium value converters', () => {
  it('two-complement bytes and exact rescaling (no rounding)', () => {
    assert.equal(twosComplement(Uint8Array.of(0xff)), -1n);
    assert.equal(twosComplement(Uint8Array.of(0x00, 0x80)), 128n);
    assert.equal(rescale({ unscaled: 15n, scale: 1 }, 3, 10), 1500n);
    assert.equal(rescale({ unscaled: 12300n * 10n ** 2046n, scale: 2046 }, 0, 7), 12300n);
    assert.throws(() => rescale({ unscaled: 15n, scale: 1 }, 0, 10), /more than 0 fraction digits/);
    assert.throws(() => rescale({ unscaled: 100n, scale: 0 }, 0, 2), /does not fit decimal\(2,0\)/);
  });

  it('decimal.handling.mode double and string into decimals; specials by rule', () => {
    const dec = { type: 'decimal', precision: 5, scale: 2 } as const;
    assert.equal(convertValue(1.25, dec, { type: 'float64' }, opts), 125n);
    assert.equal(convertValue('-1.5', dec, { type: 'string' }, opts), -150n);
    assert.throws(() => convertValue('NAN', dec, { type: 'string' }, opts), /NAN has no decimal equivalent/);
    assert.equal(convertValue('POSITIVE_INFINITY', dec, { type: 'string' }, { ...opts, numericSpecialValues: 'null' }), null);
    // Without schema or hint, precise mode text is base64 at the target scale.
    assert.equal(convertValue('MDk=', dec, undefined, opts), 12345n);
    assert.equal(convertValue('123.45', dec, undefined, { ...opts, decimalHandlingMode: 'string' }), 12345n);
  });

  it('intervals to PostgreSQL iso_8601 form; MicroDuration as seconds', () => {
    assert.equal(intervalText('P1Y2M-3DT4H5M6.789S'), 'P1Y2M-3DT4H5M6.789S');
    assert.equal(intervalText('P0Y0M0DT-4H-5M-6.500S'), 'PT-4H-5M-6.5S');
    assert.equal(intervalText('P0Y0M0DT0H0M0S'), 'PT0S');
    assert.equal(intervalText('P2Y0M0DT0H0M0S'), 'P2Y');
    assert.equal(microDurationText(-86_400_000_001), 'PT-86400.000001S');
    assert.equal(microDurationText(0), 'PT0S');
  });

  it('geometry: WKB + srid → hex EWKB as PostGIS prints it', () => {
    // POINT(1 2), little endian.
    const wkb = Buffer.from('0101000000000000000000f03f0000000000000040', 'hex').toString('base64');
    assert.equal(geometryText({ wkb, srid: null }), '0101000000000000000000F03F0000000000000040');
    assert.equal(geometryText({ wkb, srid: 4326 }), '0101000020E6100000000000000000F03F0000000000000040');
  });

  it('binary per schema type and binary.handling.mode', () => {
    assert.deepEqual(binaryBytes('AP8Q', 'bytes', { ...opts, binaryHandlingMode: 'hex' }), Uint8Array.of(0, 255, 16));
    assert.deepEqual(binaryBytes('00ff10', 'string', { ...opts, binaryHandlingMode: 'hex' }), Uint8Array.of(0, 255, 16));
    assert.deepEqual(binaryBytes('AP8Q', undefined, { ...opts, binaryHandlingMode: 'base64-url-safe' }), Uint8Array.of(0, 255, 16));
    assert.throws(() => binaryBytes('zz', 'string', { ...opts, binaryHandlingMode: 'hex' }), /expected hex/);
  });

  it('bit strings and other bytes are refused for string columns, not stored as base64', () => {
    assert.throws(() => convertValue('BQ==', { type: 'string' }, { type: 'bytes', name: 'io.debezium.data.Bits' }, opts), /Bits .* not supported/);
    assert.throws(() => convertValue('BQ==', { type: 'string' }, { type: 'bytes' }, opts), /bytes cannot go into a string column/);
  });

  it('infinity rules: clamp, null, error', () => {
    const ts = { type: 'timestamp' } as const;
    const s = { name: 'io.debezium.time.MicroTimestamp' };
    assert.equal(convertValue(9223372036825200000n, ts, s, opts), 253402300799999999n);
    assert.equal(convertValue(-9223372036832400000n, ts, s, { ...opts, infinity: 'null' }), null);
    assert.throws(() => convertValue('infinity', { type: 'timestamptz' }, { name: 'io.debezium.time.ZonedTimestamp' }, { ...opts, infinity: 'error' }), /infinity has no Iceberg equivalent/);
    assert.equal(convertValue(-2147472692, { type: 'date' }, { name: 'io.debezium.time.Date' }, opts), 2932896);
  });
});

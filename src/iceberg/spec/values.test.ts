import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bytesToUuid,
  civilToDays,
  daysToCivil,
  daysToIsoDate,
  decimalFromString,
  decimalToString,
  isoDateToDays,
  isoTimeToMicros,
  isoToMicros,
  microsToIso,
  microsToIsoTime,
  uuidToBytes,
} from './values.ts';

test('days <-> civil dates agree with JavaScript Date over 1600..2400', () => {
  for (let days = -135000; days <= 157000; days += 37) {
    const d = new Date(days * 86400000);
    assert.deepEqual(daysToCivil(days), { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
    assert.equal(civilToDays(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()), days);
  }
});

test('ISO dates, including before 1970, leap days and far years', () => {
  assert.equal(daysToIsoDate(0), '1970-01-01');
  assert.equal(daysToIsoDate(-1), '1969-12-31');
  assert.equal(daysToIsoDate(17486), '2017-11-16');
  assert.equal(daysToIsoDate(-719528), '0000-01-01');
  assert.equal(daysToIsoDate(2932897), '+10000-01-01');
  assert.equal(isoDateToDays('2000-02-29'), 11016);
  assert.equal(isoDateToDays('1900-03-01'), -25508);
  assert.equal(isoDateToDays('+10000-01-01'), 2932897);
  assert.throws(() => isoDateToDays('1900-02-29'), { name: 'BadEventError', message: /'1900-02-29' has no such calendar day/ });
  assert.throws(() => isoDateToDays('2017-13-01'), /no such calendar day/);
  assert.throws(() => isoDateToDays('2017-1-01'), /not ISO-8601/);
  assert.throws(() => isoDateToDays('2017-01-01x'), /trailing text 'x'/);
});

test('times of day', () => {
  assert.equal(microsToIsoTime(0n), '00:00:00.000000');
  assert.equal(microsToIsoTime(86399999999n), '23:59:59.999999');
  assert.equal(isoTimeToMicros('22:31:08'), 81068000000n);
  assert.equal(isoTimeToMicros('22:31'), 81060000000n);
  assert.equal(isoTimeToMicros('00:00:00.1'), 100000n);
  assert.equal(isoTimeToMicros('00:00:00.000001000'), 1n);
  assert.throws(() => isoTimeToMicros('00:00:00.0000001'), /sub-microsecond/);
  assert.throws(() => isoTimeToMicros('24:00:00'), /out of range/);
  assert.throws(() => microsToIsoTime(86400000000n), /outside one day/);
});

test('timestamps: exact µs, zones applied, floor before 1970', () => {
  assert.equal(microsToIso(0n), '1970-01-01T00:00:00.000000');
  assert.equal(microsToIso(-1n), '1969-12-31T23:59:59.999999');
  assert.equal(microsToIso(1510871468000001n, true), '2017-11-16T22:31:08.000001+00:00');
  assert.equal(isoToMicros('2017-11-16T22:31:08.000001'), 1510871468000001n);
  assert.equal(isoToMicros('2017-11-16 14:31:08.000001-08:00'), 1510871468000001n);
  assert.equal(isoToMicros('2017-11-17T04:01:08+05:30'), 1510871468000000n);
  assert.equal(isoToMicros('2017-11-16T22:31:08Z'), 1510871468000000n);
  assert.equal(isoToMicros('1969-12-31T23:59:59.999999'), -1n);
  assert.equal(isoToMicros('0001-01-01T00:00:00'), -62135596800000000n);
  const max = 2n ** 53n + 123n; // beyond double precision, still exact
  assert.equal(isoToMicros(microsToIso(max)), max);
  for (const bad of ['2017-11-16', '2017-11-16T25:00', '2017-11-16T10:00+5', 'x']) {
    assert.throws(() => isoToMicros(bad), { name: 'BadEventError', message: new RegExp(bad === 'x' ? "'x'" : '2017') });
  }
});

test('decimals: exact text both ways', () => {
  assert.equal(decimalToString(12345n, 2), '123.45');
  assert.equal(decimalToString(-5n, 2), '-0.05');
  assert.equal(decimalToString(0n, 3), '0.000');
  assert.equal(decimalToString(42n, 0), '42');
  assert.equal(decimalToString(2n, -20), '2E+20');
  const max = 10n ** 38n - 1n;
  assert.equal(decimalToString(max, 10), '9999999999999999999999999999.9999999999');
  assert.equal(decimalToString(-max, 10), '-9999999999999999999999999999.9999999999');
  assert.equal(decimalFromString('9999999999999999999999999999.9999999999', 10), max);
  assert.equal(decimalFromString('-9999999999999999999999999999.9999999999', 10), -max);
  assert.equal(decimalFromString('14.20', 2), 1420n);
  assert.equal(decimalFromString('14.2', 2), 1420n);
  assert.equal(decimalFromString('14', 2), 1400n);
  assert.equal(decimalFromString('-.5', 1), -5n);
  assert.equal(decimalFromString('1.500', 1), 15n);
  assert.equal(decimalFromString('2E+3', 0), 2000n);
  assert.equal(decimalFromString('1.5e-1', 2), 15n);
  assert.equal(decimalFromString('+0.00', 2), 0n);
  assert.throws(() => decimalFromString('1.234', 2), { name: 'BadEventError', message: /'1.234' has more than 2 fraction digits/ });
  assert.throws(() => decimalFromString('99999999999999999999999999999', 10), /needs 39 digits, more than decimal\(38,10\)/);
  assert.throws(() => decimalFromString('1000', 2, 5), /decimal\(5,2\)/);
  assert.throws(() => decimalFromString('1.2.3', 2), /not a number/);
  assert.throws(() => decimalFromString('', 2), /not a number/);
});

test('uuids: 16 big-endian bytes, lowercase text', () => {
  const bytes = uuidToBytes('F79C3E09-677C-4BBD-A479-3F349CB785E7');
  assert.equal(Buffer.from(bytes).toString('hex'), 'f79c3e09677c4bbda4793f349cb785e7');
  assert.equal(bytesToUuid(bytes), 'f79c3e09-677c-4bbd-a479-3f349cb785e7');
  assert.throws(() => uuidToBytes('f79c3e09677c4bbda4793f349cb785e7'), /8-4-4-4-12/);
  assert.throws(() => bytesToUuid(new Uint8Array(15)), /16 bytes, got 15/);
});

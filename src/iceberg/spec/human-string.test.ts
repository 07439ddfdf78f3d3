import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDecimal, humanFloat, humanHour, humanMonth, humanTime, humanTimestamp, humanValue, humanYear, urlEncode } from './human-string.ts';

test('time transform ordinals print as Java TransformUtil does', () => {
  assert.equal(humanYear(47), '2017');
  assert.equal(humanYear(-1), '1969');
  assert.equal(humanMonth(574), '2017-11');
  assert.equal(humanMonth(-1), '1969-12');
  assert.equal(humanMonth(-13), '1968-12');
  assert.equal(humanHour(419686), '2017-11-16-22');
  assert.equal(humanHour(-1), '1969-12-31-23');
});

test('times and timestamps as Java LocalTime / ISO_LOCAL_DATE_TIME', () => {
  assert.equal(humanTime(81060000000n), '22:31');
  assert.equal(humanTime(81068000000n), '22:31:08');
  assert.equal(humanTime(81068100000n), '22:31:08.100');
  assert.equal(humanTime(81068000001n), '22:31:08.000001');
  assert.equal(humanTimestamp(1510871468000000n, false), '2017-11-16T22:31:08');
  assert.equal(humanTimestamp(1510871468100000n, true), '2017-11-16T22:31:08.1+00:00');
  assert.equal(humanTimestamp(-1n, false), '1969-12-31T23:59:59.999999');
});

test('numbers as Java toString', () => {
  assert.equal(humanDecimal(1420n, 2), '14.20');
  assert.equal(humanDecimal(-5n, 2), '-0.05');
  assert.equal(humanDecimal(1n, 7), '1E-7');
  assert.equal(humanDecimal(123n, 0), '123');
  assert.equal(humanFloat(1, false), '1.0');
  assert.equal(humanFloat(-0, false), '-0.0');
  assert.equal(humanFloat(1e7, false), '1.0E7');
  assert.equal(humanFloat(1.5e-5, false), '1.5E-5');
  assert.equal(humanFloat(NaN, false), 'NaN');
  assert.equal(humanFloat(Math.fround(1.1), true), '1.1');
  assert.equal(humanFloat(Math.fround(1.1), false), '1.100000023841858');
  assert.equal(humanValue({ type: 'binary' }, Uint8Array.of(1, 2, 3)), 'AQID');
  assert.equal(humanValue({ type: 'boolean' }, true), 'true');
  assert.equal(humanValue({ type: 'long' }, 2n ** 63n - 1n), '9223372036854775807');
  assert.equal(humanValue({ type: 'date' }, -1), '1969-12-31');
});

test('urlEncode matches Java URLEncoder', () => {
  assert.equal(urlEncode("a b/c?d=e&f+g*h.i-j_k~l!m'n(o)p"), 'a+b%2Fc%3Fd%3De%26f%2Bg*h.i-j_k%7El%21m%27n%28o%29p');
  assert.equal(urlEncode('é😀'), '%C3%A9%F0%9F%98%80');
  assert.equal(urlEncode('x\uD800y'), 'x%3Fy');
});

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fnv1a32, sha256Hex, toHex } from '../../src/util/hash.js';

describe('fnv1a32', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0xe40c292c],
    ['foobar', 0xbf9cf968],
  ])('gives the published FNV-1a 32-bit value of %j', (text, expected) => {
    expect(fnv1a32(text)).toBe(expected);
  });

  it('hashes UTF-8 bytes, so text beyond ASCII hashes as its encoding', () => {
    let h = 0x811c9dc5;
    for (const b of Buffer.from('naïve 東京 🙂', 'utf8')) h = Math.imul(h ^ b, 0x01000193);
    expect(fnv1a32('naïve 東京 🙂')).toBe(h >>> 0);
  });
});

describe('sha256Hex (Web Crypto)', () => {
  it('gives the FIPS 180-2 value of "abc"', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('agrees with node:crypto on strings and bytes', async () => {
    const bytes = new Uint8Array(Array.from({ length: 1000 }, (_, i) => (i * 37) % 256));
    expect(await sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(await sha256Hex('naïve 東京')).toBe(createHash('sha256').update('naïve 東京').digest('hex'));
  });
});

describe('toHex', () => {
  it('writes each byte as two lowercase hex digits, from bytes or a buffer', () => {
    expect(toHex(new Uint8Array([0, 1, 15, 16, 255]))).toBe('00010f10ff');
    expect(toHex(new Uint8Array([171, 205]).buffer)).toBe('abcd');
  });
});

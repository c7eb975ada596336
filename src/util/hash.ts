/**
 * Hashes that run anywhere (Node, Workers, browsers): FNV-1a for seeds and fingerprints, SHA-256
 * through Web Crypto. Node code that needs SHA-256 synchronously uses `platform/node/hash.ts`.
 */

const encoder = new TextEncoder();

/** FNV-1a, 32-bit, over the UTF-8 bytes of `text`: a fast, stable, non-cryptographic hash. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** SHA-256 of a string (its UTF-8 bytes) or of bytes, as lowercase hex (Web Crypto). */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  return toHex(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}

/** Bytes (a digest, a signature) as lowercase hex. */
export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  let hex = '';
  for (const b of bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)) hex += b.toString(16).padStart(2, '0');
  return hex;
}

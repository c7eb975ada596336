import { createHash } from 'node:crypto';

/**
 * Synchronous SHA-256 and SHA-1 for Node code that hashes as it goes (corpus ids and fingerprints,
 * index files, the vector store). Code that may run on Workers or in a browser uses the async
 * `sha256Hex` of `util/hash.ts` (Web Crypto), which gives the same hex.
 */
export const sha256HexSync = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** SHA-1 hex: only where an existing id scheme was built on it (paper ids). */
export const sha1HexSync = (data: string): string => createHash('sha1').update(data).digest('hex');

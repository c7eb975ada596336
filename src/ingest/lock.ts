import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { processAlive } from '../platform/node/index-files.js';

/** Defaults of the ingest lock (one place). */
export const DEFAULT_INGEST_LOCK = {
  /** How often a waiting ingest looks again. Defaults to 100 ms. */
  pollMs: 100,
  /** How long it waits for another before giving up with an error naming it. Defaults to 30 minutes (100,000 papers with a real model take minutes). */
  timeoutMs: 30 * 60_000,
};
export type IngestLockOptions = Partial<typeof DEFAULT_INGEST_LOCK> & {
  /** Told once when the lock is held by another process. */
  onWait?: (holderPid: number) => void;
};

/** The lock file of an index folder: beside it, named after it (`data/.index.lock`). */
export const lockPath = (indexDir: string) => join(dirname(indexDir), `.${basename(indexDir)}.lock`);

/** Another ingest of the same folder held the lock past the timeout. */
export class IngestLockTimeout extends Error {
  override name = 'IngestLockTimeout';
}


/** Creates the lock file with this process's pid; false when it exists. */
async function tryCreate(path: string): Promise<boolean> {
  try {
    const file = await open(path, 'wx');
    await file.writeFile(String(process.pid));
    await file.close();
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** A lock file still empty after this long was left by a process that died while taking it. */
const TAKING_MS = 10_000;

/**
 * Who holds the lock: its pid; `taking` while the file exists but its pid is not written yet;
 * `stale` for a file no live process can be holding; null when there is no lock.
 */
async function holder(path: string): Promise<number | 'taking' | 'stale' | null> {
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) return null;
  if (text === '') {
    const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
    return age > TAKING_MS ? 'stale' : 'taking';
  }
  const pid = Number(text);
  if (!Number.isInteger(pid) || pid <= 0) return 'stale';
  return pid === process.pid || processAlive(pid) ? pid : 'stale';
}

/**
 * Runs `fn` holding the lock of `indexDir`, so that two ingests of one folder (two `npm run ingest
 * -- --force`, or one beside a starting server) never build and swap at once: the second waits for
 * the first and then runs. The lock is a file created exclusively, holding the owner's pid; one left
 * by a process that is no longer running (killed mid-build) is taken over. Concurrent calls in one
 * process queue the same way.
 *
 * @example
 * await withIngestLock('data/index', () => build(), { onWait: (pid) => log(`waiting for ingest ${pid}`) })
 */
export async function withIngestLock<T>(indexDir: string, fn: () => Promise<T>, options: IngestLockOptions = {}): Promise<T> {
  const o = { ...DEFAULT_INGEST_LOCK, ...options };
  const path = lockPath(indexDir);
  const started = Date.now();
  let told = false;
  await mkdir(dirname(path), { recursive: true });
  while (!(await tryCreate(path))) {
    const held = await holder(path);
    if (held === null) continue;
    if (held === 'stale') {
      // Left by a process that is gone (killed mid-build): take it over, unless another waiter just did.
      if ((await holder(path)) === 'stale') await rm(path, { force: true });
      continue;
    }
    if (typeof held === 'number' && !told) {
      told = true;
      o.onWait?.(held);
    }
    if (Date.now() - started > o.timeoutMs) {
      throw new IngestLockTimeout(`another ingest of ${indexDir} (pid ${held}) has held ${path} for over ${Math.round(o.timeoutMs / 60_000)} min; stop it, or delete that file if no ingest is running`);
    }
    await new Promise((r) => setTimeout(r, o.pollMs));
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}

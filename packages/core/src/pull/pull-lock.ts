import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { sleep } from '../retry/sleep.js';

/** Options of {@link acquirePullLock}. */
export interface PullLockOptions {
  readonly signal?: AbortSignal;
  /** A lock whose holder has not touched it for this long is taken over. @default 30000 */
  readonly staleAfterInMs?: number;
  /** How often the holder touches the lock. @default 5000 */
  readonly heartbeatInMs?: number;
  /** How often a waiting process looks again. @default 200 */
  readonly pollIntervalInMs?: number;
  /** Called once when another live process holds the lock and this one starts waiting. */
  readonly onWait?: (holder: LockHolder) => void;
}

/** Who holds a lock, as written in the lock file. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  readonly token: string;
}

/** A held lock; `release` removes it (only if it is still ours). */
export interface PullLock {
  release(): Promise<void>;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (
      typeof value.pid === 'number' &&
      typeof value.hostname === 'string' &&
      typeof value.token === 'string'
    ) {
      return value as LockHolder;
    }
  } catch {}
  return undefined;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a lock may be taken over: its holder died on this host, or it stopped touching the lock. */
async function isStale(lockPath: string, holder: LockHolder | undefined, staleAfterInMs: number) {
  if (holder && holder.hostname === hostname() && !processIsAlive(holder.pid)) return true;
  try {
    const { mtimeMs } = await stat(lockPath);
    return Date.now() - mtimeMs > staleAfterInMs;
  } catch {
    return false;
  }
}

async function tryCreate(lockPath: string, holder: LockHolder): Promise<boolean> {
  try {
    // O_EXCL: exactly one process creates the file; the others get EEXIST.
    const handle = await open(lockPath, 'wx', 0o644);
    try {
      await handle.writeFile(JSON.stringify(holder));
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Moves a stale lock aside; puts it back when it turned out to be a fresh one of someone else. */
async function takeOver(lockPath: string, staleToken: string | undefined): Promise<void> {
  const aside = `${lockPath}.stale-${randomBytes(4).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return;
  }
  const moved = parseHolder(await readFile(aside, 'utf8').catch(() => ''));
  if (staleToken !== undefined && moved !== undefined && moved.token !== staleToken) {
    await link(aside, lockPath).catch(() => {});
  }
  await unlink(aside).catch(() => {});
}

/**
 * Takes the lock file `lockPath` (created with O_EXCL, holding pid, host and a random token) so
 * that one process at a time writes a `.partial`. Waits while a live holder keeps it; takes over a
 * lock whose process died on this host or that went untouched for `staleAfterInMs` (another host).
 */
export async function acquirePullLock(
  lockPath: string,
  options: PullLockOptions = {},
): Promise<PullLock> {
  const staleAfterInMs = options.staleAfterInMs ?? 30_000;
  const holder: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    token: randomBytes(8).toString('hex'),
  };
  let waiting = false;
  for (;;) {
    options.signal?.throwIfAborted();
    if (await tryCreate(lockPath, holder)) break;
    const current = parseHolder(await readFile(lockPath, 'utf8').catch(() => ''));
    if (await isStale(lockPath, current, staleAfterInMs)) {
      await takeOver(lockPath, current?.token);
      continue;
    }
    if (!waiting && current) {
      waiting = true;
      options.onWait?.(current);
    }
    await sleep(options.pollIntervalInMs ?? 200, options.signal);
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(lockPath, now, now).catch(() => {});
  }, options.heartbeatInMs ?? 5000);
  heartbeat.unref();
  return {
    async release() {
      clearInterval(heartbeat);
      const current = parseHolder(await readFile(lockPath, 'utf8').catch(() => ''));
      if (current?.token === holder.token) await unlink(lockPath).catch(() => {});
    },
  };
}

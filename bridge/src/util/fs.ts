/**
 * File helpers that never leave a half-written file under a final name: write to a temp sibling, then rename.
 * Errors about output folders say what to do (read-only, full disk).
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, createReadStream, mkdirSync } from 'node:fs';
import { access, chmod, constants, mkdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { messageOf, ReenactError } from '../errors.js';

/** A temp name beside `file` (same folder, so rename is atomic): ".name.<random>.partial". */
export function tempSibling(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(4).toString('hex')}.partial`);
}

/** Maps fs errors on output paths to clear ReenactErrors. */
export function outputError(err: unknown, target: string): ReenactError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new ReenactError(
      'OUTPUT_UNWRITABLE',
      `Cannot write to ${target} (${code}: read-only or no permission). Choose another output folder.`,
      {
        cause: err,
        details: { path: target },
      },
    );
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new ReenactError(
      'OUTPUT_UNWRITABLE',
      `The disk is full while writing ${target}. Free some space, then run the same command again to resume.`,
      {
        cause: err,
        details: { path: target },
      },
    );
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    return new ReenactError(
      'OUTPUT_UNWRITABLE',
      `Cannot write to ${target} (${code}: part of the path is a file, not a folder). Choose another output folder.`,
      { cause: err, details: { path: target } },
    );
  }
  if (err instanceof ReenactError) return err;
  return new ReenactError('OUTPUT_UNWRITABLE', `Cannot write ${target}: ${messageOf(err)}`, {
    cause: err,
    details: { path: target },
  });
}

/** Creates `dir` and its missing parents; with `mode`, also chmods `dir` itself to it (POSIX). */
export async function ensureDir(dir: string, mode?: number): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, ...(mode === undefined ? {} : { mode }) });
  } catch (err) {
    throw outputError(await realCause(err, dir), dir);
  }
  if (mode !== undefined && process.platform !== 'win32') await chmod(dir, mode).catch(() => {});
}

/**
 * Recursive mkdir on a read-only filesystem reports ENOENT for the deepest folder, which hides the reason; the
 * nearest existing ancestor's write access tells the truth (EROFS, EACCES).
 */
async function realCause(err: unknown, dir: string): Promise<unknown> {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return err;
  for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) {
    try {
      await stat(d);
    } catch {
      continue;
    }
    try {
      await access(d, constants.W_OK);
      return err;
    } catch (denied) {
      return denied;
    }
  }
  return err;
}

/**
 * Owner-only modes for what reenact keeps about the user's work (job records hold project paths, the lock holds the
 * token, the track cache holds faces): folders 0700, files 0600. POSIX only: on Windows mode bits do nothing, and
 * these folders live in the user's profile (%APPDATA%, %LOCALAPPDATA%), whose inherited ACL already admits only the
 * user, SYSTEM and Administrators.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and missing parents) 0700, and takes group/other access away from it if it already existed. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // A folder made by an older version (0755) is tightened; one we cannot chmod (not ours) is left as it is.
  if (process.platform !== 'win32') await chmod(dir, PRIVATE_DIR_MODE).catch(() => {});
}

/** ensurePrivateDir, synchronously (the log file opens in a constructor). */
export function ensurePrivateDirSync(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (process.platform !== 'win32') {
    try {
      chmodSync(dir, PRIVATE_DIR_MODE);
    } catch {}
  }
}

/** Writes `data` to `file` atomically (temp + rename). */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempSibling(file);
  try {
    await writeFile(tmp, data);
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw outputError(err, file);
  }
}

/** sha256 of a file, streamed (hex). */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => hash.update(d))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Real path of `p` for the part that exists, the rest as given (a folder not made yet is judged where it would be). */
export async function realpathLoose(p: string): Promise<string> {
  const tail: string[] = [];
  let at = path.resolve(p);
  for (;;) {
    try {
      return path.join(await realpath(at), ...tail.reverse());
    } catch {
      const parent = path.dirname(at);
      if (parent === at) return path.resolve(p);
      tail.push(path.basename(at));
      at = parent;
    }
  }
}

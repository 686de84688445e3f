/**
 * Small tmpfs mounts for read-only and full output folders. Tests run as root, and chmod does not stop root, so a
 * real read-only (or 2 MB) filesystem is the honest way to make writes fail. Where mounting is not allowed, callers
 * fall back to a path under a regular file (ENOTDIR) and say so in the table.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

/** Mounts a tmpfs at `dir` (created); returns false when this sandbox does not allow it. */
export function mountTmpfs(dir: string, options: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function remount(dir: string, options: string): void {
  execFileSync('mount', ['-o', `remount,${options}`, dir], { stdio: 'ignore' });
}

export function unmount(dir: string): void {
  try {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  } catch {
    /* not mounted */
  }
}

/**
 * Runs once before all test files: points the cache and data folders at a temp folder for the whole run, so tests
 * never touch the user's real cache, and converted face models are built once and shared by every test file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(path.join(os.tmpdir(), 'reenact-suite-'));
  process.env.REENACT_CACHE_DIR ??= path.join(root, 'cache');
  process.env.REENACT_DATA_DIR ??= path.join(root, 'data');
  return () => rmSync(root, { recursive: true, force: true });
}

/** The tool version, read once from package.json (one source of truth). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from './util/paths.js';

export const VERSION: string = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version;

/** Every subcommand, one module each: `register(program)` adds it. Keep this list alphabetical. */
import type { Command } from 'commander';
import { register as serve } from './serve.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [serve];

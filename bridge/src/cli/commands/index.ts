/** Every subcommand, one module each: `register(program)` adds it. Keep this list alphabetical. */
import type { Command } from 'commander';
import { register as demo } from './demo.js';
import { register as models } from './models.js';
import { register as probe } from './probe.js';
import { register as render } from './render.js';
import { register as serve } from './serve.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [demo, models, probe, render, serve];

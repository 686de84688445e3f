/** Every subcommand, one module each: `register(program)` adds it. Keep this list alphabetical. */
import type { Command } from 'commander';
import { register as batch } from './batch.js';
import { register as demo } from './demo.js';
import { register as farm } from './farm.js';
import { register as merge } from './merge.js';
import { register as models } from './models.js';
import { register as probe } from './probe.js';
import { register as queue } from './queue.js';
import { register as render } from './render.js';
import { register as serve } from './serve.js';
import { register as worker } from './worker.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [batch, demo, farm, merge, models, probe, queue, render, serve, worker];

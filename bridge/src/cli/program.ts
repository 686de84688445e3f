/**
 * The `reenact` program: subcommands register themselves here. Each subcommand parses and validates, then calls
 * the library; errors become one clear line (or one JSON object with --json) and a documented exit code.
 */
import { Command, CommanderError } from 'commander';
import { asReenactError } from '../errors.js';
import { VERSION } from '../version.js';
import { commands } from './commands/index.js';

export const EXIT_HELP = `
Exit codes:
  0    done
  1    failed (ffmpeg, engine or internal error)
  2    bad usage or input (the message names the file and the fix)
  3    missing models or dependencies (ffmpeg, model weights)
  130  cancelled (Ctrl-C)`;

export function buildProgram(): Command {
  const program = new Command('reenact')
    .description('Animate a still portrait from a driving performance clip.')
    .version(VERSION, '-v, --version')
    .addHelpText('after', EXIT_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Runs the CLI and returns the exit code (never calls process.exit, so tests can call it in-process). */
export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return 0;
      return 2;
    }
    const e = asReenactError(err);
    if (json) process.stdout.write(`${JSON.stringify({ type: 'error', error: e.toJSON() })}\n`);
    else process.stderr.write(`reenact: ${e.message}\n`);
    return e.exitCode;
  }
}

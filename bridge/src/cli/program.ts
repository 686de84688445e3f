/**
 * The `reenact` program: subcommands register themselves here. Each subcommand parses and validates, then calls
 * the library; errors become one clear line (or one JSON object with --json) and a documented exit code.
 */
import { Command, CommanderError } from 'commander';
import { asReenactError } from '../errors.js';
import { cachedToolReport } from '../media/locator.js';
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
    .option('-v, --version', 'print the version, and the ffmpeg and ffprobe in use')
    .addHelpText('after', EXIT_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  // Not commander's .version(): that prints a fixed string, and this one names the ffmpeg found at run time.
  program.on('option:version', () => {
    process.stdout.write(`${versionText()}\n`);
    throw new CommanderError(0, 'commander.version', VERSION);
  });
  for (const register of commands) register(program);
  return program;
}

/** `reenact --version`: the version on the first line, then each ffmpeg binary's version, origin and path. */
export function versionText(): string {
  const tools = cachedToolReport();
  if ('error' in tools) return `${VERSION}\nffmpeg: not found. ${tools.error}`;
  const lines = [VERSION];
  for (const [name, tool] of [['ffmpeg', tools.ffmpeg] as const, ['ffprobe', tools.ffprobe] as const]) {
    lines.push(`${name} ${tool.version} from ${tool.source} (${tool.path})`);
    if (tool.warning) lines.push(`warning: ${tool.warning}`);
  }
  return lines.join('\n');
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

#!/usr/bin/env node
/** `reenact` command entry: parses arguments (commander) and dispatches to one module per subcommand. */
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv);

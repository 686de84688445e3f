/**
 * Where the bridge runs from on an artist's machine. The extension ships the compiled bridge without node_modules
 * (onnxruntime-node's native binaries are ~290 MB, and files added to a signed extension break its signature), so
 * on first start the panel copies bridge/dist, models/catalog.json, package.json and package-lock.json into
 * `<data>/runtime/<version>/` and installs the production dependencies there with the npm that comes with the Node
 * it found; later starts go straight to that copy. An extension folder that has its own node_modules (a developer
 * install) runs in place.
 *
 * The install does not depend on npm's version: Node 20 and 22 ship npm 10, which ignores package.json's
 * `allowScripts` and would run every install script. So `npm ci --ignore-scripts` installs, then `npm rebuild`
 * runs the scripts of exactly the packages `allowScripts` lets run. Both run with Node's folder first on PATH.
 */
import { childEnv, dataDir, joinPath, LaunchError, type NodeDeps } from './launch.js';

/** Written into the runtime folder once `npm ci` has succeeded: a half-finished install is redone. */
const READY = '.reenact-runtime-ready';

/** What the runtime copy holds, relative to the extension folder. */
const COPIED = [['bridge', 'dist'], ['models', 'catalog.json'], ['package.json'], ['package-lock.json']];

export interface RuntimeOptions {
  node: string;
  extensionFolder: string;
  /** Progress for the status line ("setting up the bridge…"). */
  onStatus?: (text: string) => void;
}

/**
 * The bridge script to start: the extension's own when it has node_modules, else the runtime copy (made first if
 * needed).
 * @throws LaunchError NO_BRIDGE_SCRIPT / NO_NPM / SETUP_FAILED saying what to do.
 */
export async function bridgeScript(deps: NodeDeps, options: RuntimeOptions): Promise<string> {
  const { platform } = deps;
  const j = (...p: string[]) => joinPath(platform, ...p);
  const ext = options.extensionFolder;
  const inPlace = j(ext, 'bridge', 'dist', 'cli', 'main.js');
  if (!ext || !(await deps.isFile(inPlace))) {
    throw new LaunchError(
      'NO_BRIDGE_SCRIPT',
      `The bridge is missing from the extension (${inPlace}). Reinstall reenact.`,
    );
  }
  if (await deps.isFile(j(ext, 'node_modules', 'onnxruntime-node', 'package.json'))) return inPlace;
  const version = (JSON.parse((await deps.readFile(j(ext, 'package.json'))) ?? '{}') as { version?: string }).version;
  const runtime = j(dataDir(deps), 'runtime', version ?? 'dev');
  const script = j(runtime, 'bridge', 'dist', 'cli', 'main.js');
  if (await deps.isFile(j(runtime, READY))) return script;

  options.onStatus?.('setting up the bridge (first start: downloading its libraries, about 300 MB)…');
  for (const parts of COPIED) await deps.copy(j(ext, ...parts), j(runtime, ...parts));
  const npm = await findNpm(deps, options.node);
  // onnxruntime-node's install script (not allowed anyway) would fetch GPU libraries from outside the npm registry;
  // the project's .npmrc says the same, but a signed extension may not ship dot files.
  const env = childEnv(deps, options.node, { npm_config_onnxruntime_node_install: 'skip' });
  const npmRun = async (args: string[], what: string) => {
    const result = await deps.run(options.node, [npm, ...args, '--no-audit', '--no-fund'], { cwd: runtime, env });
    if (result.code === 0) return;
    const said = result.stderr.trim().split('\n').slice(-3).join(' / ');
    throw new LaunchError(
      'SETUP_FAILED',
      `Setting up the bridge failed (${what} in ${runtime} exited ${result.code}${said ? `: ${said}` : ''}). Check the internet connection (the npm registry must be reachable), then click Reconnect; or install the bridge once from the release's bridge tarball (npm install -g ./reenact-<version>.tgz, the file that comes with the .zxp) and set its URL under Engine.`,
    );
  };
  await npmRun(['ci', '--omit=dev', '--ignore-scripts'], 'npm ci');
  const allowed = await allowedScripts(deps, runtime);
  if (allowed.length) await npmRun(['rebuild', ...allowed], 'npm rebuild');
  await deps.writeFile(j(runtime, READY), `${new Date().toISOString()}\n`);
  options.onStatus?.('starting bridge…');
  return script;
}

/** Installed packages whose install scripts package.json's `allowScripts` lets run (npm 11's rule, for any npm). */
async function allowedScripts(deps: NodeDeps, runtime: string): Promise<string[]> {
  const j = (...p: string[]) => joinPath(deps.platform, ...p);
  const pkg = JSON.parse((await deps.readFile(j(runtime, 'package.json'))) ?? '{}') as {
    allowScripts?: Record<string, boolean>;
  };
  const names = Object.entries(pkg.allowScripts ?? {})
    .filter(([, allow]) => allow === true)
    .map(([name]) => name);
  const installed: string[] = [];
  for (const name of names)
    if (await deps.isFile(j(runtime, 'node_modules', ...name.split('/'), 'package.json'))) installed.push(name);
  return installed;
}

/** npm's CLI script beside a Node install (Windows: <dir>/node_modules/npm; elsewhere: <dir>/../lib/node_modules/npm). */
async function findNpm(deps: NodeDeps, node: string): Promise<string> {
  const { platform } = deps;
  const dir = node.replace(/[\\/][^\\/]+$/, '');
  const candidates = [
    joinPath(platform, dir, 'node_modules', 'npm', 'bin', 'npm-cli.js'),
    joinPath(platform, dir, '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
  ];
  for (const c of candidates) if (await deps.isFile(c)) return c;
  throw new LaunchError(
    'NO_NPM',
    `The bridge's libraries are installed with npm, which was not found beside ${node} (looked for ${candidates.join(' and ')}). Install Node.js from nodejs.org (it includes npm), then click Reconnect.`,
  );
}

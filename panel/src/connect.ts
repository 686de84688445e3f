/**
 * Getting a working, authorised client: a bridge URL set by the artist (a GPU box), else the local bridge found
 * through its lock file, else a freshly spawned one (launch.ts). Each failure becomes one message with its fix.
 */
import { BridgeApiError, type BridgeClient, createClient } from '../../bridge/src/api/client.js';
import { messageOf } from '../../bridge/src/errors.js';
import { DEVICE_LABELS } from '../../bridge/src/onnx/devices.js';
import { type BridgeAddress, findNode, LaunchError, type NodeDeps, readLock, spawnBridge } from './launch.js';
import { bridgeScript } from './runtime.js';

export interface ConnectOptions {
  deps: NodeDeps | undefined;
  /** Remote bridge set in the panel's settings (URL and token), or empty. */
  bridgeUrl: string;
  bridgeToken: string;
  /** Node binary set by the artist, or empty. */
  nodePath: string;
  /** The extension's folder (holds bridge/dist/cli/main.js). */
  extensionFolder: string | undefined;
  /** Status line updates while the bridge is set up or started. */
  onStatus?: (text: string) => void;
}

export interface Connected {
  client: BridgeClient;
  address: BridgeAddress;
  /** What the status line shows: "CPU", "CUDA", … */
  device: string;
}

export class ConnectError extends Error {
  override readonly name = 'ConnectError';
  constructor(
    readonly code: 'TOKEN_REFUSED' | 'UNREACHABLE' | LaunchError['code'],
    message: string,
  ) {
    super(message);
  }
}

type Health = 'ok' | 'refused' | 'unreachable';

async function health(client: BridgeClient): Promise<Health> {
  try {
    await client.health();
    return 'ok';
  } catch (err) {
    if (err instanceof BridgeApiError && err.status === 401) return 'refused';
    return 'unreachable';
  }
}

async function bestDevice(client: BridgeClient): Promise<string> {
  try {
    const { devices } = await client.devices();
    // What auto would pick: never an experimental device.
    const gpu = devices.find((d) => d.available && !d.experimental && d.name !== 'auto' && d.name !== 'cpu');
    // A newer bridge may offer a device this panel has no label for.
    return gpu ? (DEVICE_LABELS[gpu.name] ?? gpu.name) : 'CPU';
  } catch {
    return 'CPU';
  }
}

function refused(url: string, fix: string): ConnectError {
  return new ConnectError('TOKEN_REFUSED', `The bridge at ${url} refused the panel's token. ${fix}`);
}

/** @throws ConnectError with a message that says what to do. */
export async function connectBridge(options: ConnectOptions, timeoutMs = 10_000): Promise<Connected> {
  const make = (address: BridgeAddress) => createClient({ url: address.url, token: address.token, timeoutMs });
  const done = async (address: BridgeAddress, client: BridgeClient): Promise<Connected> => ({
    client: createClient({ url: address.url, token: address.token }),
    address,
    device: await bestDevice(client),
  });

  if (options.bridgeUrl.trim()) {
    const address: BridgeAddress = {
      url: options.bridgeUrl.trim(),
      token: options.bridgeToken.trim(),
      via: 'settings',
    };
    const client = make(address);
    const h = await health(client);
    if (h === 'refused') {
      throw refused(
        address.url,
        'Copy the token that `reenact serve` printed on that machine into Engine ▸ Bridge token, then click Reconnect.',
      );
    }
    if (h === 'unreachable') {
      throw new ConnectError(
        'UNREACHABLE',
        `No bridge answers at ${address.url}. Start \`reenact serve\` there, or clear Engine ▸ Bridge URL to use this computer.`,
      );
    }
    return done(address, client);
  }

  const deps = options.deps;
  if (!deps) {
    throw new ConnectError(
      'NO_NODE_API',
      'The panel cannot start the bridge: Node.js is not enabled for this extension. Reinstall reenact, or set a bridge URL under Engine.',
    );
  }
  const locked = await readLock(deps);
  if (locked) {
    const client = make(locked);
    // A refused or silent lock is stale (another user's bridge, a reused port): `serve` replaces it below.
    if ((await health(client)) === 'ok') return done(locked, client);
  }
  let node: { path: string };
  let script: string;
  try {
    node = await findNode(deps, options.nodePath.trim() || undefined);
    script = await bridgeScript(deps, {
      node: node.path,
      extensionFolder: options.extensionFolder ?? '',
      onStatus: options.onStatus,
    });
  } catch (err) {
    if (err instanceof LaunchError) throw new ConnectError(err.code, err.message);
    throw err;
  }
  let address: BridgeAddress;
  try {
    address = await spawnBridge(deps, node.path, script);
  } catch (err) {
    throw new ConnectError('SPAWN_FAILED', messageOf(err));
  }
  const client = make(address);
  const h = await health(client);
  if (h === 'refused')
    throw refused(
      address.url,
      'Another bridge holds its port: quit it (or restart the computer), then click Reconnect.',
    );
  if (h === 'unreachable')
    throw new ConnectError(
      'UNREACHABLE',
      `The bridge started but does not answer at ${address.url}. Check that a firewall allows 127.0.0.1, then click Reconnect.`,
    );
  return done(address, client);
}

/**
 * Signing with Adobe's ZXPSignCmd, which exists only for Windows and macOS (ae-cep.md §6.3). Windows hosts on
 * CEP 12 refuse unsigned extensions even with PlayerDebugMode, so release builds are signed wherever the tool runs:
 * with the certificate in REENACT_ZXP_CERT (+ REENACT_ZXP_PASSWORD), else a self-signed one created once in the
 * per-user data folder. Always with a timestamp, so the signature outlives the certificate.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { ReenactError } from '../../bridge/src/errors.js';
import { dataDir } from '../../bridge/src/util/paths.js';

/** Timestamp servers tried in order (bolt-cep's choices; Adobe's docs list others). */
export const TSA_URLS = ['http://timestamp.digicert.com/', 'http://timestamp.apple.com/ts01'];

export function findZxpSignCmd(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string | null {
  if (env.REENACT_ZXPSIGNCMD) return existsSync(env.REENACT_ZXPSIGNCMD) ? env.REENACT_ZXPSIGNCMD : null;
  if (platform !== 'win32' && platform !== 'darwin') return null;
  const names = platform === 'win32' ? ['ZXPSignCmd.exe', 'ZXPSignCmd-64bit.exe'] : ['ZXPSignCmd'];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    for (const n of names) if (dir && existsSync(join(dir, n))) return join(dir, n);
  }
  return null;
}

export function cannotSignMessage(platform = process.platform): string {
  const why =
    platform === 'win32' || platform === 'darwin'
      ? 'ZXPSignCmd was not found on PATH (or REENACT_ZXPSIGNCMD). Download it from github.com/Adobe-CEP/CEP-Resources (ZXPSignCMD/4.1.3).'
      : `Adobe publishes ZXPSignCmd for Windows and macOS only, so it cannot sign on ${platform}.`;
  return `${why} Wrote an UNSIGNED release/reenact.zxp. ZXP installers refuse unsigned packages: to try it, unzip it by hand into the extensions folder (README, Install in After Effects) and set PlayerDebugMode; AE 2025+ on Windows may still refuse it. Sign it on Windows or macOS before handing it out: ZXPSignCmd -sign release/reenact release/reenact.zxp <cert.p12> <password> -tsa ${TSA_URLS[0]}`;
}

function run(tool: string, args: string[]): { ok: boolean; output: string } {
  const r = spawnSync(tool, args, { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

/** Signs `folder` into `zxp` (ZXPSignCmd zips it itself). Throws with the tool's output when it fails. */
export function signFolder(tool: string, folder: string, zxp: string, env: NodeJS.ProcessEnv = process.env): string {
  const password = env.REENACT_ZXP_PASSWORD ?? 'reenact-self-signed';
  let cert = env.REENACT_ZXP_CERT;
  if (!cert) {
    cert = join(dataDir(env), 'signing', 'reenact-self-signed.p12');
    if (!existsSync(cert)) {
      mkdirSync(dirname(cert), { recursive: true });
      const r = run(tool, [
        '-selfSignedCert',
        'US',
        'NA',
        'reenact',
        'reenact self-signed',
        password,
        cert,
        '-validityDays',
        '3650',
      ]);
      if (!r.ok)
        throw new ReenactError(
          'MISSING_DEPENDENCY',
          `ZXPSignCmd could not create a self-signed certificate: ${r.output}`,
        );
    }
  }
  const errors: string[] = [];
  for (const tsa of TSA_URLS) {
    const r = run(tool, ['-sign', folder, zxp, cert, password, '-tsa', tsa]);
    if (r.ok) return `Signed ${zxp} with ${cert} (timestamp ${tsa}).`;
    errors.push(`${tsa}: ${r.output}`);
  }
  throw new ReenactError('MISSING_DEPENDENCY', `ZXPSignCmd could not sign ${zxp}:\n${errors.join('\n')}`);
}

/**
 * A loopback "model hub" for install tests: serves fake model files (random bytes; the installer checks only their
 * sha256) slowly enough to watch progress and cancel midway, and writes a catalog pointing at them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface ModelHub {
  url: string;
  /** Requests served for `file` so far. */
  hits(file: string): number;
  /** Writes a catalog of two required files and one optional file into `dir`; returns its path. */
  writeCatalog(dir: string): string;
  close(): Promise<void>;
}

const files: Record<string, Buffer> = {
  'face.onnx': randomBytes(400_000),
  'lips.onnx': randomBytes(20_000),
  'extra.onnx': randomBytes(1_000),
};

/** @param chunkDelayMs pause between 20 KB chunks (0 = at once) */
export async function startModelHub(chunkDelayMs = 0): Promise<ModelHub> {
  const hits = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const name = path.basename(req.url ?? '');
    hits.set(name, (hits.get(name) ?? 0) + 1);
    const body = files[name];
    if (!body) {
      res.writeHead(404);
      res.end();
      return;
    }
    const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
    res.writeHead(start ? 206 : 200, {
      'content-length': body.length - start,
      ...(start ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
    });
    let at = start;
    const next = () => {
      if (res.destroyed) return;
      if (at >= body.length) return void res.end();
      const end = Math.min(body.length, at + 20_000);
      res.write(body.subarray(at, end));
      at = end;
      if (chunkDelayMs) setTimeout(next, chunkDelayMs);
      else next();
    };
    next();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const model = (id: string, file: string, required: boolean) => ({
    id,
    file,
    role: `test ${id}`,
    required,
    sources: [
      {
        name: 'the test hub',
        url: `${url}/${file}`,
        sha256: sha(files[file]),
        sizeBytes: files[file].length,
        hashSource: 'the test',
      },
    ],
    approxSize: null,
    licence: 'MIT',
    licenceSource: 'the test',
  });
  return {
    url,
    hits: (file) => hits.get(file) ?? 0,
    writeCatalog(dir) {
      const file = path.join(dir, 'catalog.json');
      const catalog = {
        set: 'testset',
        version: 1,
        licence: { name: 'MIT', text: 'Test weights © the tests (MIT).', urls: ['https://example.invalid/licence'] },
        models: [
          model('face', 'face.onnx', true),
          model('lips', 'lips.onnx', true),
          model('extra', 'extra.onnx', false),
        ],
      };
      writeFileSync(file, JSON.stringify(catalog));
      return file;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

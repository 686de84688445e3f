/**
 * The LivePortrait benchmark on an NVIDIA GPU (bench/gpu.sh runs it): the engine end to end with `--device cuda`
 * (which uses the GridSample-rewritten warping graph), then session timings of the rewritten warping graph and the
 * motion extractor in fp32 and fp16 on CUDA and, when its libraries load, TensorRT; and the original graph on CUDA,
 * to record what this ONNX Runtime does with 5-D GridSample there (4-D only before ORT PR #27201: FasterLivePortrait
 * issues #14, #36).
 * Refuses to start (exit 3, with the reason) when this onnxruntime-node install cannot load the CUDA provider.
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { ReenactError } from '../bridge/src/errors.js';
import { currentPlatform } from '../bridge/src/onnx/providers.js';
import { ensureGraph, NETWORKS, randomGraphsDir } from '../test/engines/liveportrait/random-graphs/index.js';
import { rewriteSkeleton } from '../test/engines/liveportrait/random-graphs/parts.js';
import { toFp16 } from '../test/engines/liveportrait/random-graphs/variants.js';
import { toBytes } from '../test/engines/liveportrait/random-graphs/write.js';
import type { Row } from './lib.js';
import { benchLivePortrait, type Table } from './liveportrait.js';
import { maxAbsDiff, nonFinite, timeSession } from './liveportrait-sessions.js';

const GRAPHS = randomGraphsDir();

/** Execution provider lists to time: CUDA, and TensorRT (before CUDA, as ORT recommends) when asked for. */
function providerLists(): string[][] {
  const wanted = (process.env.REENACT_LP_GPU_EPS ?? 'cuda').split(',').map((s) => s.trim());
  const lists = [['cuda', 'cpu']];
  if (wanted.includes('tensorrt')) lists.push(['tensorrt', 'cuda', 'cpu']);
  return lists;
}

async function sessionRows(): Promise<Row[]> {
  const warping = NETWORKS['warping_spade.onnx']();
  const rewritten = rewriteSkeleton(warping).skeleton;
  const motion = NETWORKS['motion_extractor.onnx']();
  const files: [string, string][] = [
    ['warping_spade gs-rewrite fp32', path.join(GRAPHS, 'warping_spade.gs-rewrite.onnx')],
    ['warping_spade gs-rewrite fp16', path.join(GRAPHS, 'warping_spade.gs-rewrite.fp16.onnx')],
    ['motion_extractor fp32', path.join(GRAPHS, 'motion_extractor.onnx')],
    ['motion_extractor fp16', path.join(GRAPHS, 'motion_extractor.fp16.onnx')],
    ['warping_spade original (5-D GridSample)', path.join(GRAPHS, 'warping_spade.onnx')],
  ];
  ensureGraph(files[0][1], rewritten);
  ensureGraph(files[1][1], toFp16(rewritten));
  ensureGraph(files[2][1], motion);
  ensureGraph(files[3][1], toFp16(motion));
  ensureGraph(files[4][1], warping);
  // The CPU reference of the rewritten graph's output, for the largest difference of each GPU run.
  const reference = await timeSession(files[0][1], { executionProviders: ['cpu'], threads: 0, runs: 0 });
  const rows: Row[] = [];
  for (const eps of providerLists()) {
    for (const [what, file] of files) {
      const row: Row = { graph: what, providers: eps.join(' → ') };
      try {
        const t = await timeSession(file, { executionProviders: eps, threads: 0, runs: 5 });
        row['create s'] = t.createMs / 1000;
        row['first run ms'] = t.firstRunMs;
        row['best of 5 ms'] = t.bestRunMs;
        row['max abs diff vs CPU fp32'] = what.startsWith('warping_spade gs-rewrite')
          ? maxAbsDiff(reference.outputs, t.outputs).toExponential(2)
          : '';
        row['non-finite'] = nonFinite(t.outputs);
      } catch (err) {
        row.error = (err as Error).message.split('\n')[0].slice(0, 200);
      }
      rows.push(row);
    }
  }
  return rows;
}

export async function benchLivePortraitGpu(): Promise<Table[]> {
  const why = currentPlatform().unavailable?.cuda;
  if (why || process.platform !== 'linux')
    throw new ReenactError(
      'MISSING_DEPENDENCY',
      `The CUDA execution provider cannot load here: ${why ?? `this is ${process.platform}`}. Run bench/gpu.sh, which installs it.`,
    );
  // A small graph on CUDA alone (no CPU fallback), so a provider that cannot start fails here, not after a CPU run.
  try {
    const probe = await ort.InferenceSession.create(toBytes(NETWORKS['stitching.onnx']()), {
      executionProviders: ['cuda'],
    });
    await probe.release();
  } catch (err) {
    throw new ReenactError(
      'MISSING_DEPENDENCY',
      `The CUDA execution provider does not start: ${(err as Error).message.split('\n')[0]}`,
      {
        cause: err,
      },
    );
  }
  process.env.REENACT_LP_DEVICE = 'cuda';
  const tables = await benchLivePortrait();
  const engine = tables.find((t) => t.title.startsWith('LivePortrait engine on'));
  if (engine?.rows.some((r) => r.device !== 'cuda'))
    throw new ReenactError(
      'ENGINE_FAILED',
      'The engine fell back to CPU: CUDA could not start (see the warnings above).',
    );
  tables.push({
    title: 'Single networks on the GPU (random weights; fp16 = our float16 conversion)',
    rows: await sessionRows(),
  });
  return tables;
}

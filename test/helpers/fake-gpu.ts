/**
 * A stand-in for an ONNX Runtime GPU execution provider on a CPU-only machine, for the engine's fallback tests.
 * Every session is a real onnxruntime CPU session (the maths is real); the wrapper fails the way the real provider
 * does, at the same moment (creation or run) and with the same message text. Each behaviour cites its source.
 *
 * Message format: onnxruntime-node rejects `session.run` with a plain Error whose message is ONNX Runtime's status
 * text, "Non-zero status code returned while running <Op> node. Name:'<node>' Status Message: <reason>" (checked with
 * onnxruntime-node 1.30 on CPU: a failing Reshape gives exactly that shape of message).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Device } from '../../bridge/src/onnx/devices.js';
import { decodeModel, encodeModel, type ModelProto } from '../../bridge/src/onnx/proto.js';
import type { SessionFactory } from '../../bridge/src/onnx/providers.js';

const status = (op: string, node: string, reason: string) =>
  `Non-zero status code returned while running ${op} node. Name:'${node}' Status Message: ${reason}`;

/** Failure texts of real GPU providers, verbatim from the reports cited. */
export const GPU_ERRORS = {
  /**
   * CUDA's GridSample kernel is registered for opsets 16–20 (so the node is placed on CUDA and the session is
   * created) but rejects a 5-D input when it runs: warmshao/FasterLivePortrait#14, #36, #162 (2024-07 … 2025-02),
   * on LivePortrait's warping_spade.onnx. Fixed only by ONNX Runtime PR #27201 (2026).
   */
  gridSample5d: (node: string) => status('GridSample', node, 'Only 4-D tensor is supported'),
  /**
   * cuDNN failing while ONNX Runtime initialises a CUDA session (the session is never created), while CPU loads the
   * same file: microsoft/onnxruntime#15718 (ORT 1.14, after a driver update). Text as the session's status message.
   */
  cudnnInit: () =>
    'Exception during initialization: /onnxruntime_src/onnxruntime/core/providers/cuda/cuda_call.cc:122 bool onnxruntime::CudaCall(ERRTYPE, const char*, const char*, ERRTYPE, const char*) [with ERRTYPE = cudnnStatus_t; bool THRW = true] /onnxruntime_src/onnxruntime/core/providers/cuda/cuda_call.cc:116 bool onnxruntime::CudaCall(ERRTYPE, const char*, const char*, ERRTYPE, const char*) [with ERRTYPE = cudnnStatus_t; bool THRW = true] CUDNN failure 1: CUDNN_STATUS_NOT_INITIALIZED ; GPU=5 ; hostname=mcfluid03 ; expr=cudnnCreate(&cudnn_handle_); ',
  /** CUDA out of memory in the BFC arena: microsoft/onnxruntime#22702 (ORT 1.19, CUDA 12). */
  outOfMemory: (node = '/Conv') =>
    status(
      'Conv',
      node,
      '/onnxruntime_src/onnxruntime/core/framework/bfc_arena.cc:376 void* onnxruntime::BFCArena::AllocateRawInternal(size_t, bool, onnxruntime::Stream*, bool, onnxruntime::WaitNotificationFn) Failed to allocate memory for requested buffer of size 4585490524',
    ),
  /** A cuDNN kernel failing in Run while CPU runs the same model: microsoft/onnxruntime#23497. */
  cudnn: (node = '/Conv') =>
    status(
      'Conv',
      node,
      'CUDNN failure 5000: CUDNN_STATUS_EXECUTION_FAILED ; GPU=0 ; hostname=render-node ; file=/onnxruntime_src/onnxruntime/core/providers/cuda/nn/conv.cc ; line=493 ; expr=cudnnAddTensor(cudnn_handle, &alpha, s_.b_tensor, s_.b_data, &alpha, s_.y_tensor, s_.y_data);',
    ),
  /**
   * DirectML device removal (driver reset / TDR): the DML EP throws the HRESULT through ORT_THROW_IF_FAILED in
   * DmlCommandRecorder.cpp and the device cannot be used again until it is recreated (microsoft/onnxruntime#26606);
   * exception text in the DML EP's format of microsoft/onnxruntime#20575, HRESULT 887A0005 DXGI_ERROR_DEVICE_REMOVED.
   */
  deviceRemoved: () =>
    'D:\\a\\_work\\1\\s\\onnxruntime\\core\\providers\\dml\\DmlExecutionProvider\\src\\DmlCommandRecorder.cpp(371)\\onnxruntime.dll!00007FFE11451461: (caller: 00007FFE114311D1) Exception(3) tid(ae54) 887A0005 The GPU device instance has been suspended. Use GetDeviceRemovedReason to determine the appropriate action.',
} as const;

export interface FakeRun {
  /** Model file name (basename). */
  file: string;
  device: Device;
  /** 1-based count of runs of this file on this fake device, warm-up included. */
  call: number;
}

export interface FakeGpuOptions {
  /** Error message to fail this session's creation with (file name, device), or undefined to create it. */
  failCreate?: (file: string, device: Device) => string | undefined;
  /** Error message to fail this run with, or undefined to let it run. Once a run fails, the device stays lost. */
  failRun?: (run: FakeRun) => string | undefined;
}

export interface FakeGpu {
  create: SessionFactory;
  /** Every session created: file name and device. */
  created: { file: string; device: Device }[];
  /** Every session released (file name and device), in order. */
  released: { file: string; device: Device }[];
  /** Every run: file, device, call number, and whether it failed. */
  runs: (FakeRun & { failed: boolean })[];
}

/** Names of the graph's GridSample nodes whose data input is not 4-D when the graph runs on `feeds` (real CPU run). */
async function gridSamplesNot4d(model: ModelProto, feeds: Record<string, ort.Tensor>): Promise<string[]> {
  const nodes = (model.graph?.node ?? []).filter((n) => n.opType === 'GridSample');
  if (!nodes.length) return [];
  // The rank is a run-time fact (exporters omit intermediate shapes): expose each node's input as an extra output.
  const probe: ModelProto = structuredClone(model);
  const seen = new Set(probe.graph?.output?.map((o) => o.name));
  for (const n of nodes) {
    const x = n.input?.[0] ?? '';
    if (!seen.has(x)) probe.graph!.output!.push({ name: x, type: { tensorType: { elemType: 1 } } });
  }
  const session = await ort.InferenceSession.create(encodeModel(probe));
  try {
    const out = await session.run(feeds);
    return nodes.filter((n) => out[n.input?.[0] ?? '']?.dims.length !== 4).map((n) => n.name ?? n.opType);
  } finally {
    await session.release();
  }
}

/**
 * A fake GPU provider. Sessions on 'cpu' are plain CPU sessions; sessions on any other device are CPU sessions that
 * fail as the real provider would: CUDA on a 5-D GridSample (always), and whatever `failRun` injects.
 */
export function fakeGpu(options: FakeGpuOptions = {}): FakeGpu {
  const created: FakeGpu['created'] = [];
  const released: FakeGpu['released'] = [];
  const runs: FakeGpu['runs'] = [];
  const calls = new Map<string, number>();
  const lost = new Map<Device, string>();
  const create: SessionFactory = async (model, _eps, device) => {
    const bytes = typeof model === 'string' ? readFileSync(model) : model;
    const file = typeof model === 'string' ? path.basename(model) : 'model bytes';
    // onnxruntime-node rejects InferenceSession.create with the status message as a plain Error.
    const refused = device === 'cpu' ? undefined : options.failCreate?.(file, device);
    if (refused !== undefined) throw new Error(refused);
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
    created.push({ file, device });
    const realRelease = session.release.bind(session);
    session.release = async () => {
      released.push({ file, device });
      await realRelease();
    };
    if (device === 'cpu') return session;
    const decoded = decodeModel(bytes);
    const realRun = session.run.bind(session);
    const run = async (feeds: Record<string, ort.Tensor>) => {
      const key = `${device}:${file}`;
      const call = (calls.get(key) ?? 0) + 1;
      calls.set(key, call);
      const failure =
        lost.get(device) ??
        options.failRun?.({ file, device, call }) ??
        (device === 'cuda' ? (await gridSamplesNot4d(decoded, feeds)).map(GPU_ERRORS.gridSample5d)[0] : undefined);
      runs.push({ file, device, call, failed: failure !== undefined });
      if (failure === undefined) return realRun(feeds);
      // A device that failed mid-run (out of memory aside) is treated as gone, like a removed DirectML device.
      if (!failure.includes('GridSample')) lost.set(device, failure);
      throw new Error(failure);
    };
    return Object.assign(session, { run }) as ort.InferenceSession;
  };
  return { create, created, released, runs };
}

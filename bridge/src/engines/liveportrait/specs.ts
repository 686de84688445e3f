/** One typed spec per LivePortrait ONNX file (names, dims, dtypes from research §1.1); runNamed checks feeds by them. */
import { ReenactError } from '../../errors.js';
import type { ModelSpec } from '../../onnx/session.js';

const f = (name: string, dims: number[]) => ({ name, dims, type: 'float32' as const });

export const SPECS = {
  appearance_feature_extractor: {
    id: 'appearance_feature_extractor',
    inputs: [f('img', [1, 3, 256, 256])],
    outputs: [f('output', [1, 32, 16, 64, 64])],
  },
  motion_extractor: {
    id: 'motion_extractor',
    inputs: [f('img', [1, 3, 256, 256])],
    outputs: [
      f('pitch', [1, 66]),
      f('yaw', [1, 66]),
      f('roll', [1, 66]),
      f('t', [1, 3]),
      f('exp', [1, 63]),
      f('scale', [1, 1]),
      f('kp', [1, 63]),
    ],
  },
  warping_spade: {
    id: 'warping_spade',
    inputs: [f('feature_3d', [1, 32, 16, 64, 64]), f('kp_driving', [1, 21, 3]), f('kp_source', [1, 21, 3])],
    outputs: [f('out', [1, 3, 512, 512])],
  },
  stitching: { id: 'stitching', inputs: [f('input', [1, 126])], outputs: [f('output', [1, 65])] },
  stitching_eye: { id: 'stitching_eye', inputs: [f('input', [1, 66])], outputs: [f('output', [1, 63])] },
  stitching_lip: { id: 'stitching_lip', inputs: [f('input', [1, 65])], outputs: [f('output', [1, 63])] },
  /** Only the third output (203 × (x, y) in 0..1 of the 224 crop) is used. */
  landmark: { id: 'landmark', inputs: [f('input', [1, 3, 224, 224])], outputs: [f('856', [1, 406])] },
} satisfies Record<string, ModelSpec>;

export type ModelId = keyof typeof SPECS;

/** Crop sizes: the networks take 256², the warping net returns 512², the 203-point model takes 224². */
export const INPUT_SIZE = 256;
export const OUTPUT_SIZE = 512;
export const LANDMARK_SIZE = 224;

/**
 * Checks a loaded session's declared input/output types and shapes against its spec (names are checked by
 * checkSessionNames), so a wrong or converted file (e.g. an FP16 export) fails at load with what to do, not with
 * garbage frames. Undeclared or symbolic dims pass.
 * @throws ReenactError ENGINE_FAILED "Expected input img of model motion_extractor to be float32 1×3×256×256 but the file declares float16 1×3×256×256. …"
 */
export function checkSignature(
  session: {
    inputMetadata: readonly { name: string; isTensor: boolean; type?: string; shape?: readonly (number | string)[] }[];
    outputMetadata: readonly { name: string; isTensor: boolean; type?: string; shape?: readonly (number | string)[] }[];
  },
  spec: ModelSpec,
  file: string,
): void {
  const check = (
    kind: 'input' | 'output',
    meta: (typeof session.inputMetadata)[number] | undefined,
    want: ModelSpec['inputs'][number],
  ) => {
    if (!meta?.isTensor) return;
    const shape = meta.shape ?? [];
    const dimsOk =
      shape.length === 0 ||
      (shape.length === want.dims.length &&
        shape.every((d, i) => typeof d !== 'number' || d < 0 || d === want.dims[i]));
    if (meta.type === want.type && dimsOk) return;
    throw new ReenactError(
      'ENGINE_FAILED',
      `Expected ${kind} ${want.name} of model ${spec.id} to be ${want.type} ${want.dims.join('×')} but the file declares ${meta.type} ${shape.join('×') || '(no shape)'} (${file}). Reinstall the catalog's files: reenact models install --force.`,
    );
  };
  for (const want of spec.inputs)
    check(
      'input',
      session.inputMetadata.find((m) => m.name === want.name),
      want,
    );
  for (const want of spec.outputs)
    check(
      'output',
      session.outputMetadata.find((m) => m.name === want.name),
      want,
    );
}

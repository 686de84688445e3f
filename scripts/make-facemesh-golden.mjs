/**
 * Computes the TF.js reference ("golden") outputs that test/face/golden.test.ts compares our converted ONNX models
 * against: facemesh on a fixed 192² crop of the astronaut portrait, iris on two 64² eye crops, blazeface on the
 * portrait downscaled to 256². Run once; its inputs (PNG crops) and outputs (JSON) are committed under
 * test/fixtures/golden/. TF.js is NOT a project dependency: install it in a scratch folder and point TFJS_DIR at it:
 *
 *   mkdir -p /tmp/tfjsgold && cd /tmp/tfjsgold && npm init -y
 *   npm install --save-exact @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0
 *   cd <repo> && TFJS_DIR=/tmp/tfjsgold node scripts/make-facemesh-golden.mjs
 *
 * The crops are made here with a plain bilinear sampler (pixel centres at +0.5) and saved as 8-bit PNG, so both
 * sides read exactly the same input (pixel / 255, or pixel / 127.5 − 1 for blazeface).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PNG } from 'pngjs';

const root = path.resolve(import.meta.dirname, '..');
const tfjsDir = process.env.TFJS_DIR;
if (!tfjsDir)
  throw new Error('Set TFJS_DIR to a folder where @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm are installed.');
const requireTf = createRequire(path.join(path.resolve(tfjsDir), 'package.json'));
const tf = requireTf('@tensorflow/tfjs');
const wasm = requireTf('@tensorflow/tfjs-backend-wasm');
const wasmDir = path.join(path.dirname(requireTf.resolve('@tensorflow/tfjs-backend-wasm')), path.sep);
wasm.setWasmPaths(wasmDir);
await tf.setBackend('wasm');
await tf.ready();

const outDir = path.join(root, 'test/fixtures/golden');
fs.mkdirSync(outDir, { recursive: true });
const modelsDir = path.join(root, 'node_modules/@vladmandic/human/models');
const humanVersion = JSON.parse(fs.readFileSync(path.join(modelsDir, '..', 'package.json'), 'utf8')).version;

const src = PNG.sync.read(fs.readFileSync(path.join(root, 'test/fixtures/media/portrait-astronaut.png')));

/** Bilinear crop: square of `size` px centred on (cx, cy), optionally mirrored, into out×out RGB bytes. */
function crop(cx, cy, size, out, mirror = false) {
  const rgb = new Uint8Array(out * out * 3);
  const k = size / out;
  const px = (x, y, c) => {
    if (x < 0 || y < 0 || x >= src.width || y >= src.height) return 0;
    return src.data[(y * src.width + x) * 4 + c];
  };
  for (let v = 0; v < out; v++)
    for (let u = 0; u < out; u++) {
      const uu = mirror ? out - 1 - u : u;
      const x = cx + (uu + 0.5 - out / 2) * k - 0.5;
      const y = cy + (v + 0.5 - out / 2) * k - 0.5;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      for (let c = 0; c < 3; c++) {
        const val =
          (1 - fx) * (1 - fy) * px(x0, y0, c) +
          fx * (1 - fy) * px(x0 + 1, y0, c) +
          (1 - fx) * fy * px(x0, y0 + 1, c) +
          fx * fy * px(x0 + 1, y0 + 1, c);
        rgb[(v * out + u) * 3 + c] = Math.round(val);
      }
    }
  return rgb;
}

function savePng(name, rgb, w, h) {
  const png = new PNG({ width: w, height: h, colorType: 2 });
  for (let i = 0; i < w * h; i++) {
    png.data[i * 4] = rgb[i * 3];
    png.data[i * 4 + 1] = rgb[i * 3 + 1];
    png.data[i * 4 + 2] = rgb[i * 3 + 2];
    png.data[i * 4 + 3] = 255;
  }
  fs.writeFileSync(path.join(outDir, name), PNG.sync.write(png, { colorType: 2 }));
}

async function loadModel(name) {
  const json = JSON.parse(fs.readFileSync(path.join(modelsDir, `${name}.json`), 'utf8'));
  const bin = fs.readFileSync(path.join(modelsDir, `${name}.bin`));
  return tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      signature: json.signature,
    }),
  );
}

const toTensor = (rgb, n, h, w, scale, bias) =>
  tf.tensor4d(
    Float32Array.from(rgb, (v) => v * scale + bias),
    [n, h, w, 3],
  );
const round = (a) => Array.from(a, (v) => Math.round(v * 1e6) / 1e6);

// facemesh: a fixed 192² crop around the face (centre and size chosen from the tracker's ROI, axis-aligned).
const meshCrop = crop(225, 124, 160, 192);
savePng('facemesh-crop-192.png', meshCrop, 192, 192);
const facemesh = await loadModel('facemesh');
const meshOut = facemesh.execute(toTensor(meshCrop, 1, 192, 192, 1 / 255, 0), ['Identity_2:0', 'Identity_1:0']);
const mesh = await meshOut[0].data();
const faceflag = await meshOut[1].data();

// iris: image-left eye as is, image-right eye mirrored (how the tracker feeds the model); stacked 64×128.
const eyeL = crop(204, 101, 70, 64);
const eyeR = crop(246, 103, 70, 64, true);
const eyes = new Uint8Array(eyeL.length * 2);
eyes.set(eyeL, 0);
eyes.set(eyeR, eyeL.length);
savePng('iris-crops-64.png', eyes, 64, 128);
const iris = await loadModel('iris');
const irisOut = await iris.execute(toTensor(eyes, 2, 64, 64, 1 / 255, 0)).data();

// blazeface: the whole portrait at 256² (no padding needed, it is square), [-1, 1].
const faceIn = crop(256, 256, 512, 256);
savePng('blazeface-input-256.png', faceIn, 256, 256);
const blazeface = await loadModel('blazeface');
const names = ['Identity:0', 'Identity_1:0', 'Identity_2:0', 'Identity_3:0'];
const bf = await Promise.all(
  blazeface.execute(toTensor(faceIn, 1, 256, 256, 1 / 127.5, -1), names).map((t) => t.data()),
);
const logits = [...bf[0], ...bf[1]];
const top = [...logits.keys()].sort((a, b) => logits[b] - logits[a]).slice(0, 5);
const boxRow = (i) => (i < 512 ? bf[2].slice(i * 16, i * 16 + 16) : bf[3].slice((i - 512) * 16, (i - 512) * 16 + 16));

const golden = {
  producedBy: `scripts/make-facemesh-golden.mjs with @tensorflow/tfjs ${tf.version.tfjs} (backend ${tf.getBackend()}), @vladmandic/human ${humanVersion} models`,
  facemesh: { input: 'facemesh-crop-192.png (pixel / 255)', mesh: round(mesh), faceflag: round(faceflag) },
  iris: { input: 'iris-crops-64.png (two 64² crops stacked vertically, pixel / 255)', output: round(irisOut) },
  blazeface: {
    input: 'blazeface-input-256.png (pixel / 127.5 - 1)',
    logits: round(logits),
    top: top.map((i) => ({ anchor: i, box: round(boxRow(i)) })),
  },
};
fs.writeFileSync(path.join(outDir, 'tfjs-golden.json'), `${JSON.stringify(golden)}\n`);
console.log(
  `wrote ${outDir}: faceflag ${faceflag[0]}, mesh[0..2] ${Array.from(mesh.slice(0, 3))}, top anchor ${top[0]}`,
);

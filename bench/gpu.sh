#!/usr/bin/env bash
# The LivePortrait benchmark on an NVIDIA GPU machine, as is: `bash bench/gpu.sh` from the repository.
#
# 1. Installs the project (npm ci, dev dependencies included: the bench runs TypeScript) if node_modules is missing.
# 2. Makes sure onnxruntime-node's CUDA provider libraries are there. They are not in the npm package: its install
#    script fetches them from the NuGet package Microsoft.ML.OnnxRuntime.Gpu.Linux of the same version, and
#    reenact's .npmrc (onnxruntime-node-install=skip) and allowScripts deny that script. This runs it explicitly
#    (ONNXRUNTIME_NODE_INSTALL=cuda12), or, offline, unpacks a .nupkg you downloaded elsewhere:
#      REENACT_ORT_GPU_NUPKG=/path/microsoft.ml.onnxruntime.gpu.linux.1.30.0.nupkg bash bench/gpu.sh
# 3. Checks that those libraries find CUDA 12, cuDNN 9 (and TensorRT 10 for the TensorRT provider) with ldd.
# 4. Runs `npm run bench -- liveportrait-gpu`: generates the random-weight graphs (cache folder), the engine end to
#    end with --device cuda (GridSample-rewritten warping graph), single-network timings on CUDA and TensorRT.
# Exit codes: 0 done, 1 failed, 3 something missing (the message says what and how to get it).
set -euo pipefail
cd "$(dirname "$0")/.."

fail() {
  echo "bench/gpu.sh: $1" >&2
  exit "${2:-3}"
}

[ "$(uname -s)/$(uname -m)" = "Linux/x86_64" ] ||
  fail "onnxruntime-node ships its CUDA and TensorRT providers for Linux x64 only; this is $(uname -s)/$(uname -m)."
command -v node >/dev/null || fail "Node.js 20 or newer is needed (node not found on PATH)."
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
else
  echo "bench/gpu.sh: nvidia-smi not found (no NVIDIA driver?); going on, CUDA will say." >&2
fi
[ -d node_modules/onnxruntime-node ] || npm ci --no-audit --no-fund

ORT_DIR=node_modules/onnxruntime-node
ORT_BIN=$ORT_DIR/bin/napi-v6/linux/x64
ORT_VERSION=$(node -p "require('./$ORT_DIR/package.json').version")
LIBS="libonnxruntime_providers_shared.so libonnxruntime_providers_cuda.so libonnxruntime_providers_tensorrt.so"

if [ ! -f "$ORT_BIN/libonnxruntime_providers_cuda.so" ]; then
  if [ -n "${REENACT_ORT_GPU_NUPKG:-}" ]; then
    [ -f "$REENACT_ORT_GPU_NUPKG" ] || fail "REENACT_ORT_GPU_NUPKG=$REENACT_ORT_GPU_NUPKG is not a file."
    echo "Unpacking the CUDA/TensorRT providers from $REENACT_ORT_GPU_NUPKG"
    # adm-zip comes with onnxruntime-node (its own install script uses it).
    node -e '
      const AdmZip = require(require.resolve("adm-zip", { paths: [process.argv[1]] }));
      const zip = new AdmZip(process.argv[2]);
      for (const lib of process.argv[4].split(" ")) {
        const entry = zip.getEntry("runtimes/linux-x64/native/" + lib);
        if (!entry) { console.error("not in the package: " + lib); process.exit(3); }
        zip.extractEntryTo(entry, process.argv[3], false, true);
      }' "$ORT_DIR" "$REENACT_ORT_GPU_NUPKG" "$ORT_BIN" "$LIBS" ||
      fail "Could not unpack $REENACT_ORT_GPU_NUPKG: is it Microsoft.ML.OnnxRuntime.Gpu.Linux $ORT_VERSION?"
  else
    echo "Installing onnxruntime-node's CUDA providers (NuGet Microsoft.ML.OnnxRuntime.Gpu.Linux $ORT_VERSION)"
    ONNXRUNTIME_NODE_INSTALL=cuda12 node "$ORT_DIR/script/install.js" ||
      fail "Could not download the CUDA providers (no internet here?). On a connected machine, download Microsoft.ML.OnnxRuntime.Gpu.Linux $ORT_VERSION (.nupkg) from NuGet, copy it here and run: REENACT_ORT_GPU_NUPKG=<file> bash bench/gpu.sh"
  fi
fi

# Libraries a provider needs that the loader cannot find (ldd fails outright on a file that is not a library).
missing() {
  [ -f "$ORT_BIN/$1" ] || { echo "$1"; return; }
  { ldd "$ORT_BIN/$1" 2>&1 || echo "$1 (not a loadable library) not found"; } | awk '/not found/ {print $1}' | tr '\n' ' '
}
CUDA_MISSING=$(missing libonnxruntime_providers_cuda.so)
[ -z "$CUDA_MISSING" ] ||
  fail "The CUDA provider cannot load: missing ${CUDA_MISSING}. Install the CUDA 12 runtime, cuBLAS and cuDNN 9 (system packages, or pip's nvidia-cuda-runtime-cu12 nvidia-cublas-cu12 nvidia-cudnn-cu12 nvidia-cufft-cu12 nvidia-curand-cu12) and put their lib folders on LD_LIBRARY_PATH."
EPS=cuda
TRT_MISSING=$(missing libonnxruntime_providers_tensorrt.so)
if [ -z "$TRT_MISSING" ]; then
  EPS=cuda,tensorrt
  # TensorRT provider settings onnxruntime-node cannot pass as options: engine cache (minutes to build otherwise).
  export ORT_TENSORRT_ENGINE_CACHE_ENABLE=1 ORT_TENSORRT_CACHE_PATH="${ORT_TENSORRT_CACHE_PATH:-${REENACT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/reenact}/tensorrt}"
else
  echo "bench/gpu.sh: TensorRT skipped: its provider is missing ${TRT_MISSING}(TensorRT 10 libnvinfer)." >&2
fi

REENACT_LP_GPU_EPS=$EPS npm run bench -- liveportrait-gpu

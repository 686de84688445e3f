"""
Golden crop matrices from LivePortrait's own crop code, for test/engines/liveportrait/golden.test.ts.

Runs src/utils/crop.py of a KwaiVGI/LivePortrait checkout (LP_DIR; numpy only: cv2 is stubbed, the functions used
never call it) on 203 points built from the astronaut fixture's FaceMesh landmarks, and writes the points and
LivePortrait's original->crop matrices to test/fixtures/golden/liveportrait-crop.json.

    git clone https://github.com/KwaiVGI/LivePortrait /tmp/LivePortrait   # checked at 1986663
    LP_DIR=/tmp/LivePortrait python3 scripts/make-liveportrait-golden.py
"""
import json
import os
import sys
import types

import numpy as np

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
lp = os.environ["LP_DIR"]

cv2 = types.ModuleType("cv2")
cv2.setNumThreads = lambda n: None
cv2.ocl = types.SimpleNamespace(setUseOpenCL=lambda b: None)
cv2.INTER_LINEAR = 1
sys.modules["cv2"] = cv2
pkg = types.ModuleType("lp_utils")
pkg.__path__ = [os.path.join(lp, "src", "utils")]
sys.modules["lp_utils"] = pkg
rprint = types.ModuleType("lp_utils.rprint")
rprint.rprint = print
sys.modules["lp_utils.rprint"] = rprint
import importlib  # noqa: E402

crop = importlib.import_module("lp_utils.crop")

lm = np.array(json.load(open(os.path.join(root, "test/fixtures/landmarks/astronaut.json")))["landmarks"], dtype=np.float64)


def loop(indices, n):
    out = []
    for k in range(n):
        t = k * len(indices) / n
        i = int(np.floor(t))
        f = t - i
        a, b = lm[indices[i % len(indices)]], lm[indices[(i + 1) % len(indices)]]
        out.append(a[:2] * (1 - f) + b[:2] * f)
    return out


# LivePortrait's 203-point layout where its crop and ratios read it (eyes 0-47, lip corners 48/66, inner lips
# 90/102), then jaw, brows and nose for the extent: the same construction as the test's stand-in model.
pts = (
    loop([33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246], 24)
    + loop([263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466], 24)
    + loop([61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185], 36)
    + loop([78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191], 24)
)
extent = [127, 234, 93, 132, 58, 172, 136, 150, 149, 176, 148, 152, 377, 400, 378, 379, 365, 397, 288, 361, 323,
          454, 356, 46, 53, 52, 65, 55, 70, 63, 105, 66, 107, 276, 283, 282, 295, 285, 300, 293, 334, 296, 336]
nose = [168, 6, 197, 195, 5, 4, 1, 19, 94, 2, 98, 327, 326, 97, 129, 358]
rest = [lm[i][:2] for i in extent + nose]
k = 0
while len(pts) < 203:
    pts.append(rest[k % len(rest)])
    k += 1
pts = np.array(pts, dtype=np.float32)

cases = {
    "source": dict(dsize=512, scale=2.3, vx_ratio=0, vy_ratio=-0.125, flag_do_rot=True),
    "driving": dict(dsize=512, scale=2.2, vx_ratio=0, vy_ratio=-0.1, flag_do_rot=False),
    "landmark": dict(dsize=224, scale=1.5, vx_ratio=0, vy_ratio=-0.1, flag_do_rot=True),
}
out = {"livePortraitCommit": "1986663", "points203": [round(float(v), 4) for v in pts.flatten()], "o2c": {}}
for name, kw in cases.items():
    m_inv, _ = crop._estimate_similar_transform_from_pts(pts.copy(), **kw)
    out["o2c"][name] = {"params": kw, "matrix": [round(float(v), 6) for v in m_inv.flatten()]}
json.dump(out, open(os.path.join(root, "test/fixtures/golden/liveportrait-crop.json"), "w"), indent=1)
print("wrote test/fixtures/golden/liveportrait-crop.json")

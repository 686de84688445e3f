// Plain-data descriptions of comps and layers (CompInfo / LayerInfo in bridge/src/api/host.ts), and the rules that
// decide what a layer can be used as: a portrait still, a performance clip, or neither (with the reason).

var IMAGE_EXT = /\.(png|jpe?g|tiff?|tga|bmp|psd|exr|dpx|gif|webp|heic|avif)$/i;

/** @param {CompItem} comp */
function compInfo(comp) {
    return {
        id: comp.id,
        name: comp.name,
        width: comp.width,
        height: comp.height,
        pixelAspect: comp.pixelAspect,
        fps: fpsRational(comp.frameRate),
        duration: comp.duration,
        time: comp.time,
        displayStartTime: comp.displayStartTime,
        workArea: { start: comp.workAreaStart, duration: comp.workAreaDuration }
    };
}

/** @param {Layer} layer */
function effectCount(layer) {
    var g = groupOf(layer, 'ADBE Effect Parade');
    return g ? g.numProperties : 0;
}

/** @param {Layer} layer */
function maskCount(layer) {
    var g = groupOf(layer, 'ADBE Mask Parade');
    return g ? g.numProperties : 0;
}

// kind: still | video | sequence | audio | solid | comp | text | shape | camera | light | other
/** @param {Layer} layer */
function layerKind(layer) {
    var src;
    if (layer instanceof TextLayer) { return 'text'; }
    if (layer instanceof ShapeLayer) { return 'shape'; }
    if (layer instanceof CameraLayer) { return 'camera'; }
    if (layer instanceof LightLayer) { return 'light'; }
    if (!(layer instanceof AVLayer)) { return 'other'; }
    src = layer.source;
    if (src instanceof CompItem) { return 'comp'; }
    if (!(src instanceof FootageItem)) { return 'other'; }
    if (src.mainSource instanceof SolidSource) { return 'solid'; }
    if (!(src.mainSource instanceof FileSource)) { return 'other'; }
    // A sound file is footage too, and not a still: only hasVideo tells it from a clip.
    if (!src.hasVideo) { return 'audio'; }
    if (src.mainSource.isStill) { return 'still'; }
    if (src.file && IMAGE_EXT.test(src.file.name)) { return 'sequence'; }
    return 'video';
}

/** @param {Layer} layer */
function filePath(layer) {
    var src = sourceOf(layer);
    if (!(src instanceof FootageItem) || !(src.mainSource instanceof FileSource)) { return null; }
    if (src.file) { return src.file.fsName; }
    return src.mainSource.missingFootagePath || null;
}

/** @param {Layer} layer @param {string} matchName */
function propValue(layer, matchName) {
    var p = transformProp(layer, matchName);
    return p ? p.value : null;
}

/** @param {Layer} layer */
function transformInfo(layer) {
    return {
        anchorPoint: propValue(layer, 'ADBE Anchor Point'),
        position: propValue(layer, 'ADBE Position'),
        scale: propValue(layer, 'ADBE Scale'),
        rotation: propValue(layer, 'ADBE Rotate Z'),
        opacity: propValue(layer, 'ADBE Opacity')
    };
}

// Why this layer cannot be used as-is, or null. Offline media and footage without a file are the usual causes.
/** @param {Layer} layer @param {string} kind */
function layerProblem(layer, kind) {
    var src = sourceOf(layer);
    if (kind === 'camera' || kind === 'light' || kind === 'other') {
        return { code: 'WRONG_SELECTION', message: 'Layer "' + layer.name + '" is a ' + kind +
            ' layer. Select a still image or a layer with a face, and a video clip of the performance.' };
    }
    if (kind === 'audio') {
        return { code: 'WRONG_SELECTION', message: 'Layer "' + layer.name + '" is audio only: it has no picture. ' +
            'Select a still image or a layer with a face, and a video clip of the performance.' };
    }
    if (src instanceof FootageItem && src.mainSource instanceof FileSource) {
        if (src.footageMissing) {
            return { code: 'OFFLINE_FOOTAGE', message: 'The footage of layer "' + layer.name + '" is offline (' +
                (src.mainSource.missingFootagePath || src.name) + '). Relink it (File > Replace Footage > File) and try again.' };
        }
        if (!src.file) {
            return { code: 'NO_FILE', message: 'Layer "' + layer.name + '" has no footage file on disk. ' +
                'Replace it with an image or movie file, or precompose it so reenact can render it.' };
        }
    }
    return null;
}

// Whether the layer, used as the portrait, must first be rendered to a PNG with exportStill: comps, text and shape
// layers, and stills with effects or masks. Plain still files are read directly; clips are never portraits.
/** @param {Layer} layer @param {string} kind */
function needsExport(layer, kind) {
    if (kind === 'comp' || kind === 'text' || kind === 'shape') { return true; }
    if (kind !== 'still') { return false; }
    return effectCount(layer) > 0 || maskCount(layer) > 0;
}

// ---- comp time <-> clip frames: the one place this mapping is written (the panel gets its results in LayerInfo) ----
// A footage layer shows clip time (t - startTime) * 100 / stretch at comp time t. startTime is where clip time 0
// sits, also on reversed layers (negative stretch), whose clip runs backwards from there. The rate is the one AE plays
// the clip at (the footage rate, conformed or not). Time-remapped layers do not follow this mapping.

/** Frames per second AE plays the layer's clip at; 0 for stills and non-footage. @param {Layer} layer */
function clipRate(layer) {
    var src = sourceOf(layer);
    return src instanceof FootageItem && src.mainSource instanceof FileSource && !src.mainSource.isStill ?
        src.frameRate : 0;
}

/** Clip frames in the layer's footage. @param {Layer} layer */
function clipFrameCount(layer) {
    var src = sourceOf(layer), rate = clipRate(layer);
    return rate ? Math.max(1, Math.round(src.duration * rate)) : 0;
}

/** The clip time (in frames, fractional) a layer shows at comp time t. @param {Layer} layer */
function clipFrameTime(layer, t) {
    return (t - layer.startTime) * clipRate(layer) * 100 / layer.stretch;
}

/** The clip frame shown at comp time t, within the clip. @param {Layer} layer */
function frameAtTime(layer, t) {
    var f = Math.floor(clipFrameTime(layer, t) + 1e-6);
    return Math.max(0, Math.min(clipFrameCount(layer) - 1, f));
}

/** The comp time at which clip frame f sits (its start for forward layers, its end for reversed ones). */
function timeOfFrame(layer, f) {
    return layer.startTime + (f / clipRate(layer)) * (layer.stretch / 100);
}

// Clip frames [start, end] whose times fall in comp time [a, b), or null when none do (or the layer does not map
// plainly: time remapping, no clip rate).
/** @param {Layer} layer */
function framesBetween(layer, a, b) {
    var x = clipFrameTime(layer, a), y = clipFrameTime(layer, b), lo = Math.min(x, y), hi = Math.max(x, y);
    var first = Math.max(0, Math.ceil(lo - 1e-6)), last = Math.min(clipFrameCount(layer) - 1, Math.ceil(hi - 1e-6) - 1);
    if (!clipRate(layer) || (layer instanceof AVLayer && layer.timeRemapEnabled) || last < first) { return null; }
    return { start: first, end: last };
}

/** @param {Layer} layer */
function layerInfo(layer) {
    var kind = layerKind(layer), src = sourceOf(layer);
    var footage = src instanceof FootageItem && src.mainSource instanceof FileSource;
    var problem = layerProblem(layer, kind);
    return {
        index: layer.index,
        id: layer.id,
        name: layer.name,
        kind: kind,
        file: filePath(layer),
        width: layer instanceof AVLayer ? layer.width : null,
        height: layer instanceof AVLayer ? layer.height : null,
        sourceFps: footage && !src.mainSource.isStill ? fpsRational(src.frameRate) : null,
        sourceDuration: footage && !src.mainSource.isStill ? src.duration : null,
        layerRange: framesBetween(layer, layer.inPoint, layer.outPoint),
        frameAtTime: clipRate(layer) ? frameAtTime(layer, layer.containingComp.time) : null,
        inPoint: layer.inPoint,
        outPoint: layer.outPoint,
        startTime: layer.startTime,
        stretch: layer.stretch,
        timeRemap: layer instanceof AVLayer ? layer.timeRemapEnabled : false,
        enabled: layer.enabled,
        effects: effectCount(layer),
        masks: maskCount(layer),
        needsExport: problem ? false : needsExport(layer, kind),
        transform: transformInfo(layer),
        problem: problem
    };
}

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

// kind: still | video | sequence | solid | comp | text | shape | camera | light | other
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

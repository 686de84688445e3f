// Plain-data descriptions of comps and layers (CompInfo / LayerInfo in bridge/src/api/host.ts), and the rules that
// decide what a layer can be used as: a portrait still, a performance clip, or neither (with the reason).

var IMAGE_EXT = /\.(png|jpe?g|tiff?|tga|bmp|psd|exr|dpx|gif|webp|heic|avif)$/i;

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

function effectCount(layer) {
    var g = layer.property('ADBE Effect Parade');
    return g ? g.numProperties : 0;
}

function maskCount(layer) {
    var g = layer.property('ADBE Mask Parade');
    return g ? g.numProperties : 0;
}

// kind: still | video | sequence | solid | comp | text | shape | camera | light | other
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

function filePath(layer) {
    var src = layer.source;
    if (!(src instanceof FootageItem) || !(src.mainSource instanceof FileSource)) { return null; }
    if (src.file) { return src.file.fsName; }
    return src.mainSource.missingFootagePath || null;
}

function propValue(layer, matchName) {
    var p = layer.property('ADBE Transform Group').property(matchName);
    return p ? p.value : null;
}

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
function layerProblem(layer, kind) {
    var src = layer.source;
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
function needsExport(layer, kind) {
    if (kind === 'comp' || kind === 'text' || kind === 'shape') { return true; }
    if (kind !== 'still') { return false; }
    return effectCount(layer) > 0 || maskCount(layer) > 0;
}

function layerInfo(layer) {
    var kind = layerKind(layer), src = layer.source, isAV = layer instanceof AVLayer;
    var footage = src instanceof FootageItem && src.mainSource instanceof FileSource;
    var problem = layerProblem(layer, kind);
    return {
        index: layer.index,
        id: layer.id,
        name: layer.name,
        kind: kind,
        file: filePath(layer),
        width: isAV ? layer.width : null,
        height: isAV ? layer.height : null,
        sourceFps: footage && !src.mainSource.isStill ? fpsRational(src.frameRate) : null,
        sourceDuration: footage && !src.mainSource.isStill ? src.duration : null,
        inPoint: layer.inPoint,
        outPoint: layer.outPoint,
        startTime: layer.startTime,
        stretch: layer.stretch,
        timeRemap: isAV ? layer.timeRemapEnabled : false,
        enabled: layer.enabled,
        effects: effectCount(layer),
        masks: maskCount(layer),
        needsExport: problem ? false : needsExport(layer, kind),
        transform: transformInfo(layer),
        problem: problem
    };
}

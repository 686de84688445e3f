// importResult: brings a finished render back into the comp in one undo step. The footage goes into a "reenact"
// folder, its frame rate is conformed to the exact driving rate, the layer lands directly above the portrait,
// starts where its first driving frame sits in the comp, covers the portrait (copied transform, or fitted when
// sizes differ), and is labelled and named "<portrait> (reenact)". Rendering again over an earlier result replaces
// that footage in place, keeping the artist's edits on the layer, instead of stacking a new layer.

var RESULT_FOLDER = 'reenact';
var RESULT_LABEL = 10; // Purple in AE's default label set: tells results apart from the artist's own layers.
var RESULT_TAG = 'reenact:result-of-layer=';

function resultFolder() {
    var root = app.project.rootFolder;
    var folder = /** @type {FolderItem} */ (findItem(root, function (it) {
        return it instanceof FolderItem && it.name === RESULT_FOLDER;
    }));
    if (!folder) {
        folder = app.project.items.addFolder(RESULT_FOLDER);
        folder.parentFolder = root;
    }
    return folder;
}

/** @param {CompItem} comp @param {Layer} still @returns {AVLayer} */
function previousResult(comp, still) {
    return /** @type {AVLayer} */ (findLayer(comp, function (l) {
        return l !== still && l.comment === RESULT_TAG + still.id && sourceOf(l) instanceof FootageItem;
    }));
}

// Layer ids survive reordering (the result itself shifts indices), so ids win over indices when given.
/** @param {CompItem} comp @returns {Layer} */
function layerByIdOrIndex(comp, id, index, what) {
    var layer;
    if (id === undefined || id === null) { return layerByIndex(comp, index, what); }
    requireInt(id, what + ' id', 1);
    layer = findLayer(comp, function (l) { return l.id === id; });
    if (!layer) { fail('NOT_FOUND', 'No layer with id ' + id + ' for ' + what + ' in "' + comp.name + '". Select it again.'); }
    return layer;
}

// Importing "over" a previous result layer means: refresh that result, for the portrait it was made from.
/** @param {CompItem} comp @param {Layer} layer @returns {Layer} */
function portraitOf(comp, layer) {
    var id, original;
    if (layer.comment.indexOf(RESULT_TAG) !== 0) { return layer; }
    id = Number(layer.comment.substring(RESULT_TAG.length));
    original = findLayer(comp, function (l) { return l.id === id; });
    return original || layer;
}

/** @param {File} file @param {boolean} sequence @returns {FootageItem} */
function importFootage(file, sequence) {
    var io = new ImportOptions();
    io.file = file;
    if (sequence) {
        io.sequence = true;
        io.forceAlphabetical = false;
    }
    if (!io.canImportAs(ImportAsType.FOOTAGE)) {
        fail('IMPORT_FAILED', 'After Effects cannot import "' + file.fsName + '" as footage. Render as PNG or ProRes 4444.');
    }
    io.importAs = ImportAsType.FOOTAGE;
    try {
        return /** @type {FootageItem} */ (app.project.importFile(io));
    } catch (e) {
        fail('IMPORT_FAILED', 'After Effects could not import "' + file.fsName + '": ' + e.message);
    }
    return null;
}

// Output frame 0 shows driving clip frame `firstFrame`: put it at the comp time where the driving layer shows that
// frame, at the rate AE plays the clip (its footage rate, which the artist may have conformed), not the render's.
/** @param {AVLayer} driving @param {string[]} warnings */
function alignedStart(req, driving, warnings) {
    var src, rate;
    if (typeof req.startTime === 'number') { return req.startTime; }
    if (!driving) { return null; }
    if (driving.timeRemapEnabled) {
        warnings.push('Layer "' + driving.name + '" uses time remapping: the result starts with it but its frames ' +
            'follow the clip, not the remap.');
    }
    src = driving.source;
    rate = src instanceof FootageItem && !src.mainSource.isStill ? src.frameRate : req.fps.num / req.fps.den;
    return driving.startTime + ((req.firstFrame || 0) / rate) * (driving.stretch / 100);
}

/** @param {Layer} layer */
function isAnimated(layer) {
    var names = ['ADBE Anchor Point', 'ADBE Position', 'ADBE Scale', 'ADBE Rotate Z', 'ADBE Opacity'], i, p;
    for (i = 0; i < names.length; i += 1) {
        p = transformProp(layer, names[i]);
        if (p && (p.numKeys > 0 || (p.expressionEnabled && p.expression !== ''))) { return true; }
    }
    return false;
}

function scaled(v, sx, sy) {
    var out = [v[0] * sx, v[1] * sy], i;
    for (i = 2; i < v.length; i += 1) { out.push(v[i]); }
    return out;
}

// Same footprint as the portrait: copy its transform, mapping anchor and scale when the result's size differs.
/** @param {AVLayer} layer @param {AVLayer} still @param {string[]} warnings */
function coverStill(layer, still, warnings) {
    var sx = still.width / layer.width, sy = still.height / layer.height, scale;
    if (isAnimated(still)) {
        warnings.push('The transform of "' + still.name + '" is animated: the result copies its value at the current ' +
            'time. Parent the result to it to follow the animation.');
    }
    if (still.threeDLayer) { layer.threeDLayer = true; }
    layer.parent = still.parent;
    transformProp(layer, 'ADBE Anchor Point').setValue(scaled(transformProp(still, 'ADBE Anchor Point').value, 1 / sx, 1 / sy));
    transformProp(layer, 'ADBE Position').setValue(transformProp(still, 'ADBE Position').value);
    scale = transformProp(still, 'ADBE Scale').value;
    transformProp(layer, 'ADBE Scale').setValue(scaled(scale, sx, sy));
    transformProp(layer, 'ADBE Rotate Z').setValue(transformProp(still, 'ADBE Rotate Z').value);
    transformProp(layer, 'ADBE Opacity').setValue(transformProp(still, 'ADBE Opacity').value);
    return sx === 1 && sy === 1 ? 'copied' : 'fitted';
}

function readImportRequest(text) {
    var req = parseArg(text, 'the import request');
    if (!req || typeof req !== 'object') { fail('BAD_ARGUMENT', 'Expected an import request object but received ' + show(req) + '.'); }
    requireString(req.file, 'file');
    if (req.format !== 'png' && req.format !== 'prores') {
        fail('BAD_ARGUMENT', 'Expected "png" or "prores" for format but received ' + show(req.format) + '.');
    }
    req.fps = parseFps(req.fps, 'fps');
    if (req.fps.num / req.fps.den > 99) {
        fail('BAD_ARGUMENT', 'After Effects conforms footage to at most 99 fps but the render is ' + req.fps.num + '/' +
            req.fps.den + ' fps. Render at the comp frame rate.');
    }
    if (req.stillLayerId === undefined || req.stillLayerId === null) { requireInt(req.stillLayer, 'stillLayer', 1); }
    if (req.firstFrame !== undefined) { requireInt(req.firstFrame, 'firstFrame', 0); }
    return req;
}

function importResult(requestJson) {
    var req = readImportRequest(requestJson), comp = activeComp(), warnings = [], file, still, driving, result;
    requireWritableProject();
    still = portraitOf(comp, layerByIdOrIndex(comp, req.stillLayerId, req.stillLayer, 'the portrait layer'));
    driving = null;
    if ((req.drivingLayer !== undefined && req.drivingLayer !== null) || (req.drivingLayerId !== undefined && req.drivingLayerId !== null)) {
        driving = layerByIdOrIndex(comp, req.drivingLayerId, req.drivingLayer, 'the performance layer');
    }
    if (!(still instanceof AVLayer)) {
        fail('WRONG_SELECTION', 'Layer "' + still.name + '" cannot hold a result. Choose the portrait image layer.');
    }
    file = new File(req.file);
    if (!file.exists) {
        fail('NOT_FOUND', 'The rendered ' + (req.format === 'png' ? 'frame' : 'movie') + ' "' + file.fsName +
            '" does not exist. Render again, then import.');
    }
    result = withUndoGroup('reenact: import result', function () {
        return placeResult(req, comp, still, driving, file, warnings);
    });
    result.warnings = warnings;
    return result;
}

// AE 2022 takes a layer's track matte from the layer directly above it, so a result inserted there would become the
// portrait's matte; place it above the matte instead. AE 2023+ references the matte (trackMatteLayer), so the
// result can sit directly above the portrait.
/** @param {CompItem} comp @param {AVLayer} still @param {string[]} warnings @returns {Layer} */
function insertionPoint(comp, still, warnings) {
    var legacyMatte = still.hasTrackMatte && /** @type {any} */ (still).trackMatteLayer === undefined;
    if (!legacyMatte || still.index < 2) { return still; }
    warnings.push('Layer "' + still.name + '" uses the layer above it as a track matte: the result was placed above ' +
        'that matte layer so the matte is unchanged. Apply a matte to the result if it needs one.');
    return comp.layer(still.index - 1);
}

/** @param {CompItem} comp @param {AVLayer} still @param {AVLayer} driving @param {File} file @param {string[]} warnings */
function placeResult(req, comp, still, driving, file, warnings) {
    var previous = previousResult(comp, still), item, layer, start, placement = 'kept';
    start = alignedStart(req, driving, warnings);
    if (start === null && !previous) { start = still.inPoint; }
    if (previous) {
        item = /** @type {FootageItem} */ (previous.source);
        if (req.format === 'png') { item.replaceWithSequence(file, false); } else { item.replace(file); }
        layer = previous;
    } else {
        item = importFootage(file, req.format === 'png');
        item.parentFolder = resultFolder();
    }
    // A one-frame render imports as a still, and AE refuses a frame rate on stills.
    if (!item.mainSource.isStill) { item.mainSource.conformFrameRate = req.fps.num / req.fps.den; }
    item.name = still.name + ' (reenact)';
    item.label = RESULT_LABEL;
    item.comment = 'reenact result, ' + req.fps.num + '/' + req.fps.den + ' fps';
    if (!previous) {
        layer = comp.layers.add(item);
        layer.moveBefore(insertionPoint(comp, still, warnings));
        layer.name = still.name + ' (reenact)';
        layer.label = RESULT_LABEL;
        layer.comment = RESULT_TAG + still.id;
        placement = coverStill(layer, still, warnings);
    }
    if (start !== null) {
        layer.startTime = start;
        if (driving && driving.stretch !== 100) { layer.stretch = driving.stretch; }
    }
    return {
        layer: layer.index,
        layerId: layer.id,
        name: layer.name,
        itemId: item.id,
        replaced: !!previous,
        placement: placement,
        startTime: layer.startTime,
        fps: { num: req.fps.num, den: req.fps.den }
    };
}

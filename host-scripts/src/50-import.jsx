// importResult: brings a finished render back into the comp in one undo step. The footage goes into a "reenact"
// folder, its frame rate is conformed to the exact driving rate and its alpha read as straight, the layer lands
// directly above the portrait in the portrait's own comp (found by layer id, whichever comp is open), starts where
// its first driving frame sits with the driving layer's stretch, covers the portrait (copied transform, or fitted
// when sizes differ), and is labelled and named "<portrait> (reenact)". Rendering again over an earlier result
// replaces that footage in place, keeping the artist's edits on the layer, instead of stacking a new layer.

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

// Importing "over" a previous result layer means: refresh that result, for the portrait it was made from.
/** @param {CompItem} comp @param {Layer} layer @returns {Layer} */
function portraitOf(comp, layer) {
    var id, original;
    if (layer.comment.indexOf(RESULT_TAG) !== 0) { return layer; }
    id = Number(layer.comment.substring(RESULT_TAG.length));
    original = findLayer(comp, function (l) { return l.id === id; });
    return original || layer;
}

// Our renders carry straight (unmatted) colour. Without a label AE would follow the Import preference "Interpret
// Unlabeled Alpha As" (Ask User by default) or its guess: set it, after every import and replace.
/** @param {FootageItem} item */
function straightAlpha(item) {
    if (item.mainSource.hasAlpha) { item.mainSource.alphaMode = AlphaMode.STRAIGHT; }
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
    if (typeof req.startTime === 'number') { return req.startTime; }
    if (!driving) { return null; }
    if (driving.timeRemapEnabled) {
        warnings.push('Layer "' + driving.name + '" uses time remapping: the result starts with it but its frames ' +
            'follow the clip, not the remap.');
    }
    if (!clipRate(driving)) { return driving.startTime; }
    return timeOfFrame(driving, req.firstFrame || 0);
}

/** @param {Property} p */
function varies(p) {
    return !!p && (p.numKeys > 0 || (p.expressionEnabled && p.expression !== ''));
}

// A position kept as separate X/Y/Z holds its keyframes on those parts, not on Position itself.
/** @param {Layer} layer */
function isAnimated(layer) {
    var names = ['ADBE Anchor Point', 'ADBE Position', 'ADBE Scale', 'ADBE Rotate Z', 'ADBE Opacity'], i, d, p;
    for (i = 0; i < names.length; i += 1) {
        p = transformProp(layer, names[i]);
        if (varies(p)) { return true; }
        if (p && p.isSeparationLeader && p.dimensionsSeparated) {
            for (d = 0; d < p.value.length; d += 1) {
                if (varies(p.getSeparationFollower(d))) { return true; }
            }
        }
    }
    return false;
}

function scaled(v, sx, sy) {
    var out = [v[0] * sx, v[1] * sy], i;
    for (i = 2; i < v.length; i += 1) { out.push(v[i]); }
    return out;
}

// Same footprint as the portrait: copy its transform so that the result's pixels land on the part of the portrait
// the render was made from (rect, in the portrait's coordinates: its whole frame, or what an exported text or shape
// layer draws), mapping anchor and scale when the sizes differ.
/** @param {AVLayer} layer @param {AVLayer} still @param {string[]} warnings */
function coverStill(layer, still, rect, warnings) {
    var sx = rect.width / layer.width, sy = rect.height / layer.height, anchor;
    if (isAnimated(still)) {
        warnings.push('The transform of "' + still.name + '" is animated: the result copies its value at the current ' +
            'time. Parent the result to it to follow the animation.');
    }
    if (still.threeDLayer) { layer.threeDLayer = true; }
    layer.parent = still.parent;
    anchor = transformProp(still, 'ADBE Anchor Point').value;
    anchor[0] -= rect.left;
    anchor[1] -= rect.top;
    transformProp(layer, 'ADBE Anchor Point').setValue(scaled(anchor, 1 / sx, 1 / sy));
    transformProp(layer, 'ADBE Position').setValue(transformProp(still, 'ADBE Position').value);
    transformProp(layer, 'ADBE Scale').setValue(scaled(transformProp(still, 'ADBE Scale').value, sx, sy));
    transformProp(layer, 'ADBE Rotate Z').setValue(transformProp(still, 'ADBE Rotate Z').value);
    transformProp(layer, 'ADBE Opacity').setValue(transformProp(still, 'ADBE Opacity').value);
    return sx === 1 && sy === 1 ? 'copied' : 'fitted';
}

// The part of the portrait the render shows: what exportStill rendered (its rect), else the portrait's whole frame.
/** @param {AVLayer} still */
function portraitRect(req, still) {
    var r = req.portraitRect;
    if (r === undefined || r === null) { return { left: 0, top: 0, width: still.width, height: still.height }; }
    if (typeof r !== 'object') { fail('BAD_ARGUMENT', 'Expected {left, top, width, height} for portraitRect but received ' + show(r) + '.'); }
    requireNumber(r.left, 'portraitRect.left');
    requireNumber(r.top, 'portraitRect.top');
    if (!(requireNumber(r.width, 'portraitRect.width') > 0) || !(requireNumber(r.height, 'portraitRect.height') > 0)) {
        fail('BAD_ARGUMENT', 'Expected a positive width and height for portraitRect but received ' + show(r) + '.');
    }
    return r;
}

function readImportRequest(text) {
    var req = parseArg(text, 'the import request');
    if (!req || typeof req !== 'object') { fail('BAD_ARGUMENT', 'Expected an import request object but received ' + show(req) + '.'); }
    requireString(req.file, 'file');
    if (req.format !== 'png' && req.format !== 'prores') {
        fail('BAD_ARGUMENT', 'Expected "png" or "prores" for format but received ' + show(req.format) + '.');
    }
    requireInt(req.stillLayerId, 'stillLayerId', 1);
    req.fps = parseFps(req.fps, 'fps');
    if (req.fps.num / req.fps.den > 99) {
        fail('BAD_ARGUMENT', 'After Effects conforms footage to at most 99 fps but the render is ' + req.fps.num + '/' +
            req.fps.den + ' fps. Render at the comp frame rate.');
    }
    if (req.firstFrame !== undefined) { requireInt(req.firstFrame, 'firstFrame', 0); }
    return req;
}

function importResult(requestJson) {
    var req = readImportRequest(requestJson), warnings = [], comp, file, still, driving, result;
    requireWritableProject();
    still = layerById(req.stillLayerId, 'portrait layer');
    comp = still.containingComp;
    still = portraitOf(comp, still);
    driving = null;
    if (req.drivingLayerId !== undefined && req.drivingLayerId !== null) {
        driving = layerById(req.drivingLayerId, 'performance layer');
        if (driving.containingComp !== comp) {
            warnings.push('Layer "' + driving.name + '" is in another comp than "' + still.name + '": the result ' +
                'starts at the portrait instead of following it.');
            driving = null;
        }
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
    var previous = previousResult(comp, still), rect = portraitRect(req, still), item, layer, start, placement = 'kept';
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
    straightAlpha(item);
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
        placement = coverStill(layer, still, rect, warnings);
    }
    // The result plays at the driving layer's stretch (reversed too), every time, also back to 100. Stretch first:
    // changing it moves the layer around a held point, and only the start time set after it is exact.
    if (driving) { layer.stretch = driving.stretch; }
    if (start !== null) { layer.startTime = start; }
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

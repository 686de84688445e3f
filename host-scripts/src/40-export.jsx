// exportStill: a PNG of one layer at one time, for portraits that are not a plain image file (comps, text, shape
// layers, layers with effects or masks). Renders through a temp comp with saveFrameToPng, so the user's render
// queue is never touched and AE renders one frame.
//
// saveFrameToPng is asynchronous in recent AE (reported on AE 26.3: the call returns once the frame is queued and
// the PNG is written in the background), so the temp comp must outlive the call: it is removed at once when the PNG
// is already complete, else by a scheduled task once it is (or after a minute). Callers wait for a complete PNG
// (PNG signature + IEND trailer) before reading it; `written` says whether it already was.

var TEMP_COMP_NAME = 'reenact temp still';
var TEMP_MAX_AGE_MS = 60000;
// One-shot tasks that re-arm themselves while exports are pending: a reloaded host script starts with no pending
// exports, so an old chain simply ends instead of repeating forever.
var FINISH_TASK = 'if ($.global.reenact) { $.global.reenact.finishExports(true); }';
var pendingExports = [];
var finishScheduled = false;

/** @param {CompItem} comp @param {Layer} layer @param {number} time */
function defaultStillFile(comp, layer, time) {
    var folder = new Folder(Folder.temp.fsName + '/reenact');
    if (!folder.exists) { folder.create(); }
    return new File(folder.fsName + '/still_' + comp.id + '_' + layer.id + '_' +
        Math.round(time * comp.frameRate) + '.png');
}

// Complete when the file ends with the IEND chunk's type and CRC (the last 8 bytes of every PNG).
/** @param {File} file */
function pngComplete(file) {
    var tail = '';
    if (!file.exists) { return false; }
    file.encoding = 'BINARY';
    if (!file.open('r')) { return false; }
    try {
        if (file.length < 57) { return false; }
        file.seek(file.length - 8, 0);
        tail = file.read(8);
    } finally {
        file.close();
    }
    return tail === 'IEND\u00aeB`\u0082';
}

// Puts a layer's pixels at the origin of a comp the size of the layer, upright, unscaled and opaque.
/** @param {AVLayer} layer @param {number} w @param {number} h */
function resetTransform(layer, w, h) {
    var center = layer.threeDLayer ? [w / 2, h / 2, 0] : [w / 2, h / 2];
    layer.parent = null;
    clearAndSet(transformProp(layer, 'ADBE Anchor Point'), center);
    clearAndSet(transformProp(layer, 'ADBE Position'), center);
    clearAndSet(transformProp(layer, 'ADBE Scale'), layer.threeDLayer ? [100, 100, 100] : [100, 100]);
    clearAndSet(transformProp(layer, 'ADBE Rotate Z'), 0);
    clearAndSet(transformProp(layer, 'ADBE Opacity'), 100);
}

/** @param {Property} prop */
function clearAndSet(prop, value) {
    if (!prop) { return; }
    if (prop.expressionEnabled) { prop.expressionEnabled = false; }
    while (prop.numKeys > 0) { prop.removeKey(prop.numKeys); }
    prop.setValue(value);
}

/** @param {CompItem} comp */
function removeTempComp(comp) {
    try {
        withUndoGroup('reenact: remove temp comp', function () { comp.remove(); });
    } catch (e) {
        // Already gone (the artist deleted it, or undid the export): nothing to clean up.
    }
}

function scheduleFinish() {
    if (finishScheduled) { return; }
    finishScheduled = true;
    app.scheduleTask(FINISH_TASK, 500, false);
}

// Runs every half second while exports are pending: removes each temp comp whose PNG is complete or that is over a
// minute old. `fromTask` is true when AE's scheduler runs it (the panel may also call it).
function finishExports(fromTask) {
    var left = [], now = new Date().getTime(), i, p;
    if (fromTask === true) { finishScheduled = false; }
    for (i = 0; i < pendingExports.length; i += 1) {
        p = pendingExports[i];
        if (pngComplete(p.file) || now - p.started > TEMP_MAX_AGE_MS) { removeTempComp(p.comp); } else { left.push(p); }
    }
    pendingExports = left;
    if (left.length > 0) { scheduleFinish(); }
    return { pending: left.length };
}

// Temp comps no pending export knows about (left by a host script that was reloaded mid-export).
function sweepTempComps() {
    var root = app.project.rootFolder, orphans = [], i, j, item, known;
    for (i = 1; i <= root.numItems; i += 1) {
        item = root.item(i);
        if (!(item instanceof CompItem) || item.name !== TEMP_COMP_NAME) { continue; }
        known = false;
        for (j = 0; j < pendingExports.length; j += 1) {
            if (pendingExports[j].comp === item) { known = true; }
        }
        if (!known) { orphans.push(item); }
    }
    for (i = 0; i < orphans.length; i += 1) { removeTempComp(orphans[i]); }
}

function exportStill(layerIndex, time, outPath) {
    var comp = activeComp(), layer = layerByIndex(comp, layerIndex, 'the portrait layer');
    var kind = layerKind(layer), problem = layerProblem(layer, kind), file, w, h, temp, written;
    if (problem) { fail(problem.code, problem.message); }
    if (time === undefined || time === null) { time = comp.time; }
    requireNumber(time, 'time');
    if (!(layer instanceof AVLayer)) {
        fail('WRONG_SELECTION', 'Layer "' + layer.name + '" has no pixels to export. Choose an image, comp, text or shape layer.');
    }
    file = outPath ? new File(requireString(outPath, 'the output file')) : defaultStillFile(comp, layer, time);
    if (!file.parent.exists) { file.parent.create(); }
    if (file.exists && !file.remove()) {
        fail('EXPORT_FAILED', 'Cannot replace "' + file.fsName + '". Close the program using it, or choose another file.');
    }
    w = Math.round(layer.width);
    h = Math.round(layer.height);
    sweepTempComps();
    withUndoGroup('reenact: export still', function () {
        temp = app.project.items.addComp(TEMP_COMP_NAME, w, h, comp.pixelAspect,
            Math.max(comp.duration, time + comp.frameDuration), comp.frameRate);
        try {
            temp.resolutionFactor = [1, 1]; // saveFrameToPng renders at the comp's resolution
            layer.copyToComp(temp);
            resetTransform(/** @type {AVLayer} */ (temp.layer(1)), w, h);
            temp.layer(1).enabled = true;
            temp.saveFrameToPng(time, file);
        } catch (e) {
            temp.remove();
            fail('EXPORT_FAILED', 'After Effects could not render layer "' + layer.name + '" to "' + file.fsName + '": ' +
                e.message + '. If scripts may not write files, turn on Preferences > Scripting & Expressions > ' +
                'Allow Scripts to Write Files and Access Network.');
        }
    });
    written = pngComplete(file);
    if (written) {
        removeTempComp(temp);
    } else {
        pendingExports.push({ comp: temp, file: file, started: new Date().getTime() });
        scheduleFinish();
    }
    return { file: file.fsName, width: w, height: h, time: time, written: written };
}

// exportStill: a PNG of one layer at one time, for portraits that are not a plain image file (comps, text, shape
// layers, layers with effects or masks). Renders through a temp comp with saveFrameToPng, so the user's render
// queue is never touched and AE renders one frame. The temp comp is the size of what the layer draws
// (sourceRectAtTime: text sits above its baseline, shapes around the layer origin), and that rectangle comes back
// with the PNG so the result can be placed exactly over the layer.
//
// Writing files needs Preferences > Scripting & Expressions > Allow Scripts to Write Files and Access Network (off
// in a fresh AE, which then stops the script with its own alert): it is checked first. Folders are created by the
// panel's Node, not here. saveFrameToPng is undocumented: a false answer is taken as a failure like a throw.
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

// Where AE keeps the preference (section, key, file) differs between versions; the first one present answers.
var FILE_WRITE_PREFS = [
    ['Main Pref Section v2', 'Pref_SCRIPTING_FILE_NETWORK_SECURITY', 'PREF_Type_MACHINE_SPECIFIC'],
    ['Main Pref Section v2', 'Pref_SCRIPTING_FILE_NETWORK_SECURITY', 'PREF_Type_MACHINE_INDEPENDENT'],
    ['Main Pref Section', 'Pref_SCRIPTING_FILE_NETWORK_SECURITY', 'PREF_Type_MACHINE_SPECIFIC']
];

// True or false when AE says, null when no version of the preference could be read (then the write itself decides).
function scriptsMayWriteFiles() {
    var i, p, type;
    for (i = 0; i < FILE_WRITE_PREFS.length; i += 1) {
        p = FILE_WRITE_PREFS[i];
        try {
            type = PREFType[p[2]];
            if (app.preferences.havePref(p[0], p[1], type)) { return app.preferences.getPrefAsLong(p[0], p[1], type) === 1; }
        } catch (e) {
            // Not in this file or this AE: try the next place.
        }
    }
    return null;
}

function round3(x) {
    return Math.round(x * 1000) / 1000;
}

// The time to render: the comp's current time by default, or the layer's in point when the portrait is not shown
// then (a frame with nothing in it has no face); an explicit time must be one the layer is shown at.
/** @param {Layer} layer @param {CompItem} comp */
function exportTime(layer, comp, time) {
    var shown;
    if (time === undefined || time === null) {
        time = comp.time;
        shown = time >= layer.inPoint && time < layer.outPoint;
        return shown ? time : layer.inPoint;
    }
    requireNumber(time, 'time');
    if (time < layer.inPoint || time >= layer.outPoint) {
        fail('BAD_ARGUMENT', 'Layer "' + layer.name + '" is not shown at ' + round3(time) + ' s (it shows from ' +
            round3(layer.inPoint) + ' s to ' + round3(layer.outPoint) + ' s). Export it at a time inside the layer.');
    }
    return time;
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

// Puts what a layer draws (rect, in its own coordinates) centred in a w x h comp, upright, unscaled and opaque.
/** @param {AVLayer} layer @param {number} w @param {number} h */
function resetTransform(layer, rect, w, h) {
    var anchor = [rect.left + rect.width / 2, rect.top + rect.height / 2], center = [w / 2, h / 2];
    var position = transformProp(layer, 'ADBE Position'), d;
    if (layer.threeDLayer) {
        anchor.push(0);
        center.push(0);
    }
    layer.parent = null;
    // A position kept as separate X/Y/Z takes no value as a whole: clear the parts, then join them again.
    if (position.dimensionsSeparated) {
        for (d = 0; d < center.length; d += 1) { clearAndSet(position.getSeparationFollower(d), center[d]); }
        position.dimensionsSeparated = false;
    }
    clearAndSet(transformProp(layer, 'ADBE Anchor Point'), anchor);
    clearAndSet(position, center);
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

// layerId: the portrait (any comp); time: comp time or null (current); outPath: the PNG, in a folder that exists.
function exportStill(layerId, time, outPath) {
    var layer = layerById(layerId, 'portrait layer'), comp = layer.containingComp;
    var kind = layerKind(layer), problem = layerProblem(layer, kind), file, w, h, temp, written, rect, saved, why, allowed;
    if (problem) { fail(problem.code, problem.message); }
    if (!(layer instanceof AVLayer)) {
        fail('WRONG_SELECTION', 'Layer "' + layer.name + '" has no pixels to export. Choose an image, comp, text or shape layer.');
    }
    time = exportTime(layer, comp, time);
    file = new File(requireString(outPath, 'the output file'));
    allowed = scriptsMayWriteFiles();
    if (allowed === false) {
        fail('NOT_ALLOWED', 'After Effects does not let scripts write files, so layer "' + layer.name + '" cannot be ' +
            'rendered to a PNG. Turn on Preferences > Scripting & Expressions > Allow Scripts to Write Files and ' +
            'Access Network, then try again.');
    }
    if (!file.parent.exists) {
        fail('NOT_FOUND', 'The folder "' + file.parent.fsName + '" does not exist. Create it first (the panel does), ' +
            'then try again.');
    }
    if (file.exists && !file.remove()) {
        fail('EXPORT_FAILED', 'Cannot replace "' + file.fsName + '". Close the program using it, or choose another file.');
    }
    rect = layer.sourceRectAtTime(time, true);
    rect = { left: rect.left, top: rect.top, width: rect.width, height: rect.height };
    w = Math.max(1, Math.ceil(rect.width));
    h = Math.max(1, Math.ceil(rect.height));
    sweepTempComps();
    withUndoGroup('reenact: export still', function () {
        temp = app.project.items.addComp(TEMP_COMP_NAME, w, h, comp.pixelAspect,
            Math.max(comp.duration, time + comp.frameDuration), comp.frameRate);
        try {
            temp.resolutionFactor = [1, 1]; // saveFrameToPng renders at the comp's resolution
            layer.copyToComp(temp);
            resetTransform(/** @type {AVLayer} */ (temp.layer(1)), rect, w, h);
            temp.layer(1).enabled = true;
            saved = /** @type {any} */ (temp.saveFrameToPng(time, file));
            why = saved === false ? 'saveFrameToPng reported a failure' : '';
        } catch (e) {
            why = e.message;
        }
        if (why) {
            temp.remove();
            fail('EXPORT_FAILED', 'After Effects could not render layer "' + layer.name + '" to "' + file.fsName + '": ' +
                why + '. Check the disk space and that the folder is writable' + (allowed === null ? ', and that ' +
                'Preferences > Scripting & Expressions > Allow Scripts to Write Files and Access Network is on' : '') +
                ', then try again.');
        }
    });
    written = pngComplete(file);
    if (written) {
        removeTempComp(temp);
    } else {
        pendingExports.push({ comp: temp, file: file, started: new Date().getTime() });
        scheduleFinish();
    }
    return { file: file.fsName, width: w, height: h, time: time, written: written, rect: rect };
}

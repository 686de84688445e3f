// Reading what the artist selected: the whole selection (getSelection), the portrait + performance pair behind
// "Use selected" (pickInputs), batch entries for "queue the current selection" (listBatchLayers), and one layer by id
// wherever it is (describeLayer: the panel refreshes a slot without asking for the selection again).

var PORTRAIT_KINDS = ['still', 'comp', 'text', 'shape'];
var PERFORMANCE_KINDS = ['video', 'sequence'];

/** @param {CompItem} comp @returns {Layer[]} */
function selectedLayers(comp) {
    var sel = comp.selectedLayers, out = [], i;
    for (i = 0; i < sel.length; i += 1) { out.push(sel[i]); }
    return out;
}

function getSelection() {
    var comp = activeComp(), layers = selectedLayers(comp), infos = [], i;
    for (i = 0; i < layers.length; i += 1) { infos.push(layerInfo(layers[i])); }
    return { comp: compInfo(comp), layers: infos };
}

// Clip frames [start, end] of a footage layer that the comp's work area shows (the panel's default range), or
// null (render the whole clip) when the work area shows none of it or the layer is time-remapped.
/** @param {CompItem} comp @param {Layer} layer */
function workAreaFrames(comp, layer) {
    return framesBetween(layer, comp.workAreaStart, comp.workAreaStart + comp.workAreaDuration);
}

function names(list) {
    var out = [], i;
    for (i = 0; i < list.length; i += 1) { out.push('"' + list[i].name + '"'); }
    return out.join(', ');
}

// Splits the selected layers into portrait and performance candidates; fails on anything unusable.
/** @param {CompItem} comp @param {Layer[]} layers */
function classify(comp, layers) {
    var portraits = [], performances = [], i, info;
    if (layers.length === 0) {
        fail('NO_SELECTION', 'Nothing is selected in "' + comp.name + '". Select the portrait layer and the ' +
            'performance clip layer in the Timeline panel, then try again.');
    }
    for (i = 0; i < layers.length; i += 1) {
        info = layerInfo(layers[i]);
        if (info.problem) { fail(info.problem.code, info.problem.message); }
        if (contains(PERFORMANCE_KINDS, info.kind)) {
            info.range = workAreaFrames(comp, layers[i]);
            performances.push(info);
        } else if (contains(PORTRAIT_KINDS, info.kind)) {
            portraits.push(info);
        } else {
            fail('WRONG_SELECTION', 'Layer "' + info.name + '" is a ' + info.kind + ' layer, which has no face to use. ' +
                'Select a still image (or a comp, text or shape layer) and a video clip of the performance.');
        }
    }
    return { portraits: portraits, performances: performances };
}

function pickInputs() {
    var comp = activeComp(), c = classify(comp, selectedLayers(comp));
    if (c.portraits.length > 1) {
        fail('WRONG_SELECTION', 'Expected one portrait layer but ' + c.portraits.length + ' are selected: ' +
            names(c.portraits) + '. Select one still and at most one performance clip.');
    }
    if (c.performances.length > 1) {
        fail('WRONG_SELECTION', 'Expected one performance clip but ' + c.performances.length + ' are selected: ' +
            names(c.performances) + '. Select one video layer and at most one still.');
    }
    return {
        comp: compInfo(comp),
        portrait: c.portraits.length ? c.portraits[0] : null,
        performance: c.performances.length ? c.performances[0] : null
    };
}

/** @param {CompItem} comp */
function batchEntry(comp, portrait, performance) {
    return { comp: { id: comp.id, name: comp.name }, portrait: portrait, performance: performance, range: performance.range };
}

// Pairs in the active comp: one performance with many portraits, one portrait with many takes, or i-th with i-th.
/** @param {CompItem} comp */
function pairSelected(comp) {
    var c = classify(comp, selectedLayers(comp)), out = [], i, n;
    var p = c.portraits, q = c.performances;
    if (p.length === 0 || q.length === 0) {
        fail('WRONG_SELECTION', 'Expected at least one portrait and one performance clip in the selection of "' +
            comp.name + '" but received ' + p.length + ' portrait(s) and ' + q.length + ' clip(s).');
    }
    if (p.length !== 1 && q.length !== 1 && p.length !== q.length) {
        fail('WRONG_SELECTION', 'Cannot pair ' + p.length + ' portraits with ' + q.length + ' performance clips. ' +
            'Select one portrait with several clips, one clip with several portraits, or equal numbers (paired in ' +
            'the order you selected them).');
    }
    n = Math.max(p.length, q.length);
    for (i = 0; i < n; i += 1) {
        out.push(batchEntry(comp, p[p.length === 1 ? 0 : i], q[q.length === 1 ? 0 : i]));
    }
    return out;
}

// A comp selected in the Project panel: its topmost usable portrait and performance layers.
/** @param {CompItem} comp */
function pairInComp(comp, skipped) {
    var portrait = null, performance = null, i, layer, info;
    for (i = 1; i <= comp.numLayers; i += 1) {
        layer = comp.layer(i);
        info = layerInfo(layer);
        if (info.problem || !layer.enabled) { continue; }
        if (!performance && contains(PERFORMANCE_KINDS, info.kind)) {
            info.range = workAreaFrames(comp, layer);
            performance = info;
        } else if (!portrait && contains(PORTRAIT_KINDS, info.kind)) {
            portrait = info;
        }
    }
    if (!portrait || !performance) {
        skipped.push({ name: comp.name, reason: 'Comp "' + comp.name + '" needs an enabled still layer and an enabled ' +
            'video layer; found ' + (portrait ? 'no video layer.' : 'no still layer.') });
        return null;
    }
    return batchEntry(comp, portrait, performance);
}

function listBatchLayers() {
    var active = app.project.activeItem, sel = app.project.selection, entries = [], skipped = [], i, e;
    if (active instanceof CompItem && active.selectedLayers.length > 0) {
        return { entries: pairSelected(active), skipped: skipped };
    }
    for (i = 0; i < sel.length; i += 1) {
        if (sel[i] instanceof CompItem) {
            e = pairInComp(/** @type {CompItem} */ (sel[i]), skipped);
            if (e) { entries.push(e); }
        }
    }
    if (entries.length === 0 && skipped.length === 0) {
        fail('NO_SELECTION', 'Nothing to queue. Select layers in the active comp, or comps in the Project panel, ' +
            'then try again.');
    }
    return { entries: entries, skipped: skipped };
}

// One layer by id, in whichever comp holds it, with that comp (its time indicator is what frameAtTime reads).
function describeLayer(layerId) {
    var layer = layerById(layerId, 'layer'), comp = layer.containingComp, info = layerInfo(layer);
    if (contains(PERFORMANCE_KINDS, info.kind)) { info.range = workAreaFrames(comp, layer); }
    return { comp: compInfo(comp), layer: info };
}

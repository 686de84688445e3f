// exportStill: a PNG of one layer at one time, for portraits that are not a plain image file (comps, text, shape
// layers, layers with effects or masks). Renders a one-frame temp comp with saveFrameToPng, so the user's render
// queue is never touched and AE blocks only for one frame; the temp comp is removed before returning.

var TEMP_COMP_NAME = 'reenact temp still';

/** @param {CompItem} comp @param {Layer} layer @param {number} time */
function defaultStillFile(comp, layer, time) {
    var folder = new Folder(Folder.temp.fsName + '/reenact');
    if (!folder.exists) { folder.create(); }
    return new File(folder.fsName + '/still_' + comp.id + '_' + layer.id + '_' +
        Math.round(time * comp.frameRate) + '.png');
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

function exportStill(layerIndex, time, outPath) {
    var comp = activeComp(), layer = layerByIndex(comp, layerIndex, 'the portrait layer');
    var kind = layerKind(layer), problem = layerProblem(layer, kind), file, w, h;
    if (problem) { fail(problem.code, problem.message); }
    if (time === undefined || time === null) { time = comp.time; }
    requireNumber(time, 'time');
    if (!(layer instanceof AVLayer)) {
        fail('WRONG_SELECTION', 'Layer "' + layer.name + '" has no pixels to export. Choose an image, comp, text or shape layer.');
    }
    file = outPath ? new File(requireString(outPath, 'the output file')) : defaultStillFile(comp, layer, time);
    if (!file.parent.exists) { file.parent.create(); }
    w = Math.round(layer.width);
    h = Math.round(layer.height);
    withUndoGroup('reenact: export still', function () {
        var temp = app.project.items.addComp(TEMP_COMP_NAME, w, h, comp.pixelAspect,
            Math.max(comp.duration, time + comp.frameDuration), comp.frameRate);
        try {
            layer.copyToComp(temp);
            resetTransform(/** @type {AVLayer} */ (temp.layer(1)), w, h);
            temp.layer(1).enabled = true;
            temp.saveFrameToPng(time, file);
        } finally {
            temp.remove();
        }
    });
    return { file: file.fsName, width: w, height: h, time: time, written: file.exists };
}

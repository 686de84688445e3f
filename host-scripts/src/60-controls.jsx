// AE-native performance controls (issue 11): a "reenact controls" set of Expression Controls on a layer, sampled
// once per output frame with valueAtTime (keyframes and expressions evaluated) into the per-frame curves of the job
// spec (ControlCurvesSchema, fields of FrameControls), and the "reenact neutral" layer marker.
//
// Units are AE's: gains are percent sliders (100 = as performed), gaze offsets are Point Controls in percent of an
// eye width, hold pose is a checkbox. Sampling converts to the spec's units (gain 1.0, eye widths, boolean).

var CONTROL_PREFIX = 'reenact ';
var NEUTRAL_MARKER = 'reenact neutral';
var EFFECT = {
    slider: { matchName: 'ADBE Slider Control', value: 'ADBE Slider Control-0001' },
    point: { matchName: 'ADBE Point Control', value: 'ADBE Point Control-0001' },
    checkbox: { matchName: 'ADBE Checkbox Control', value: 'ADBE Checkbox Control-0001' }
};
// key: FrameControls field (or the job's smoothing); initial: AE value set when the control is added.
var CONTROLS = [
    { key: 'intensity', name: 'reenact intensity', type: 'slider', initial: 100 },
    { key: 'head', name: 'reenact head', type: 'slider', initial: 100 },
    { key: 'brows', name: 'reenact brows', type: 'slider', initial: 100 },
    { key: 'eyes', name: 'reenact eyes', type: 'slider', initial: 100 },
    { key: 'mouth', name: 'reenact mouth', type: 'slider', initial: 100 },
    { key: 'blink', name: 'reenact blink', type: 'slider', initial: 100 },
    { key: 'smoothing', name: 'reenact smoothing', type: 'slider', initial: 50 },
    { key: 'gazeLeft', name: 'reenact gaze left', type: 'point', initial: [0, 0] },
    { key: 'gazeRight', name: 'reenact gaze right', type: 'point', initial: [0, 0] },
    { key: 'holdPose', name: 'reenact hold pose', type: 'checkbox', initial: 0 }
];
var MAX_GAIN = 4; // FrameControlsSchema bounds gains to 0..4
var MAX_SAMPLES = 100000;

/** @returns {PropertyGroup} */
function effects(layer) {
    var g = groupOf(layer, 'ADBE Effect Parade');
    if (!g) { fail('WRONG_SELECTION', 'Layer "' + layer.name + '" cannot hold effects. Choose an image, video or comp layer.'); }
    return g;
}

/** @param {Layer} layer @returns {PropertyGroup} */
function findControl(layer, def) {
    return /** @type {PropertyGroup} */ (findProperty(effects(layer), function (fx) {
        return fx.name === def.name && fx.matchName === EFFECT[def.type].matchName;
    }));
}

function addControls(layerId) {
    var layer = layerById(layerId, 'controls layer'), added = [], existing = [];
    requireWritableProject();
    effects(layer);
    withUndoGroup('reenact: add controls', function () {
        var i, def, fx;
        for (i = 0; i < CONTROLS.length; i += 1) {
            def = CONTROLS[i];
            if (findControl(layer, def)) {
                existing.push(def.name);
            } else {
                // Fetch the effect group again each time: adding an effect invalidates older references in AE.
                fx = effects(layer).addProperty(EFFECT[def.type].matchName);
                fx.name = def.name;
                propOf(fx, EFFECT[def.type].value).setValue(def.initial);
                added.push(def.name);
            }
        }
    });
    return { layer: layer.index, added: added, existing: existing };
}

function clampGain(v, def, warned, warnings) {
    var g = Number(v) / 100;
    if (g >= 0 && g <= MAX_GAIN) { return g; }
    if (!warned[def.key]) {
        warned[def.key] = true;
        warnings.push('"' + def.name + '" goes outside 0-' + (MAX_GAIN * 100) + '%: clamped.');
    }
    return g < 0 || isNaN(g) ? 0 : MAX_GAIN;
}

function toControl(def, v, warned, warnings) {
    if (def.type === 'point') { return [v[0] / 100, v[1] / 100]; }
    if (def.type === 'checkbox') { return v >= 0.5; }
    return clampGain(v, def, warned, warnings);
}

// Output frame k is sampled at comp time startTime + (k * fpsDen / fpsNum) * stretch / 100 (startTime null: the
// layer's start): the result layer plays at the driving layer's stretch, reversed when it is negative.
function sampleControls(layerId, startTime, frameCount, fpsNum, fpsDen) {
    var layer = layerById(layerId, 'controls layer');
    var fps = checkFps(fpsNum, fpsDen, 'the output frame rate'), props = [], warnings = [], warned = {}, frames = [];
    var i, k, t, def, fx, frame, found = 0, smoothing;
    requireInt(frameCount, 'frameCount', 1);
    if (frameCount > MAX_SAMPLES) { fail('BAD_ARGUMENT', 'Expected at most ' + MAX_SAMPLES + ' frames for frameCount but received ' + frameCount + '.'); }
    if (startTime === null || startTime === undefined) { startTime = layer.startTime; }
    requireNumber(startTime, 'startTime');
    for (i = 0; i < CONTROLS.length; i += 1) {
        fx = findControl(layer, CONTROLS[i]);
        props.push(fx ? propOf(fx, EFFECT[CONTROLS[i].type].value) : null);
        if (fx) { found += 1; } else { warnings.push('"' + CONTROLS[i].name + '" is missing: its default is used.'); }
    }
    if (found === 0) {
        fail('NOT_FOUND', 'Layer "' + layer.name + '" has no reenact controls. Add them from the panel (Add controls) first.');
    }
    for (k = 0; k < frameCount; k += 1) {
        t = startTime + ((k * fps.den) / fps.num) * (layer.stretch / 100);
        frame = {};
        for (i = 0; i < CONTROLS.length; i += 1) {
            def = CONTROLS[i];
            if (def.key === 'smoothing') { continue; }
            frame[def.key] = toControl(def, props[i] ? props[i].valueAtTime(t, false) : def.initial, warned, warnings);
        }
        frames.push(frame);
    }
    smoothing = smoothingAt(props, startTime, warnings);
    return { curves: { start: 0, frames: frames }, smoothing: smoothing, warnings: warnings };
}

// Smoothing is one value per job (JobSpec.smoothing): take it at the first frame and say so if it is animated.
/** @param {Property[]} props @param {number} startTime @param {string[]} warnings */
function smoothingAt(props, startTime, warnings) {
    var i, p;
    for (i = 0; i < CONTROLS.length; i += 1) {
        if (CONTROLS[i].key !== 'smoothing') { continue; }
        p = props[i];
        if (!p) { return Number(CONTROLS[i].initial) / 100; }
        if (p.numKeys > 0 || (p.expressionEnabled && p.expression !== '')) {
            warnings.push('"reenact smoothing" is animated: the value at the first frame is used for the whole render.');
        }
        return Math.max(0, Math.min(1, Number(p.valueAtTime(startTime, false)) / 100));
    }
    return 0.5;
}

function readNeutralMarker(layerId) {
    var layer = layerById(layerId, 'performance layer'), markers = propOf(layer, 'ADBE Marker'), i, time;
    for (i = 1; markers && i <= markers.numKeys; i += 1) {
        if (isNeutralMarker(markers.keyValue(i))) {
            time = markers.keyTime(i);
            return { time: time, layerTime: time - layer.startTime, frame: frameAtTime(layer, time) };
        }
    }
    return null;
}

/** @param {MarkerValue} value */
function isNeutralMarker(value) {
    return trim(value.comment).toLowerCase() === NEUTRAL_MARKER;
}

// "Set to current time": one "reenact neutral" marker on the performance layer, moved rather than duplicated.
function setNeutralMarker(layerId, time) {
    var layer = layerById(layerId, 'performance layer'), markers, i;
    requireWritableProject();
    if (time === undefined || time === null) { time = layer.containingComp.time; }
    requireNumber(time, 'time');
    markers = propOf(layer, 'ADBE Marker');
    if (!markers) { fail('WRONG_SELECTION', 'Layer "' + layer.name + '" cannot hold markers.'); }
    withUndoGroup('reenact: set neutral frame', function () {
        for (i = markers.numKeys; i >= 1; i -= 1) {
            if (isNeutralMarker(markers.keyValue(i))) { markers.removeKey(i); }
        }
        markers.setValueAtTime(time, new MarkerValue(NEUTRAL_MARKER));
    });
    return readNeutralMarker(layerId);
}

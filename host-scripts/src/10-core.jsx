// Shared plumbing for every host call: the result envelope, typed failures, undo groups, 1-based AE collection
// helpers, and small ES3 stand-ins for the ES5 library (no Array#indexOf, String#trim... in ExtendScript).

var VERSION = '0.1.0';

// What the panel checks first: that this script is loaded, which version, in which AE.
function hostInfo() {
    return { version: VERSION, appVersion: String(app.version), project: app.project.file ? app.project.file.fsName : null };
}

// A failure the panel can act on: `code` is one of HostErrorCode in bridge/src/api/host.ts.
function HostFailure(code, message) {
    this.code = code;
    this.message = message;
}

/** @returns {never} */
function fail(code, message) {
    throw new HostFailure(code, message);
}

// Runs fn(args...) and returns the JSON envelope string; never throws into the panel.
function envelope(fn, args) {
    var value;
    try {
        value = fn.apply(null, args);
        return json.stringify({ ok: true, value: value === undefined ? null : value });
    } catch (e) {
        return json.stringify({ ok: false, error: describeError(e) });
    }
}

function describeError(e) {
    if (e instanceof HostFailure) { return { code: e.code, message: e.message }; }
    if (e && e.jsonSyntax) { return { code: 'BAD_ARGUMENT', message: e.message }; }
    var message = (e && e.message !== undefined) ? String(e.message) : String(e);
    if (e && e.line) { message += ' (host script line ' + e.line + ')'; }
    return { code: 'INTERNAL', message: 'After Effects reported an error: ' + message };
}

// Every mutating verb runs here, so one user action is one undo step and the group is closed even on errors.
function withUndoGroup(name, fn) {
    app.beginUndoGroup(name);
    try {
        return fn();
    } finally {
        app.endUndoGroup();
    }
}

// ---- arguments ----

function parseArg(text, name) {
    if (typeof text !== 'string') { return text; }
    try {
        return json.parse(text);
    } catch (e) {
        fail('BAD_ARGUMENT', 'Expected JSON for ' + name + ' but received "' + text.substring(0, 40) + '". ' +
            (e.message || ''));
    }
    return null;
}

function requireNumber(v, name) {
    if (typeof v !== 'number' || !isFinite(v)) {
        fail('BAD_ARGUMENT', 'Expected a number for ' + name + ' but received ' + show(v) + '.');
    }
    return v;
}

function requireInt(v, name, min) {
    requireNumber(v, name);
    if (Math.floor(v) !== v || v < min) {
        fail('BAD_ARGUMENT', 'Expected a whole number of at least ' + min + ' for ' + name + ' but received ' + show(v) + '.');
    }
    return v;
}

function requireString(v, name) {
    if (typeof v !== 'string' || v === '') {
        fail('BAD_ARGUMENT', 'Expected a non-empty string for ' + name + ' but received ' + show(v) + '.');
    }
    return v;
}

function show(v) {
    if (typeof v === 'string') { return '"' + v + '"'; }
    if (v === undefined) { return 'nothing'; }
    return json.stringify(v);
}

// ---- ES3 stand-ins ----

function trim(s) {
    return String(s).replace(/^\s+|\s+$/g, '');
}

function contains(arr, v) {
    var i;
    for (i = 0; i < arr.length; i += 1) {
        if (arr[i] === v) { return true; }
    }
    return false;
}

// ---- 1-based AE collections (comp.layer(i), folder.item(i), group.property(i)) ----

/** @param {CompItem} comp */
function eachLayer(comp, fn) {
    var i;
    for (i = 1; i <= comp.numLayers; i += 1) { fn(comp.layer(i), i); }
}

/** @param {CompItem} comp @returns {Layer} */
function findLayer(comp, pred) {
    var i, layer;
    for (i = 1; i <= comp.numLayers; i += 1) {
        layer = comp.layer(i);
        if (pred(layer)) { return layer; }
    }
    return null;
}

/** @param {FolderItem} folder */
function findItem(folder, pred) {
    var i, item;
    for (i = 1; i <= folder.numItems; i += 1) {
        item = folder.item(i);
        if (pred(item)) { return item; }
    }
    return null;
}

/** @param {PropertyGroup} group */
function findProperty(group, pred) {
    var i, p;
    for (i = 1; i <= group.numProperties; i += 1) {
        p = group.property(i);
        if (pred(p)) { return p; }
    }
    return null;
}

// ---- AE's property tree: property() answers a Property, a PropertyGroup or null; these say which we expect ----

/** @returns {PropertyGroup} */
function groupOf(owner, name) {
    return /** @type {PropertyGroup} */ (owner.property(name));
}

/** @returns {Property} */
function propOf(owner, name) {
    return /** @type {Property} */ (owner.property(name));
}

/** @param {Layer} layer @param {string} matchName @returns {Property} */
function transformProp(layer, matchName) {
    return propOf(groupOf(layer, 'ADBE Transform Group'), matchName);
}

/** The layer's footage or comp; null for text, shape, camera and light layers. @param {Layer} layer */
function sourceOf(layer) {
    return layer instanceof AVLayer ? layer.source : null;
}

// ---- project state ----

/** @returns {CompItem} */
function activeComp() {
    var item = app.project.activeItem;
    if (!item || !(item instanceof CompItem)) {
        fail('NO_COMP', 'No active composition. Open the composition in the Timeline panel (click its tab) and try again.');
    }
    return /** @type {CompItem} */ (item);
}

// Layers are addressed by id from the selection onward: ids survive reordering and do not depend on which comp is
// open (app.project.activeItem is null with several Project items selected, and another comp when the artist moved
// on). Project.layerByID and Layer.id need AE 22.0, the manifest's minimum.
/** @returns {Layer} */
function layerById(id, what) {
    var layer;
    requireInt(id, what + ' id', 1);
    layer = app.project.layerByID(id);
    if (!layer) {
        fail('NOT_FOUND', 'The ' + what + ' (layer id ' + id + ') is no longer in the project: it was deleted, or ' +
            'another project is open. Select it again (Use selected) and try again.');
    }
    return layer;
}

// Saving over a read-only project file would fail later; say so before changing anything.
function requireWritableProject() {
    var f = app.project.file;
    if (f && f.exists && f.readonly) {
        fail('READ_ONLY', 'The project file "' + f.fsName + '" is read-only. Save the project under a new name ' +
            '(File > Save As) and try again.');
    }
}

// ---- frame rates as exact rationals ----

function gcd(a, b) {
    var t;
    a = Math.abs(a);
    b = Math.abs(b);
    while (b) { t = a % b; a = b; b = t; }
    return a || 1;
}

// AE gives rates as doubles (29.97002997...); recover the rational it stands for (30000/1001).
function fpsRational(fps) {
    var dens = [1, 1001, 1000, 100], i, num, g;
    for (i = 0; i < dens.length; i += 1) {
        num = Math.round(fps * dens[i]);
        if (num > 0 && Math.abs(num / dens[i] - fps) < 1e-6) {
            g = gcd(num, dens[i]);
            return { num: num / g, den: dens[i] / g };
        }
    }
    return { num: Math.round(fps * 1000000), den: 1000000 };
}

function parseFps(text, name) {
    var m;
    if (typeof text === 'object' && text && typeof text.num === 'number') { return checkFps(text.num, text.den, name); }
    m = /^(\d+)(?:\/(\d+))?$/.exec(trim(text));
    if (!m) { fail('BAD_ARGUMENT', 'Expected a frame rate like "30000/1001" for ' + name + ' but received ' + show(text) + '.'); }
    return checkFps(Number(m[1]), m[2] ? Number(m[2]) : 1, name);
}

function checkFps(num, den, name) {
    if (!(num > 0) || !(den > 0) || Math.floor(num) !== num || Math.floor(den) !== den || num / den > 999) {
        fail('BAD_ARGUMENT', 'Expected a positive frame rate like 30000/1001 for ' + name + ' but received ' +
            num + '/' + den + '.');
    }
    return { num: num, den: den };
}

// JSON for ExtendScript, which has no JSON object (AE's engine is ES3).
// A compact re-implementation after Douglas Crockford's public-domain json2.js / json_parse.js design:
// a quote() that escapes with a lookup table, a recursive stringify, and a recursive-descent parser that never
// calls eval. Only what the host calls need: no replacer, no reviver, no indentation, no toJSON.

var json = (function () {
    var ESCAPES = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    var NEEDS_ESCAPE = /["\\\x00-\x1f\x7f-\x9f\u2028\u2029]/;
    var UNESCAPES = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
    var hasOwn = Object.prototype.hasOwnProperty;
    var toStr = Object.prototype.toString;

    function quote(s) {
        var out, i, c, hex;
        if (!NEEDS_ESCAPE.test(s)) { return '"' + s + '"'; }
        out = [];
        for (i = 0; i < s.length; i += 1) {
            c = s.charAt(i);
            if (hasOwn.call(ESCAPES, c)) {
                out.push(ESCAPES[c]);
            } else if (NEEDS_ESCAPE.test(c)) {
                hex = '0000' + s.charCodeAt(i).toString(16);
                out.push('\\u' + hex.substring(hex.length - 4));
            } else {
                out.push(c);
            }
        }
        return '"' + out.join('') + '"';
    }

    // Returns undefined for values JSON leaves out (functions, undefined).
    function str(v) {
        var t = typeof v, parts, i, k, s;
        if (v === null) { return 'null'; }
        if (t === 'string') { return quote(v); }
        if (t === 'number') { return isFinite(v) ? String(v) : 'null'; }
        if (t === 'boolean') { return v ? 'true' : 'false'; }
        if (t !== 'object') { return undefined; }
        parts = [];
        if (toStr.call(v) === '[object Array]') {
            for (i = 0; i < v.length; i += 1) {
                s = str(v[i]);
                parts.push(s === undefined ? 'null' : s);
            }
            return '[' + parts.join(',') + ']';
        }
        for (k in v) {
            if (hasOwn.call(v, k)) {
                s = str(v[k]);
                if (s !== undefined) { parts.push(quote(k) + ':' + s); }
            }
        }
        return '{' + parts.join(',') + '}';
    }

    function parse(text) {
        var src = String(text), at = 0, ch = ' ';

        function fail(what) {
            var e = /** @type {any} */ (new Error('Expected ' + what + ' at character ' + (at - 1) +
                ' of the JSON argument but received "' + src.substring(at - 1, at + 19) + '".'));
            e.jsonSyntax = true;
            throw e;
        }
        function next(expected) {
            if (expected !== undefined && expected !== ch) { fail('"' + expected + '"'); }
            ch = src.charAt(at);
            at += 1;
            return ch;
        }
        function white() {
            while (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') { next(); }
        }
        function number() {
            var s = '', c;
            if (ch === '-') { s = '-'; next(); }
            if (ch === '0') {
                s += ch;
                next();
            } else if (ch >= '1' && ch <= '9') {
                while (ch >= '0' && ch <= '9') { s += ch; next(); }
            } else {
                fail('a digit');
            }
            if (ch === '.') {
                s += '.';
                next();
                if (ch < '0' || ch > '9') { fail('a digit'); }
                while (ch >= '0' && ch <= '9') { s += ch; next(); }
            }
            if (ch === 'e' || ch === 'E') {
                s += ch;
                c = next();
                if (c === '-' || c === '+') { s += c; next(); }
                if (ch < '0' || ch > '9') { fail('a digit'); }
                while (ch >= '0' && ch <= '9') { s += ch; next(); }
            }
            return Number(s);
        }
        function string() {
            var out = [], start, code, i, h;
            if (ch !== '"') { fail('a string'); }
            start = at;
            while (true) {
                next();
                if (ch === '') { fail('a closing quote'); }
                if (ch === '"') {
                    out.push(src.substring(start, at - 1));
                    next();
                    return out.join('');
                }
                if (ch === '\\') {
                    out.push(src.substring(start, at - 1));
                    if (next() === 'u') {
                        code = 0;
                        for (i = 0; i < 4; i += 1) {
                            h = parseInt(next(), 16);
                            if (isNaN(h)) { fail('a hex digit'); }
                            code = code * 16 + h;
                        }
                        out.push(String.fromCharCode(code));
                    } else if (hasOwn.call(UNESCAPES, ch)) {
                        out.push(UNESCAPES[ch]);
                    } else {
                        fail('an escape character');
                    }
                    start = at;
                } else if (ch < ' ') {
                    fail('no control character in a string');
                }
            }
        }
        function word() {
            if (ch === 't') { next('t'); next('r'); next('u'); next('e'); return true; }
            if (ch === 'f') { next('f'); next('a'); next('l'); next('s'); next('e'); return false; }
            if (ch === 'n') { next('n'); next('u'); next('l'); next('l'); return null; }
            return fail('a JSON value');
        }
        function array() {
            var arr = [];
            next('[');
            white();
            if (ch === ']') { next(); return arr; }
            while (true) {
                arr.push(value());
                white();
                if (ch === ']') { next(); return arr; }
                next(',');
                white();
            }
        }
        function object() {
            var obj = {}, key;
            next('{');
            white();
            if (ch === '}') { next(); return obj; }
            while (true) {
                key = string();
                white();
                next(':');
                obj[key] = value();
                white();
                if (ch === '}') { next(); return obj; }
                next(',');
                white();
            }
        }
        function value() {
            white();
            if (ch === '{') { return object(); }
            if (ch === '[') { return array(); }
            if (ch === '"') { return string(); }
            if (ch === '-' || (ch >= '0' && ch <= '9')) { return number(); }
            return word();
        }

        var result;
        next();
        result = value();
        white();
        if (ch !== '') { fail('the end of the JSON text'); }
        return result;
    }

    return { stringify: str, parse: parse };
}());

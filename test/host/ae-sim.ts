/**
 * A simulated After Effects scripting DOM, just the subset reenact's host scripts use, so the shipped ES3 bundle
 * can run under test without AE. It follows the AE scripting guide where it matters for correctness:
 * 1-based item/layer/property collections, 0-based `selectedLayers`, layer index = stacking order, keyframe times in
 * comp time, `conformFrameRate` changing the footage rate (0 = native, error on stills), `moveBefore` placing a layer
 * immediately above another, `setValue` refusing keyframed properties, and undo groups that must balance.
 * The behaviours real AE has and a lenient fake would hide (activeItem null or another comp, layer ids, text and
 * shape bounds, stretch and reversed layers, alpha interpretation, the file-write preference, saveFrameToPng failing
 * by its return value) are listed with their sources in test/host/README.md.
 *
 * The host code runs in a separate `vm` realm (see host-realm.ts); every array handed to it is made in that realm so
 * ES5 methods missing in ExtendScript are missing here too. Each mutation is recorded with the undo depth at the
 * time, so tests can assert that nothing changes outside an undo group.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { PNG } from 'pngjs';

type Value = number | boolean | string | number[] | MarkerValueLike | null;
interface MarkerValueLike {
  comment: string;
}
export interface Key {
  time: number;
  value: Value;
}
/** Makes arrays in the host-script realm (ES3-like built-ins); identity when no realm is attached. */
export type ToRealm = <T>(items: T[]) => T[];

const EPS = 1e-9;

export interface SimOptions {
  /** Frame rate AE uses for imported image sequences (Preferences ▸ Import). */
  sequenceFps?: number;
  /** saveFrameToPng queues the write (as AE 26 does) until the test calls flushSaves(). */
  asyncSaves?: boolean;
  /** Preferences ▸ Scripting & Expressions ▸ Allow Scripts to Write Files and Access Network. Off, as AE ships. */
  scriptsCanWriteFiles?: boolean;
  /** Preferences ▸ Import ▸ Interpret Unlabeled Alpha As; AE's default asks the user (a dialog). */
  unlabeledAlpha?: 'ask' | 'guess' | 'straight' | 'premultiplied' | 'ignore';
  /** saveFrameToPng answers false and writes nothing (it is undocumented; failures may come back this way). */
  failSaves?: boolean;
}

/** Known movie files: the sim cannot decode them, so tests declare their size, rate and length. */
export interface MovieInfo {
  width: number;
  height: number;
  fps: number;
  frames: number;
  /** The file has an alpha channel (unlabeled, as ffmpeg writes ProRes 4444). */
  alpha?: boolean;
  /** False for audio-only files (a .wav): AE imports them as footage without video. */
  video?: boolean;
}

/** AE's enum values (types-for-adobe AfterEffects/22.0). */
export const ALPHA_MODE = { STRAIGHT: 5412, IGNORE: 5413, PREMULTIPLIED: 5414 } as const;
export const PREF_TYPE = { MACHINE_SPECIFIC: 8812, MACHINE_INDEPENDENT: 8813 } as const;
/** Where the file-write preference lives in AE's prefs file (section, key; machine-specific file). */
export const FILE_WRITE_PREF = ['Main Pref Section v2', 'Pref_SCRIPTING_FILE_NETWORK_SECURITY'] as const;

/** The drawn extent of a layer in its own coordinates (AVLayer.sourceRectAtTime). */
export interface Rect {
  top: number;
  left: number;
  width: number;
  height: number;
}

export function createAeSim(options: SimOptions = {}) {
  let nextId = 1;
  let toRealm: ToRealm = (a) => a;
  const state = {
    undoDepth: 0,
    undoGroups: [] as string[],
    openGroup: '',
    mutations: [] as { what: string; undoDepth: number }[],
    savedFrames: [] as {
      comp: string;
      size: number[];
      time: number;
      file: string;
      layers: string[];
      top: unknown;
      /** Where the top layer's drawn extent lands in the comp ([left, top, right, bottom]); null when not visible. */
      bounds: number[] | null;
    }[],
    /** Modal dialogs AE would have shown mid-script (the Interpret Footage alpha question). */
    dialogs: [] as string[],
    /** Preferences by "type|section|key". */
    prefs: new Map<string, string>(),
    readonlyFiles: new Set<string>(),
    movies: new Map<string, MovieInfo>(),
    pendingSaves: [] as { file: string; width: number; height: number; empty: boolean }[],
    tasks: new Map<number, { script: string; delay: number; repeat: boolean }>(),
    nextTask: 1,
  };

  function touch(what: string): void {
    state.mutations.push({ what, undoDepth: state.undoDepth });
  }

  function realmValue(v: Value): Value {
    return Array.isArray(v) ? (toRealm([...v]) as number[]) : v;
  }

  function hostValue(v: unknown): Value {
    if (v !== null && typeof v === 'object' && typeof (v as { length?: unknown }).length === 'number') {
      return Array.from(v as ArrayLike<number>);
    }
    return v as Value;
  }

  // ---- files ----

  class Folder {
    static get temp(): Folder {
      return new Folder(join(process.env.REENACT_SIM_TEMP ?? '/tmp', 'ae-temp'));
    }
    readonly fsName: string;
    constructor(path: string) {
      this.fsName = String(path);
    }
    get exists(): boolean {
      return existsSync(this.fsName);
    }
    get name(): string {
      return basename(this.fsName);
    }
    /** Writing needs Allow Scripts to Write Files (scripting guide, Overview: off by default). */
    create(): boolean {
      if (!canWriteFiles()) return writeRefused(`create folder ${this.fsName}`);
      mkdirSync(this.fsName, { recursive: true });
      return true;
    }
  }

  class File {
    readonly fsName: string;
    encoding = 'UTF-8';
    private data: Buffer | null = null;
    private pos = 0;
    constructor(path: string) {
      this.fsName = String(path);
    }
    get length(): number {
      return existsSync(this.fsName) ? statSync(this.fsName).size : 0;
    }
    open(mode: string): boolean {
      if (mode !== 'r' || !existsSync(this.fsName)) return false;
      this.data = readFileSync(this.fsName);
      this.pos = 0;
      return true;
    }
    seek(pos: number, mode = 0): boolean {
      if (!this.data) return false;
      this.pos = mode === 2 ? this.data.length + pos : mode === 1 ? this.pos + pos : pos;
      return true;
    }
    /** BINARY encoding: one char per byte (code 0-255), as ExtendScript reads binary files. */
    read(chars?: number): string {
      if (!this.data) return '';
      const end = chars === undefined ? this.data.length : Math.min(this.data.length, this.pos + chars);
      const out = this.data.toString(this.encoding === 'BINARY' ? 'latin1' : 'utf8', this.pos, end);
      this.pos = end;
      return out;
    }
    close(): boolean {
      this.data = null;
      return true;
    }
    remove(): boolean {
      if (!existsSync(this.fsName)) return false;
      if (!canWriteFiles()) return writeRefused(`remove ${this.fsName}`);
      unlinkSync(this.fsName);
      return true;
    }
    get exists(): boolean {
      return existsSync(this.fsName);
    }
    get name(): string {
      return basename(this.fsName);
    }
    get fullName(): string {
      return this.fsName;
    }
    get parent(): Folder {
      return new Folder(dirname(this.fsName));
    }
    get readonly(): boolean {
      return state.readonlyFiles.has(this.fsName);
    }
  }

  // ---- properties ----

  class MarkerValue {
    comment: string;
    constructor(comment: string) {
      this.comment = comment;
    }
  }

  class Property {
    readonly propertyType = 'PROPERTY';
    name: string;
    readonly matchName: string;
    keys: Key[] = [];
    raw: Value;
    expression = '';
    expressionEnabled = false;
    /** Stand-in for AE's expression engine: (comp time, pre-expression value) → value. */
    expressionFn: ((time: number, pre: Value) => Value) | null = null;
    /** Hold (step) interpolation: checkboxes and markers. */
    hold: boolean;
    owner: PropertyGroup | null = null;
    separated = false;
    constructor(matchName: string, name: string, value: Value, hold = false) {
      this.matchName = matchName;
      this.name = name;
      this.raw = value;
      this.hold = hold;
    }
    get numKeys(): number {
      return this.separated ? 0 : this.keys.length;
    }
    /** Position is the one multidimensional property that separates into X/Y/Z Position followers. */
    get isSeparationLeader(): boolean {
      return this.matchName === 'ADBE Position';
    }
    get dimensionsSeparated(): boolean {
      return this.separated;
    }
    /** Separating hands the current value to the followers (and back); keyframes stay where they were set. */
    set dimensionsSeparated(v: boolean) {
      if (!this.isSeparationLeader) throw new Error(`"${this.name}" has no dimensions to separate`);
      touch(`dimensionsSeparated ${this.name}`);
      if (!!v === this.separated) return;
      const current = this.valueAtTime(0, true) as number[];
      if (v) {
        current.forEach((x, d) => {
          const f = this.getSeparationFollower(d);
          f.keys = [];
          f.raw = x;
        });
      } else {
        this.raw = [...current];
        this.keys = [];
      }
      this.separated = !!v;
    }
    getSeparationFollower(dim: number): Property {
      const f = this.isSeparationLeader ? this.owner?.property(`ADBE Position_${dim}`) : null;
      if (!(f instanceof Property)) throw new Error(`"${this.name}" has no separation follower ${dim}`);
      return f;
    }
    /** X/Y/Z Position: shown (and settable) only while the leader is separated. */
    private get hiddenFollower(): boolean {
      const leader = this.owner?.property('ADBE Position');
      return /^ADBE Position_\d$/.test(this.matchName) && leader instanceof Property && !leader.separated;
    }
    keyTime(i: number): number {
      return this.key(i).time;
    }
    keyValue(i: number): Value {
      return realmValue(this.key(i).value);
    }
    private key(i: number): Key {
      const k = this.keys[i - 1];
      if (!k) throw new Error(`Property "${this.name}": key index ${i} out of range 1..${this.keys.length}`);
      return k;
    }
    get value(): Value {
      return this.valueAtTime(0, false);
    }
    setValue(v: unknown): void {
      if (this.separated) throw new Error(`Can not set value of "${this.name}": its dimensions are separated`);
      if (this.hiddenFollower) throw new Error(`Can not set value of "${this.name}": it is hidden`);
      if (this.keys.length > 0) throw new Error(`Can not set value of "${this.name}": it has keyframes`);
      touch(`setValue ${this.name}`);
      this.raw = hostValue(v);
    }
    setValueAtTime(time: number, v: unknown): void {
      if (this.separated) throw new Error(`Can not set keyframes on "${this.name}": its dimensions are separated`);
      if (this.hiddenFollower) throw new Error(`Can not set keyframes on "${this.name}": it is hidden`);
      touch(`setValueAtTime ${this.name}`);
      this.keys = this.keys.filter((k) => Math.abs(k.time - time) > EPS);
      this.keys.push({ time, value: hostValue(v) });
      this.keys.sort((a, b) => a.time - b.time);
    }
    removeKey(i: number): void {
      touch(`removeKey ${this.name}`);
      this.key(i);
      this.keys.splice(i - 1, 1);
    }
    /** Sets an expression and the function that plays it (the sim does not parse expressions). */
    setExpression(text: string, fn: (time: number, pre: Value) => Value): void {
      this.expression = text;
      this.expressionEnabled = true;
      this.expressionFn = fn;
    }
    valueAtTime(time: number, preExpression: boolean): Value {
      if (this.separated) {
        const dims = (this.raw as number[]).length;
        const out: number[] = [];
        for (let d = 0; d < dims; d++)
          out.push(this.getSeparationFollower(d).valueAtTime(time, preExpression) as number);
        return realmValue(out);
      }
      const pre = this.interpolate(time);
      if (!preExpression && this.expressionEnabled && this.expressionFn)
        return realmValue(this.expressionFn(time, pre));
      return realmValue(pre);
    }
    private interpolate(time: number): Value {
      const keys = this.keys;
      if (keys.length === 0) return this.raw;
      if (time <= keys[0].time + EPS) return keys[0].value;
      const last = keys[keys.length - 1];
      if (time >= last.time - EPS) return last.value;
      let i = 0;
      while (keys[i + 1].time < time - EPS) i++;
      const a = keys[i];
      const b = keys[i + 1];
      if (Math.abs(b.time - time) <= EPS) return b.value;
      if (this.hold || typeof a.value === 'boolean' || (typeof a.value === 'object' && !Array.isArray(a.value))) {
        return a.value;
      }
      const f = (time - a.time) / (b.time - a.time);
      if (Array.isArray(a.value) && Array.isArray(b.value)) {
        const bv = b.value;
        return a.value.map((x, j) => x + (bv[j] - x) * f);
      }
      return (a.value as number) + ((b.value as number) - (a.value as number)) * f;
    }
  }

  type Member = Property | PropertyGroup;

  class PropertyGroup {
    readonly propertyType = 'NAMED_GROUP';
    name: string;
    readonly matchName: string;
    members: Member[] = [];
    owner: PropertyGroup | null = null;
    constructor(matchName: string, name: string, members: Member[] = []) {
      this.matchName = matchName;
      this.name = name;
      for (const m of members) this.adopt(m);
    }
    private adopt(m: Member): void {
      this.members.push(m);
      m.owner = this;
    }
    get numProperties(): number {
      return this.members.length;
    }
    property(which: number | string): Member | null {
      if (typeof which === 'number') {
        const m = this.members[which - 1];
        if (!m) throw new Error(`Property index ${which} out of range 1..${this.members.length} in "${this.name}"`);
        return m;
      }
      return this.members.find((m) => m.matchName === which || m.name === which) ?? null;
    }
    canAddProperty(matchName: string): boolean {
      return this.matchName === 'ADBE Effect Parade' && matchName in EFFECTS;
    }
    addProperty(matchName: string): PropertyGroup {
      if (!this.canAddProperty(matchName)) throw new Error(`Can not add a property "${matchName}" to "${this.name}"`);
      touch(`addProperty ${matchName}`);
      const fx = EFFECTS[matchName]();
      this.adopt(fx);
      return fx;
    }
    remove(): void {
      touch(`remove ${this.name}`);
      if (this.owner) this.owner.members = this.owner.members.filter((m) => m !== this);
    }
  }

  const EFFECTS: Record<string, () => PropertyGroup> = {
    'ADBE Slider Control': () =>
      new PropertyGroup('ADBE Slider Control', 'Slider Control', [
        new Property('ADBE Slider Control-0001', 'Slider', 0),
      ]),
    'ADBE Point Control': () =>
      new PropertyGroup('ADBE Point Control', 'Point Control', [
        new Property('ADBE Point Control-0001', 'Point', [0, 0]),
      ]),
    'ADBE Checkbox Control': () =>
      new PropertyGroup('ADBE Checkbox Control', 'Checkbox Control', [
        new Property('ADBE Checkbox Control-0001', 'Checkbox', 0, true),
      ]),
    'ADBE Gaussian Blur 2': () =>
      new PropertyGroup('ADBE Gaussian Blur 2', 'Gaussian Blur', [
        new Property('ADBE Gaussian Blur 2-0001', 'Blurriness', 0),
      ]),
  };

  function transformGroup(w: number, h: number): PropertyGroup {
    return new PropertyGroup('ADBE Transform Group', 'Transform', [
      new Property('ADBE Anchor Point', 'Anchor Point', [w / 2, h / 2]),
      new Property('ADBE Position', 'Position', [w / 2, h / 2]),
      new Property('ADBE Position_0', 'X Position', w / 2),
      new Property('ADBE Position_1', 'Y Position', h / 2),
      new Property('ADBE Position_2', 'Z Position', 0),
      new Property('ADBE Scale', 'Scale', [100, 100]),
      new Property('ADBE Rotate Z', 'Rotation', 0),
      new Property('ADBE Opacity', 'Opacity', 100),
    ]);
  }

  // ---- items ----

  class Item {
    readonly id = nextId++;
    private _name: string;
    private _comment = '';
    private _label = 0;
    private _parent: FolderItem | null = null;
    constructor(name: string) {
      this._name = name;
    }
    get name(): string {
      return this._name;
    }
    set name(v: string) {
      touch(`Item.name ${v}`);
      this._name = String(v);
    }
    get comment(): string {
      return this._comment;
    }
    set comment(v: string) {
      touch('Item.comment');
      this._comment = String(v);
    }
    get label(): number {
      return this._label;
    }
    set label(v: number) {
      touch('Item.label');
      this._label = v;
    }
    get parentFolder(): FolderItem {
      return this._parent!;
    }
    set parentFolder(f: FolderItem) {
      touch(`parentFolder ${this._name}`);
      if (this._parent) this._parent.list = this._parent.list.filter((x) => x !== this);
      this._parent = f;
      f.list.push(this);
    }
    /** Places the item without recording a mutation (test setup). */
    attach(f: FolderItem): void {
      this._parent = f;
      f.list.push(this);
    }
    remove(): void {
      touch(`remove ${this._name}`);
      if (this._parent) this._parent.list = this._parent.list.filter((x) => x !== this);
      project.all = project.all.filter((x) => x !== this);
      for (const child of this instanceof FolderItem ? [...this.list] : []) child.remove();
    }
  }

  class FolderItem extends Item {
    list: Item[] = [];
    get numItems(): number {
      return this.list.length;
    }
    item(i: number): Item {
      const it = this.list[i - 1];
      if (!it) throw new Error(`Item index ${i} out of range 1..${this.list.length} in folder "${this.name}"`);
      return it;
    }
    get items(): Item[] {
      return toRealm([...this.list]);
    }
  }

  class AVItem extends Item {
    pixelAspect = 1;
    footageMissing = false;
    /** AVItem.hasVideo: false for audio-only footage. */
    hasVideo = true;
    constructor(
      name: string,
      public width: number,
      public height: number,
    ) {
      super(name);
    }
  }

  class CompItem extends AVItem {
    layerList: Layer[] = [];
    frameRate: number;
    duration: number;
    time = 0;
    workAreaStart = 0;
    workAreaDuration: number;
    displayStartTime = 0;
    /** saveFrameToPng honours it: [2, 2] writes a half-size PNG. */
    resolutionFactor = [1, 1];
    readonly layers: LayerCollection;
    constructor(name: string, w: number, h: number, pixelAspect: number, duration: number, fps: number) {
      super(name, w, h);
      this.pixelAspect = pixelAspect;
      this.duration = duration;
      this.workAreaDuration = duration;
      this.frameRate = fps;
      this.layers = new LayerCollection(this);
    }
    get frameDuration(): number {
      return 1 / this.frameRate;
    }
    get numLayers(): number {
      return this.layerList.length;
    }
    layer(i: number): Layer {
      const l = this.layerList[i - 1];
      if (!l) throw new Error(`Layer index ${i} out of range 1..${this.layerList.length} in "${this.name}"`);
      return l;
    }
    get selectedLayers(): Layer[] {
      return toRealm(this.layerList.filter((l) => l.selected));
    }
    /**
     * Undocumented in the guide (its issue #58): renders one frame to a PNG. Like AE it writes premultiplied colour
     * (dark edges where alpha < 1) and nothing where no layer is visible; writing needs the file-write preference.
     * `failSaves` makes it answer false instead, one of the ways an undocumented call may report failure.
     */
    saveFrameToPng(time: number, file: File): boolean {
      touch(`saveFrameToPng ${this.name}`);
      if (!canWriteFiles()) {
        writeRefused(`saveFrameToPng ${file.fsName}`);
        throw new Error('Unable to write file: scripts may not write files (Allow Scripts To Write Files is off)');
      }
      if (options.failSaves) return false;
      const top = this.layerList[0];
      const visible = !!top?.enabled && time >= top.inPoint - EPS && time < top.outPoint - EPS;
      const [fx, fy] = this.resolutionFactor;
      state.savedFrames.push({
        comp: this.name,
        size: [this.width, this.height],
        time,
        file: file.fsName,
        layers: this.layerList.map((l) => l.name),
        top: top ? snapshot(top) : null,
        bounds: visible && top instanceof AVLayer ? compBounds(top, time) : null,
      });
      const save = {
        file: file.fsName,
        width: Math.ceil(this.width / fx),
        height: Math.ceil(this.height / fy),
        empty: !visible,
      };
      if (options.asyncSaves) state.pendingSaves.push(save);
      else writeRender(save);
      return true;
    }
  }

  class FileSource {
    readonly isStill: boolean;
    file: File | null;
    missingFootagePath = '';
    nativeFrameRate: number;
    /** FootageSource.hasAlpha / alphaMode: alphaMode means nothing when hasAlpha is false. */
    readonly hasAlpha: boolean;
    private _alphaMode: number = ALPHA_MODE.IGNORE;
    private _conform = 0;
    constructor(file: File | null, isStill: boolean, nativeFrameRate: number, hasAlpha = false) {
      this.file = file;
      this.isStill = isStill;
      this.nativeFrameRate = nativeFrameRate;
      this.hasAlpha = hasAlpha;
    }
    get alphaMode(): number {
      return this._alphaMode;
    }
    set alphaMode(v: number) {
      if (!Object.values(ALPHA_MODE).includes(v as 5412)) throw new Error(`alphaMode ${v} is not an AlphaMode value`);
      touch('alphaMode');
      this._alphaMode = v;
    }
    /** What AE decides for an unlabeled alpha channel: the import preference, or a guess (replace() guesses). */
    interpretAlpha(how: 'import' | 'replace'): void {
      if (!this.hasAlpha) return;
      const pref = how === 'replace' ? 'guess' : (options.unlabeledAlpha ?? 'ask');
      if (pref === 'ask')
        state.dialogs.push(`Interpret Footage: ${this.file?.name ?? 'footage'} has an unlabeled alpha channel`);
      // Our renders have straight colour; a guess (and the dialog's Guess button) takes the dark edges for black matting.
      this._alphaMode =
        pref === 'straight' ? ALPHA_MODE.STRAIGHT : pref === 'ignore' ? ALPHA_MODE.IGNORE : ALPHA_MODE.PREMULTIPLIED;
    }
    get conformFrameRate(): number {
      return this._conform;
    }
    set conformFrameRate(v: number) {
      if (this.isStill) throw new Error('conformFrameRate can not be set on a still');
      if (!(v >= 0 && v <= 99)) throw new Error(`conformFrameRate ${v} out of range 0..99`);
      touch('conformFrameRate');
      this._conform = v;
    }
    get displayFrameRate(): number {
      return this._conform || this.nativeFrameRate;
    }
  }

  class SolidSource {
    readonly isStill = true;
    color = [1, 1, 1];
  }
  class PlaceholderSource {
    readonly isStill = false;
  }

  class FootageItem extends AVItem {
    mainSource: FileSource | SolidSource | PlaceholderSource;
    /** Frames in a movie or sequence; 0 for stills. */
    frames: number;
    constructor(name: string, w: number, h: number, src: FileSource | SolidSource | PlaceholderSource, frames: number) {
      super(name, w, h);
      this.mainSource = src;
      this.frames = frames;
    }
    get file(): File | null {
      return this.mainSource instanceof FileSource && !this.footageMissing ? this.mainSource.file : null;
    }
    get frameRate(): number {
      return this.mainSource instanceof FileSource ? this.mainSource.displayFrameRate : 0;
    }
    get frameDuration(): number {
      return 1 / this.frameRate;
    }
    get duration(): number {
      return this.mainSource.isStill || !this.frames ? 0 : this.frames / this.frameRate;
    }
    /** Guide (FootageItem.replace): "If the specified file has an unlabeled alpha channel, the method estimates the alpha interpretation." */
    replace(file: File): void {
      touch(`replace ${this.name}`);
      const m = describeMedia(file.fsName, false);
      this.mainSource = new FileSource(file, m.isStill, m.fps, m.alpha);
      this.mainSource.interpretAlpha('replace');
      this.width = m.width;
      this.height = m.height;
      this.frames = m.frames;
      this.hasVideo = m.video;
    }
    replaceWithSequence(file: File, _forceAlphabetical: boolean): void {
      touch(`replaceWithSequence ${this.name}`);
      const m = describeMedia(file.fsName, true);
      this.mainSource = new FileSource(file, false, m.fps, m.alpha);
      this.mainSource.interpretAlpha('replace');
      this.width = m.width;
      this.height = m.height;
      this.frames = m.frames;
    }
  }

  function itemDuration(item: AVItem): number {
    return item instanceof FootageItem || item instanceof CompItem ? item.duration : 0;
  }

  // ---- layers ----

  class Layer {
    readonly id = nextId++;
    comp: CompItem;
    selected = false;
    stretchValue = 100;
    private _name: string;
    private _start = 0;
    private _comment = '';
    private _label = 0;
    private _enabled = true;
    private _parent: Layer | null = null;
    threeDLayer = false;
    inPoint = 0;
    outPoint: number;
    groups: Member[];
    constructor(comp: CompItem, name: string, w: number, h: number, duration: number) {
      this.comp = comp;
      this._name = name;
      this.outPoint = duration;
      this.groups = [
        new Property('ADBE Marker', 'Marker', null, true),
        transformGroup(w, h),
        new PropertyGroup('ADBE Effect Parade', 'Effects'),
        new PropertyGroup('ADBE Mask Parade', 'Masks'),
      ];
    }
    get index(): number {
      return this.comp.layerList.indexOf(this) + 1;
    }
    get containingComp(): CompItem {
      return this.comp;
    }
    /** Layer.hasVideo: the layer has a video switch; audio-only footage layers do not. */
    get hasVideo(): boolean {
      const src = (this as unknown as { source?: AVItem | null }).source;
      return !(this instanceof CameraLayer || this instanceof LightLayer) && (!src || src.hasVideo);
    }
    get name(): string {
      return this._name;
    }
    set name(v: string) {
      touch(`Layer.name ${v}`);
      this._name = String(v);
    }
    get comment(): string {
      return this._comment;
    }
    set comment(v: string) {
      touch('Layer.comment');
      this._comment = String(v);
    }
    get label(): number {
      return this._label;
    }
    set label(v: number) {
      touch('Layer.label');
      this._label = v;
    }
    get enabled(): boolean {
      return this._enabled;
    }
    set enabled(v: boolean) {
      touch('Layer.enabled');
      this._enabled = v;
    }
    get parent(): Layer | null {
      return this._parent;
    }
    set parent(v: Layer | null) {
      touch('Layer.parent');
      this._parent = v;
    }
    get startTime(): number {
      return this._start;
    }
    set startTime(t: number) {
      touch(`startTime ${this._name}`);
      const d = t - this._start;
      this._start = t;
      this.inPoint += d;
      this.outPoint += d;
    }
    get stretch(): number {
      return this.stretchValue;
    }
    /**
     * Guide: percent, -9900..9900; values in (0, 1) become 1 and in (-1, 0) become -1. The guide does not say what
     * stays put when the stretch changes; the sim holds the in point, as AE's Time Stretch dialog does by default, so
     * a script that sets startTime before stretch sees its startTime moved.
     */
    set stretch(v: number) {
      touch('stretch');
      let s = Number(v);
      if (!(s >= -9900 && s <= 9900) || s === 0) throw new Error(`stretch ${v} out of range -9900..9900`);
      if (s > 0 && s < 1) s = 1;
      if (s < 0 && s > -1) s = -1;
      const old = this.stretchValue;
      const clipIn = ((this.inPoint - this._start) * 100) / old;
      const clipOut = ((this.outPoint - this._start) * 100) / old;
      this._start = this.inPoint - (clipIn * s) / 100;
      const a = this._start + (clipIn * s) / 100;
      const b = this._start + (clipOut * s) / 100;
      this.inPoint = Math.min(a, b);
      this.outPoint = Math.max(a, b);
      this.stretchValue = s;
    }
    get marker(): Property {
      return this.groups[0] as Property;
    }
    get transform(): PropertyGroup {
      return this.groups[1] as PropertyGroup;
    }
    get Effects(): PropertyGroup {
      return this.groups[2] as PropertyGroup;
    }
    property(which: string | number): Member | null {
      if (typeof which === 'number') return this.groups[which - 1] ?? null;
      return this.groups.find((g) => g.matchName === which || g.name === which) ?? null;
    }
    moveBefore(other: Layer): void {
      touch(`moveBefore ${this._name}`);
      const list = this.comp.layerList;
      list.splice(list.indexOf(this), 1);
      list.splice(list.indexOf(other), 0, this);
    }
    moveToBeginning(): void {
      touch('moveToBeginning');
      const list = this.comp.layerList;
      list.splice(list.indexOf(this), 1);
      list.unshift(this);
    }
    remove(): void {
      touch(`remove layer ${this._name}`);
      this.comp.layerList = this.comp.layerList.filter((l) => l !== this);
    }
    copyToComp(target: CompItem): void {
      touch(`copyToComp ${this._name}`);
      const copy = Object.create(Object.getPrototypeOf(this)) as Layer;
      Object.assign(copy, this);
      (copy as { id: number }).id = nextId++;
      copy.comp = target;
      copy.selected = false;
      copy.groups = this.groups.map(cloneMember);
      target.layerList.unshift(copy);
    }
  }

  function cloneMember<T extends Member>(m: T): T {
    if (m instanceof Property) {
      const p = new Property(m.matchName, m.name, structuredClone(m.raw), m.hold);
      p.separated = m.separated;
      p.keys = m.keys.map((k) => ({ time: k.time, value: structuredClone(k.value) }));
      p.expression = m.expression;
      p.expressionEnabled = m.expressionEnabled;
      p.expressionFn = m.expressionFn;
      return p as T;
    }
    const g = m as PropertyGroup;
    return new PropertyGroup(g.matchName, g.name, g.members.map(cloneMember)) as T;
  }

  class AVLayer extends Layer {
    source: AVItem | null;
    timeRemapEnabled = false;
    /** AE 2022: the layer above is this layer's matte when true. */
    hasTrackMatte = false;
    /** AE 2023+ only (undefined models AE 2022): the layer used as matte, wherever it sits. */
    trackMatteLayer: Layer | null | undefined = undefined;
    constructor(comp: CompItem, source: AVItem | null, name: string, w: number, h: number, duration: number) {
      super(comp, name, w, h, duration);
      this.source = source;
    }
    get width(): number {
      return this.source ? this.source.width : this.comp.width;
    }
    get height(): number {
      return this.source ? this.source.height : this.comp.height;
    }
    /** Text and shape content set by the test (AE: text sits above its baseline, shapes around the layer origin). */
    contentRect: Rect | null = null;
    /** Guide: "the rectangle bounds of the layer at the specified time index, corrected for text or shape layer content". */
    sourceRectAtTime(_time: number, _extents: boolean): Rect {
      return this.contentRect ? { ...this.contentRect } : { top: 0, left: 0, width: this.width, height: this.height };
    }
  }
  class TextLayer extends AVLayer {}
  class ShapeLayer extends AVLayer {}
  /** Cameras and lights have no effects or masks (property() answers null for them, as in AE). */
  class CameraLayer extends Layer {
    constructor(comp: CompItem, name: string, w: number, h: number, duration: number) {
      super(comp, name, w, h, duration);
      this.groups = this.groups.slice(0, 2);
    }
  }
  class LightLayer extends Layer {
    constructor(comp: CompItem, name: string, w: number, h: number, duration: number) {
      super(comp, name, w, h, duration);
      this.groups = this.groups.slice(0, 2);
    }
  }

  class LayerCollection {
    constructor(private comp: CompItem) {}
    get length(): number {
      return this.comp.layerList.length;
    }
    add(item: AVItem, duration?: number): AVLayer {
      touch(`layers.add ${item.name}`);
      if (!(item instanceof CompItem || item instanceof FootageItem))
        throw new Error('Can not add this item as a layer');
      const d = duration ?? (itemDuration(item) || this.comp.duration);
      const layer = new AVLayer(this.comp, item, item.name, item.width, item.height, d);
      this.comp.layerList.unshift(layer);
      return layer;
    }
  }

  // ---- import ----

  const IMAGE = /\.(png|jpe?g|tiff?|psd|exr|dpx|tga|bmp)$/i;
  const MOVIE = /\.(mov|mp4|mxf|avi|wav|aiff?|mp3)$/i;

  /** Size, frame count and native rate of a file the sim can import. */
  function describeMedia(
    path: string,
    sequence: boolean,
  ): { width: number; height: number; frames: number; fps: number; isStill: boolean; alpha: boolean; video: boolean } {
    const movie = state.movies.get(path);
    if (movie)
      return {
        width: movie.width,
        height: movie.height,
        frames: movie.frames,
        fps: movie.fps,
        isStill: false,
        alpha: !!movie.alpha,
        video: movie.video !== false,
      };
    if (!IMAGE.test(path)) throw new Error(`Sim cannot import "${path}": declare it with sim.declareMovie()`);
    const { width, height, alpha } = pngHeader(path);
    const fps = options.sequenceFps ?? 30;
    const image = { width, height, alpha, video: true };
    if (!sequence) return { ...image, frames: 0, fps: 0, isStill: true };
    const frames = sequenceFiles(path).length;
    // Assumption (matches what AE does with a lone numbered file): a one-file "sequence" comes in as a still.
    if (frames <= 1) return { ...image, frames: 0, fps: 0, isStill: true };
    return { ...image, frames, fps, isStill: false };
  }

  class ImportOptions {
    file: File | null = null;
    sequence = false;
    forceAlphabetical = false;
    importAs = 1;
    constructor(file?: File) {
      if (file) this.file = file;
    }
    canImportAs(type: number): boolean {
      const f = this.file;
      return (
        type === ImportAsType.FOOTAGE &&
        !!f &&
        f.exists &&
        (IMAGE.test(f.fsName) || (MOVIE.test(f.fsName) && state.movies.has(f.fsName)))
      );
    }
  }
  const ImportAsType = { FOOTAGE: 1, COMP: 2, COMP_CROPPED_LAYERS: 3, PROJECT: 4 };

  // ---- project and app ----

  const root = new FolderItem('Root');
  /** What the artist looks at: the comp open in the Timeline, or a selection in the Project panel. */
  const ui = { comp: null as CompItem | null, focus: 'timeline' as 'timeline' | 'project', selected: [] as Item[] };
  const project = {
    all: [] as Item[],
    file: null as File | null,
    rootFolder: root,
    renderQueue: { numItems: 0, items: { length: 0 } },
    /**
     * Guide (Project.activeItem): "the item that is currently active …, or null if no item is currently selected or
     * if multiple items are selected"; read-only. With the Timeline focused it is the comp open there.
     */
    get activeItem(): Item | null {
      if (ui.focus === 'project') return ui.selected.length === 1 ? ui.selected[0] : null;
      return ui.comp;
    },
    get selection(): Item[] {
      return toRealm(ui.focus === 'project' ? [...ui.selected] : ui.comp ? [ui.comp] : []);
    },
    /**
     * Guide (Project.layerByID, AE 22.0): the layer with that id anywhere in the project, or null; "non-valid IDs will
     * throw an exception stating that the input parameter is not an unsigned integer".
     */
    layerByID(id: number): Layer | null {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0)
        throw new Error(`Unable to call "layerByID" because of parameter 1. ${id} is not an unsigned integer.`);
      for (const item of project.all)
        if (item instanceof CompItem) for (const l of item.layerList) if (l.id === id) return l;
      return null;
    },
    get numItems(): number {
      return project.all.length;
    },
    item(i: number): Item {
      const it = project.all[i - 1];
      if (!it) throw new Error(`Item index ${i} out of range 1..${project.all.length}`);
      return it;
    },
    items: {
      get length(): number {
        return project.all.length;
      },
      addFolder(name: string): FolderItem {
        touch(`addFolder ${name}`);
        return register(new FolderItem(name), root);
      },
      addComp(name: string, w: number, h: number, pa: number, duration: number, fps: number): CompItem {
        touch(`addComp ${name}`);
        return register(new CompItem(name, w, h, pa, duration, fps), root);
      },
    },
    importFile(io: ImportOptions): FootageItem {
      touch('importFile');
      if (!io.file || !io.canImportAs(io.importAs)) throw new Error('File can not be imported');
      const m = describeMedia(io.file.fsName, io.sequence);
      const name = io.sequence ? sequenceName(io.file.fsName) : io.file.name;
      const src = new FileSource(io.file, m.isStill, m.fps, m.alpha);
      src.interpretAlpha('import');
      const item = register(new FootageItem(name, m.width, m.height, src, m.frames), root);
      item.hasVideo = m.video;
      return item;
    },
  };

  function register<T extends Item>(item: T, folder: FolderItem): T {
    project.all.push(item);
    item.attach(folder);
    return item;
  }

  function prefKey(section: string, key: string, type: number = PREF_TYPE.MACHINE_SPECIFIC): string {
    return `${type}|${section}|${key}`;
  }
  state.prefs.set(prefKey(...FILE_WRITE_PREF), options.scriptsCanWriteFiles ? '1' : '0');
  function canWriteFiles(): boolean {
    return state.prefs.get(prefKey(...FILE_WRITE_PREF)) === '1';
  }
  /** With the preference off AE stops the script with a modal alert asking the user to turn it on; the write fails. */
  function writeRefused(what: string): false {
    state.dialogs.push(
      `Scripts may not write files (${what}): turn on Allow Scripts To Write Files And Access Network`,
    );
    return false;
  }
  /** Guide (Preferences object): values by section and key in one of AE's preference files (PREFType). */
  const preferences = {
    havePref(section: string, key: string, type?: number): boolean {
      return state.prefs.has(prefKey(section, key, type));
    },
    getPrefAsLong(section: string, key: string, type?: number): number {
      const v = state.prefs.get(prefKey(section, key, type));
      if (v === undefined) throw new Error(`No preference "${key}" in section "${section}"`);
      return Number.parseInt(v, 10);
    },
  };

  const app = {
    project,
    preferences,
    version: '25.2x14',
    beginUndoGroup(name: string): void {
      if (state.undoDepth === 0) state.openGroup = name;
      state.undoDepth++;
    },
    endUndoGroup(): void {
      if (state.undoDepth === 0) throw new Error('endUndoGroup called without beginUndoGroup');
      state.undoDepth--;
      if (state.undoDepth === 0) state.undoGroups.push(state.openGroup);
    },
    scheduleTask(script: string, delay: number, repeat: boolean): number {
      const id = state.nextTask++;
      state.tasks.set(id, { script, delay, repeat });
      return id;
    },
    cancelTask(id: number): void {
      state.tasks.delete(id);
    },
  };

  // ---- test-side builders (not part of AE) ----

  function addComp(o: { name: string; width?: number; height?: number; fps?: number; duration?: number }): CompItem {
    const c = new CompItem(o.name, o.width ?? 1920, o.height ?? 1080, 1, o.duration ?? 10, o.fps ?? 30);
    return register(c, root);
  }

  function addFootage(o: {
    name?: string;
    file: string;
    width: number;
    height: number;
    /** Movie or sequence rate; omit for a still. */
    fps?: number;
    frames?: number;
    missing?: boolean;
    /** A file source without a file (what AE reports for some generated or placeholder media). */
    noFile?: boolean;
    /** False for audio-only footage (hasVideo). */
    video?: boolean;
  }): FootageItem {
    const still = o.fps === undefined;
    const src = new FileSource(o.noFile ? null : new File(o.file), still, o.fps ?? 0);
    const item = new FootageItem(o.name ?? basename(o.file), o.width, o.height, src, o.frames ?? 0);
    item.hasVideo = o.video !== false;
    if (o.missing) {
      item.footageMissing = true;
      src.missingFootagePath = o.file;
    }
    return register(item, root);
  }

  function addSolid(name: string, w: number, h: number): FootageItem {
    return register(new FootageItem(name, w, h, new SolidSource(), 0), root);
  }

  /** Adds a layer at the top of `comp` without recording a mutation (test setup). */
  function addLayer(
    comp: CompItem,
    source: AVItem | 'text' | 'shape' | 'camera',
    o: {
      name?: string;
      startTime?: number;
      selected?: boolean;
      /** Percent; negative = reversed (source time 0 sits at the layer's right end). */
      stretch?: number;
      /** Text or shape content bounds (sourceRectAtTime). */
      rect?: Rect;
    } = {},
  ): Layer {
    let layer: Layer;
    if (source === 'text') layer = new TextLayer(comp, null, o.name ?? 'Text', comp.width, comp.height, comp.duration);
    else if (source === 'shape')
      layer = new ShapeLayer(comp, null, o.name ?? 'Shape', comp.width, comp.height, comp.duration);
    else if (source === 'camera')
      layer = new CameraLayer(comp, o.name ?? 'Camera', comp.width, comp.height, comp.duration);
    else {
      const d = itemDuration(source) || comp.duration;
      layer = new AVLayer(comp, source, o.name ?? source.name, source.width, source.height, d);
    }
    comp.layerList.unshift(layer);
    const start = o.startTime ?? 0;
    const s = o.stretch ?? 100;
    const span = ((layer.outPoint - layer.inPoint) * s) / 100;
    (layer as unknown as { _start: number })._start = start;
    layer.stretchValue = s;
    layer.inPoint = start + Math.min(0, span);
    layer.outPoint = start + Math.max(0, span);
    layer.selected = o.selected ?? false;
    if (o.rect && layer instanceof AVLayer) layer.contentRect = { ...o.rect };
    return layer;
  }

  /** Separates a layer's position into X/Y Position with these values (test setup, no mutation recorded). */
  function separatePosition(layer: Layer, x: number, y: number): { x: Property; y: Property } {
    const leader = layer.transform.property('ADBE Position') as Property;
    leader.separated = true;
    const fx = leader.getSeparationFollower(0);
    const fy = leader.getSeparationFollower(1);
    fx.raw = x;
    fy.raw = y;
    return { x: fx, y: fy };
  }

  /** Everything a test may compare before/after to prove a layer was not modified. */
  function snapshot(layer: Layer): unknown {
    const dump = (m: Member): unknown =>
      m instanceof Property
        ? { n: m.matchName, v: m.raw, k: m.keys, e: m.expression }
        : { n: m.matchName, name: m.name, m: m.members.map(dump) };
    return structuredClone({
      name: layer.name,
      start: layer.startTime,
      in: layer.inPoint,
      out: layer.outPoint,
      label: layer.label,
      comment: layer.comment,
      enabled: layer.enabled,
      stretch: layer.stretch,
      source: (layer as AVLayer).source?.id ?? null,
      groups: layer.groups.map(dump),
    });
  }

  /** Comp-space box [left, top, right, bottom] of a layer's drawn extent (anchor, position, scale; no rotation). */
  function compBounds(layer: AVLayer, time: number): number[] {
    const r = layer.sourceRectAtTime(time, true);
    const t = layer.transform;
    const a = (t.property('ADBE Anchor Point') as Property).valueAtTime(time, false) as number[];
    const p = (t.property('ADBE Position') as Property).valueAtTime(time, false) as number[];
    const sc = (t.property('ADBE Scale') as Property).valueAtTime(time, false) as number[];
    const x = (u: number) => p[0] + ((u - a[0]) * sc[0]) / 100;
    const y = (v: number) => p[1] + ((v - a[1]) * sc[1]) / 100;
    return [x(r.left), y(r.top), x(r.left + r.width), y(r.top + r.height)];
  }

  const globals = {
    app,
    Item,
    AVItem,
    CompItem,
    FootageItem,
    FolderItem,
    FileSource,
    SolidSource,
    PlaceholderSource,
    Layer,
    AVLayer,
    TextLayer,
    ShapeLayer,
    CameraLayer,
    LightLayer,
    Property,
    PropertyGroup,
    MarkerValue,
    ImportOptions,
    ImportAsType,
    File,
    Folder,
    AlphaMode: ALPHA_MODE,
    PREFType: {
      PREF_Type_MACHINE_SPECIFIC: PREF_TYPE.MACHINE_SPECIFIC,
      PREF_Type_MACHINE_INDEPENDENT: PREF_TYPE.MACHINE_INDEPENDENT,
    },
  };

  return {
    app,
    project,
    state,
    globals,
    classes: {
      CompItem,
      FootageItem,
      FileSource,
      FolderItem,
      AVLayer,
      Layer,
      Property,
      PropertyGroup,
      MarkerValue,
      File,
    },
    addComp,
    addFootage,
    addSolid,
    addLayer,
    separatePosition,
    snapshot,
    compBounds,
    /** The artist opens `comp` in the Timeline (it becomes app.project.activeItem). */
    openComp(comp: CompItem | null): void {
      ui.comp = comp;
      ui.focus = 'timeline';
    },
    /** The artist selects items in the Project panel (activeItem: the one item, or null for none or several). */
    selectInProject(...items: Item[]): void {
      ui.selected = items;
      ui.focus = 'project';
    },
    /** Moves a layer to a stacking position (1 = top), as dragging it in the Timeline does; no mutation recorded. */
    reorder(layer: Layer, index: number): void {
      const list = layer.comp.layerList;
      list.splice(list.indexOf(layer), 1);
      list.splice(index - 1, 0, layer);
    },
    /** Turns Allow Scripts to Write Files and Access Network on or off. */
    setScriptsCanWriteFiles(on: boolean): void {
      state.prefs.set(prefKey(...FILE_WRITE_PREF), on ? '1' : '0');
    },
    declareMovie(path: string, info: MovieInfo): void {
      state.movies.set(path, info);
      if (!existsSync(path)) writeFileSync(path, 'movie stand-in');
    },
    attachRealm(fn: ToRealm): void {
      toRealm = fn;
    },
    /** Runs the scheduled tasks once (one-shot ones are consumed), each script through `evaluate`. */
    runTasks(evaluate: (script: string) => void): number {
      const due = [...state.tasks.entries()];
      for (const [id, t] of due) {
        if (!t.repeat) state.tasks.delete(id);
        evaluate(t.script);
      }
      return due.length;
    },
    /** Writes the PNGs that asynchronous saveFrameToPng calls queued. */
    flushSaves(): void {
      for (const s of state.pendingSaves.splice(0)) writeRender(s);
    },
    /** Mutations made while no undo group was open. */
    mutationsOutsideUndo(): string[] {
      return state.mutations.filter((m) => m.undoDepth === 0).map((m) => m.what);
    },
  };
}

export type AeSim = ReturnType<typeof createAeSim>;
export type SimFileSource = InstanceType<AeSim['classes']['FileSource']>;
export type SimFootage = InstanceType<AeSim['classes']['FootageItem']>;
export type SimLayer = InstanceType<AeSim['classes']['Layer']>;
export type SimAVLayer = InstanceType<AeSim['classes']['AVLayer']>;
export type SimProperty = InstanceType<AeSim['classes']['Property']>;
export type SimGroup = InstanceType<AeSim['classes']['PropertyGroup']>;

// ---- small file helpers ----

/** Writes an opaque grey PNG of w×h. */
export function writePng(file: string, w: number, h: number): void {
  const png = new PNG({ width: Math.max(1, w), height: Math.max(1, h) });
  png.data.fill(128);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, PNG.sync.write(png));
}

/** Grey 128 inside a half-transparent one-pixel border, stored PREMULTIPLIED (rgb 64 at alpha 128) as saveFrameToPng
 * stores colour; or fully transparent when no layer was visible. */
function writeRender(s: { file: string; width: number; height: number; empty: boolean }): void {
  const w = Math.max(1, s.width);
  const h = Math.max(1, s.height);
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const edge = x === 0 || y === 0 || x === w - 1 || y === h - 1;
      const a = s.empty ? 0 : edge ? 128 : 255;
      const i = (y * w + x) * 4;
      png.data.fill(Math.round((128 * a) / 255), i, i + 3);
      png.data[i + 3] = a;
    }
  }
  mkdirSync(dirname(s.file), { recursive: true });
  writeFileSync(s.file, PNG.sync.write(png));
}

/** Size and whether the PNG has an alpha channel (IHDR colour type 4 or 6). */
function pngHeader(file: string): { width: number; height: number; alpha: boolean } {
  const b = readFileSync(file);
  if (b.length < 26 || b.readUInt32BE(12) !== 0x49484452) throw new Error(`Sim: "${file}" is not a PNG`);
  const colorType = b[25];
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), alpha: colorType === 4 || colorType === 6 };
}

/** Files of the numbered sequence that `first` belongs to (same prefix and extension, digits before it). */
function sequenceFiles(first: string): string[] {
  const m = /^(.*?)(\d+)(\.[^.]+)$/.exec(basename(first));
  if (!m) return [first];
  const [, prefix, , ext] = m;
  const re = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\d+${ext.replace('.', '\\.')}$`);
  return readdirSync(dirname(first)).filter((n) => re.test(n));
}

function sequenceName(first: string): string {
  const files = sequenceFiles(first).sort();
  const m = /^(.*?)(\d+)(\.[^.]+)$/.exec(basename(first));
  if (!m || files.length === 0) return basename(first);
  const last = /(\d+)\.[^.]+$/.exec(files[files.length - 1])?.[1] ?? m[2];
  return `${m[1]}[${m[2]}-${last}]${extname(first)}`;
}

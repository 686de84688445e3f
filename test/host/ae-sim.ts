/**
 * A simulated After Effects scripting DOM, just the subset reenact's host scripts use, so the shipped ES3 bundle
 * can run under test without AE. It follows the AE scripting guide where it matters for correctness:
 * 1-based item/layer/property collections, 0-based `selectedLayers`, layer index = stacking order, keyframe times in
 * comp time, `conformFrameRate` changing the footage rate (0 = native, error on stills), `moveBefore` placing a layer
 * immediately above another, `setValue` refusing keyframed properties, and undo groups that must balance.
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
}

/** Known movie files: the sim cannot decode them, so tests declare their size, rate and length. */
export interface MovieInfo {
  width: number;
  height: number;
  fps: number;
  frames: number;
}

export function createAeSim(options: SimOptions = {}) {
  let nextId = 1;
  let toRealm: ToRealm = (a) => a;
  const state = {
    undoDepth: 0,
    undoGroups: [] as string[],
    openGroup: '',
    mutations: [] as { what: string; undoDepth: number }[],
    savedFrames: [] as { comp: string; size: number[]; time: number; file: string; layers: string[]; top: unknown }[],
    readonlyFiles: new Set<string>(),
    movies: new Map<string, MovieInfo>(),
    pendingSaves: [] as { file: string; width: number; height: number }[],
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
    create(): boolean {
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
    dimensionsSeparated = false;
    constructor(matchName: string, name: string, value: Value, hold = false) {
      this.matchName = matchName;
      this.name = name;
      this.raw = value;
      this.hold = hold;
    }
    get numKeys(): number {
      return this.keys.length;
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
      if (this.keys.length > 0) throw new Error(`Can not set value of "${this.name}": it has keyframes`);
      touch(`setValue ${this.name}`);
      this.raw = hostValue(v);
    }
    setValueAtTime(time: number, v: unknown): void {
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
      if (m instanceof PropertyGroup) m.owner = this;
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
    saveFrameToPng(time: number, file: File): void {
      touch(`saveFrameToPng ${this.name}`);
      const top = this.layerList[0];
      state.savedFrames.push({
        comp: this.name,
        size: [this.width, this.height],
        time,
        file: file.fsName,
        layers: this.layerList.map((l) => l.name),
        top: top ? snapshot(top) : null,
      });
      const [fx, fy] = this.resolutionFactor;
      const save = { file: file.fsName, width: Math.ceil(this.width / fx), height: Math.ceil(this.height / fy) };
      if (options.asyncSaves) state.pendingSaves.push(save);
      else writePng(save.file, save.width, save.height);
    }
  }

  class FileSource {
    readonly isStill: boolean;
    file: File | null;
    missingFootagePath = '';
    nativeFrameRate: number;
    private _conform = 0;
    constructor(file: File | null, isStill: boolean, nativeFrameRate: number) {
      this.file = file;
      this.isStill = isStill;
      this.nativeFrameRate = nativeFrameRate;
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
    replace(file: File): void {
      touch(`replace ${this.name}`);
      const m = describeMedia(file.fsName, false);
      this.mainSource = new FileSource(file, m.isStill, m.fps);
      this.width = m.width;
      this.height = m.height;
      this.frames = m.frames;
    }
    replaceWithSequence(file: File, _forceAlphabetical: boolean): void {
      touch(`replaceWithSequence ${this.name}`);
      const m = describeMedia(file.fsName, true);
      this.mainSource = new FileSource(file, false, m.fps);
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
    set stretch(v: number) {
      touch('stretch');
      this.stretchValue = v;
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
  const MOVIE = /\.(mov|mp4|mxf|avi)$/i;

  /** Size, frame count and native rate of a file the sim can import. */
  function describeMedia(
    path: string,
    sequence: boolean,
  ): { width: number; height: number; frames: number; fps: number; isStill: boolean } {
    const movie = state.movies.get(path);
    if (movie)
      return { width: movie.width, height: movie.height, frames: movie.frames, fps: movie.fps, isStill: false };
    if (!IMAGE.test(path)) throw new Error(`Sim cannot import "${path}": declare it with sim.declareMovie()`);
    const { width, height } = pngSize(path);
    const fps = options.sequenceFps ?? 30;
    if (!sequence) return { width, height, frames: 0, fps: 0, isStill: true };
    const frames = sequenceFiles(path).length;
    // Assumption (matches what AE does with a lone numbered file): a one-file "sequence" comes in as a still.
    if (frames <= 1) return { width, height, frames: 0, fps: 0, isStill: true };
    return { width, height, frames, fps, isStill: false };
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
  const project = {
    all: [] as Item[],
    activeItem: null as Item | null,
    file: null as File | null,
    rootFolder: root,
    renderQueue: { numItems: 0, items: { length: 0 } },
    selectedItems: [] as Item[],
    get selection(): Item[] {
      return toRealm([...project.selectedItems]);
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
      return register(
        new FootageItem(name, m.width, m.height, new FileSource(io.file, m.isStill, m.fps), m.frames),
        root,
      );
    },
  };

  function register<T extends Item>(item: T, folder: FolderItem): T {
    project.all.push(item);
    item.attach(folder);
    return item;
  }

  const app = {
    project,
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
  }): FootageItem {
    const still = o.fps === undefined;
    const src = new FileSource(o.noFile ? null : new File(o.file), still, o.fps ?? 0);
    const item = new FootageItem(o.name ?? basename(o.file), o.width, o.height, src, o.frames ?? 0);
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
    o: { name?: string; startTime?: number; selected?: boolean } = {},
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
    (layer as unknown as { _start: number })._start = start;
    layer.inPoint += start;
    layer.outPoint += start;
    layer.selected = o.selected ?? false;
    return layer;
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
    snapshot,
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
      for (const s of state.pendingSaves.splice(0)) writePng(s.file, s.width, s.height);
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
export type SimComp = InstanceType<AeSim['classes']['CompItem']>;
export type SimLayer = InstanceType<AeSim['classes']['Layer']>;
export type SimAVLayer = InstanceType<AeSim['classes']['AVLayer']>;
export type SimProperty = InstanceType<AeSim['classes']['Property']>;
export type SimGroup = InstanceType<AeSim['classes']['PropertyGroup']>;

// ---- small file helpers ----

/** Writes an opaque grey PNG of w×h (what saveFrameToPng would leave on disk). */
export function writePng(file: string, w: number, h: number): void {
  const png = new PNG({ width: Math.max(1, w), height: Math.max(1, h) });
  png.data.fill(128);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, PNG.sync.write(png));
}

function pngSize(file: string): { width: number; height: number } {
  const b = readFileSync(file);
  if (b.length < 24 || b.readUInt32BE(12) !== 0x49484452) throw new Error(`Sim: "${file}" is not a PNG`);
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
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

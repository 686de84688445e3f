/**
 * The face picker: one radio-like chip per face found (thumbnail from the bridge's /faces), largest first, the
 * picked one marked with aria-checked so keyboard and screen-reader users get the same choice.
 */
import type { FaceThumb } from '../../bridge/src/api/schema.js';
import { h } from './dom.js';

/** Repaints `el` with a chip per face; `key` is what a pick means (portrait: index, driving clip: track id). */
export function renderChips(
  el: HTMLElement,
  faces: FaceThumb[],
  picked: number | undefined,
  key: 'index' | 'id',
  what: string,
  onPick: (key: 'index' | 'id', value: number) => void,
): void {
  el.textContent = '';
  faces.forEach((face, i) => {
    const value = face[key];
    const b = h('button', {
      type: 'button',
      class: 'chip',
      role: 'radio',
      'aria-checked': String(value === picked),
      'aria-label': `${what} face ${i + 1}${i === 0 ? ' (largest)' : ''}`,
      title: `${what} face ${i + 1}: ${Math.round(face.box.width)}×${Math.round(face.box.height)} px`,
      'data-face': String(value),
    });
    b.append(h('img', { src: `data:image/png;base64,${face.thumbnail}`, alt: '' }));
    b.addEventListener('click', () => onPick(key, value));
    el.append(b);
  });
}

// Assets page (/admin/icosa/asset/).
import type {AppContext} from '../app';
import {h} from '../dom';

export function mount(root: HTMLElement, _app: AppContext): () => void {
  root.append(h('h1', {}, 'Select asset to change'));
  return () => {};
}

// Placeholder for the Batch Thumbnail Generator page (/admin/thumbnails/generate/); the generator work replaces it.
import type {AppContext} from '../app';
import {h} from '../dom';

export function mount(root: HTMLElement, app: AppContext): () => void {
  const selection = app.url.searchParams.get('selection');
  root.append(h('h1', {}, 'Batch Thumbnail Generator'),
              h('p', {id: 'generator-scope'},
                selection ? `Selection ${selection}` : 'All assets missing a thumbnail'));
  return () => {};
}

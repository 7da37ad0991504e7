// The rows of the asset list: preview, name, owner, formats, thumbnail state, its source, the last error.
import type {AssetRow} from '../admin_api';
import {h, uniqueId} from '../dom';

const SOURCE_LABELS: Record<string, string> = {
  generated: 'Generated',
  owner: 'Uploaded by owner',
  imported: 'Imported',
};

// What the admin needs to know about an asset's thumbnail, in one word or two, and its class for the colour.
// "Failed" follows the list's filter: the job is dead, or its last attempt failed (last_error) and no thumbnail
// came since.
export function thumbnailState(asset: AssetRow): {text: string; kind: 'has' | 'empty' | 'failed' | 'queued'} {
  const attempts = asset.attempts === 1 ? '1 attempt' : `${asset.attempts} attempts`;
  const failedBefore = !asset.thumbnail_url && asset.last_error !== null;
  switch (asset.job_state) {
    case 'leased':
      return {text: asset.thumbnail_url ? 'Has, re-rendering' : 'Rendering', kind: 'queued'};
    case 'queued':
      if (failedBefore) return {text: 'Failed, queued again', kind: 'failed'};
      return {text: asset.thumbnail_url ? 'Has, queued again' : 'Queued', kind: 'queued'};
    case 'backing_off':
      return {text: `Failed, will retry (${attempts})`, kind: 'failed'};
    case 'dead':
      return asset.thumbnail_url ? {text: 'Has (regeneration failed)', kind: 'failed'}
                                 : {text: `Failed (${attempts})`, kind: 'failed'};
    default:
      if (asset.thumbnail_url) return {text: 'Has', kind: 'has'};
      return failedBefore ? {text: 'Failed', kind: 'failed'} : {text: 'Empty', kind: 'empty'};
  }
}

function preview(asset: AssetRow): HTMLElement {
  if (!asset.thumbnail_url) return h('span', {class: 'no-thumbnail'}, 'none');
  return h('a', {href: asset.thumbnail_url, target: '_blank', rel: 'noopener'},
           h('img', {src: asset.thumbnail_url, alt: `Thumbnail of ${asset.name || asset.url}`, loading: 'lazy',
                     width: 80, height: 45}));
}

function formats(asset: AssetRow): HTMLElement {
  const cell = h('td', {class: 'formats'});
  asset.formats.forEach((format, index) => {
    if (index > 0) cell.append(', ');
    cell.append(format.is_preferred ? h('strong', {title: 'preferred'}, format.format_type) : format.format_type);
  });
  if (!asset.is_viewer_compatible) cell.append(h('div', {class: 'quiet'}, 'not viewer-compatible'));
  return cell;
}

function source(asset: AssetRow): HTMLElement {
  const cell = h('td', {class: 'source'});
  // A camera saved in the generator ("Use this camera") is what the next render of this asset uses.
  const savedCamera = asset.camera ? h('div', {class: 'quiet saved-camera'}, 'saved camera') : null;
  if (!asset.thumbnail_source) {
    cell.append(h('span', {class: 'quiet'}, '—'));
    if (savedCamera) cell.append(savedCamera);
    return cell;
  }
  cell.append(SOURCE_LABELS[asset.thumbnail_source] ?? asset.thumbnail_source);
  if (asset.renderer_version) cell.append(h('div', {class: 'quiet'}, asset.renderer_version));
  if (savedCamera) cell.append(savedCamera);
  if (asset.thumbnail_updated_at) {
    cell.title = `Stored ${new Date(asset.thumbnail_updated_at).toLocaleString()}`;
  }
  return cell;
}

export interface RowHandle {
  asset: AssetRow;
  row: HTMLTableRowElement;
  checkbox: HTMLInputElement;
}

// One <tr> per asset; the name is the visible label of the row's checkbox.
export function assetRow(asset: AssetRow, checked: boolean): RowHandle {
  const id = uniqueId('select-asset');
  const checkbox = h('input', {type: 'checkbox', id, class: 'action-select', name: '_selected_action', value: asset.id,
                               checked});
  const state = thumbnailState(asset);
  const row = h('tr', {'data-asset-id': asset.id, class: checked ? 'selected' : null},
                h('td', {class: 'action-checkbox'}, checkbox),
                h('td', {class: 'preview'}, preview(asset)),
                h('th', {scope: 'row', class: 'name'},
                  h('label', {for: id}, asset.name || '(no name)'),
                  h('div', {class: 'quiet monospace'}, asset.url)),
                h('td', {class: 'owner'}, asset.owner || h('span', {class: 'quiet'}, '—')),
                formats(asset),
                h('td', {class: 'thumbnail-state'}, h('span', {class: `state state-${state.kind}`}, state.text)),
                source(asset),
                h('td', {class: 'error'}, asset.last_error ?? ''));
  return {asset, row, checkbox};
}

export function tableHead(toggle: HTMLInputElement): HTMLTableSectionElement {
  return h('thead', {},
           h('tr', {},
             h('th', {scope: 'col', class: 'action-checkbox'}, toggle,
               h('label', {for: toggle.id, class: 'toggle-label'}, 'All')),
             h('th', {scope: 'col'}, 'Thumbnail'),
             h('th', {scope: 'col'}, 'Name'),
             h('th', {scope: 'col'}, 'Owner'),
             h('th', {scope: 'col'}, 'Formats'),
             h('th', {scope: 'col'}, 'Thumbnail state'),
             h('th', {scope: 'col'}, 'Source'),
             h('th', {scope: 'col'}, 'Last error')));
}

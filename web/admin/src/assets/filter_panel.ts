// The filter panel at the side of the asset list, as in Django's admin: one list of links per filter, the current
// choice marked. Each link is the list's URL with that filter changed (first page, nothing selected).
import type {AssetFilter} from '../admin_api';
import {h} from '../dom';
import {type ListState, withFilter, writeState} from './list_state';

interface Choice {
  label: string;
  value: string;  // '' = All
}

interface FilterSpec {
  field: keyof AssetFilter;
  title: string;
  choices: Choice[];
}

// Format types as the catalogue names them (src/server/model_publication.cpp, importer.cpp).
const FORMAT_TYPES = ['GLB', 'GLTF2', 'GLTF1', 'OBJ', 'FBX', 'PLY', 'STL', 'SPZ', 'SPLAT', 'TILT', 'USDZ'];

const FILTERS: FilterSpec[] = [
  {
    field: 'thumbnail',
    title: 'By thumbnail',
    choices: [{label: 'All', value: ''}, {label: 'Empty', value: 'empty'}, {label: 'Has', value: 'has'},
              {label: 'Failed', value: 'failed'}],
  },
  {
    field: 'viewer_compatible',
    title: 'By viewer compatible',
    choices: [{label: 'All', value: ''}, {label: 'Yes', value: 'true'}, {label: 'No', value: 'false'}],
  },
  {
    field: 'source',
    title: 'By thumbnail source',
    choices: [{label: 'All', value: ''}, {label: 'Generated', value: 'generated'},
              {label: 'Uploaded by owner', value: 'owner'}, {label: 'Imported', value: 'imported'}],
  },
  {
    field: 'format',
    title: 'By format',
    choices: [{label: 'All', value: ''}, ...FORMAT_TYPES.map((type) => ({label: type, value: type}))],
  },
];

export function filterPanel(pathname: string, state: ListState): HTMLElement {
  const panel = h('nav', {id: 'changelist-filter', 'aria-label': 'Filter'}, h('h2', {}, 'Filter'));
  for (const spec of FILTERS) {
    const current = state.filter[spec.field] ?? '';
    const list = h('ul', {});
    for (const choice of spec.choices) {
      const filter = {...state.filter, [spec.field]: choice.value};
      const href = `${pathname}?${writeState(withFilter(state, filter)).toString()}`.replace(/\?$/, '');
      const selected = choice.value === current;
      list.append(h('li', {class: selected ? 'selected' : null},
                    h('a', {href, 'aria-current': selected ? 'true' : null}, choice.label)));
    }
    const titleId = `filter-${spec.field}`;
    panel.append(h('section', {'aria-labelledby': titleId}, h('h3', {id: titleId}, spec.title), list));
  }
  return panel;
}

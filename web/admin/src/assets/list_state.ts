// The state of the asset list, kept in the URL query so a reload, a bookmark or Back shows the same page with the
// same selection: the filter, the keyset cursor of this page and a stack of the cursors before it (Previous pops
// one), the checked ids (no cap) or the id of a server-side "all matching" selection.
import type {AssetFilter, ThumbnailFilter} from '../admin_api';

export const FILTER_FIELDS = ['q', 'thumbnail', 'format', 'viewer_compatible', 'source', 'renderer_version'] as const;
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 100;

export interface ListState {
  filter: AssetFilter;
  after: string | null;     // cursor of this page; null = the first page
  back: string[];           // cursors of the pages before this one, oldest first ('' = the first page)
  limit: number;
  ids: string[];            // checked asset ids, in the order they were checked
  selection: string | null; // a "Select all N matching" selection id (then `ids` is empty)
}

const ID = /^[0-9]{1,20}$/;

export function readState(params: URLSearchParams): ListState {
  const filter: Record<string, string> = {};
  for (const field of FILTER_FIELDS) {
    const value = params.get(field);
    if (value) filter[field] = value;
  }
  const limit = Number.parseInt(params.get('limit') ?? '', 10);
  const ids = (params.get('ids') ?? '').split(',').filter((id) => ID.test(id));
  return {
    filter: filter as AssetFilter,
    after: params.get('after') || null,
    back: params.getAll('back'),
    limit: Number.isFinite(limit) && limit >= 1 ? Math.min(limit, MAX_LIMIT) : DEFAULT_LIMIT,
    ids: [...new Set(ids)],
    selection: params.get('selection') || null,
  };
}

export function writeState(state: ListState): URLSearchParams {
  const params = new URLSearchParams();
  for (const field of FILTER_FIELDS) {
    const value = state.filter[field];
    if (value) params.set(field, value);
  }
  if (state.limit !== DEFAULT_LIMIT) params.set('limit', String(state.limit));
  if (state.after) {
    for (const cursor of state.back) params.append('back', cursor);
    params.set('after', state.after);
  }
  if (state.selection) params.set('selection', state.selection);
  else if (state.ids.length > 0) params.set('ids', state.ids.join(','));
  return params;
}

// The same filter, first page, nothing selected: what a new search or filter choice shows.
export function withFilter(state: ListState, filter: AssetFilter): ListState {
  return {filter, after: null, back: [], limit: state.limit, ids: [], selection: null};
}

export function nextPage(state: ListState, nextCursor: string): ListState {
  return {...state, back: [...state.back, state.after ?? ''], after: nextCursor};
}

export function previousPage(state: ListState): ListState {
  const back = state.back.slice(0, -1);
  return {...state, back, after: state.back.at(-1) || null};
}

export function thumbnailFilter(state: ListState): ThumbnailFilter {
  return state.filter.thumbnail ?? '';
}

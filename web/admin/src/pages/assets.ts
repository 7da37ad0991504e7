// Assets page (/admin/icosa/asset/): the change list of assets in the manner of Django's admin — search, filters,
// keyset pages, row selection that survives a reload (ids or a server-side selection in the URL), and the actions
// "Generate thumbnails (opens batch generator)", "Retry failed" and "Regenerate" with "Go".
import {
  type AssetList,
  compactFilter,
  createJobs,
  createSelection,
  getSelection,
  listAssets,
  regenerate,
  retryFailed,
} from '../admin_api';
import {ApiError} from '../api';
import type {AppContext} from '../app';
import {PATHS} from '../app';
import {assetRow, type RowHandle, tableHead} from '../assets/asset_table';
import {filterPanel} from '../assets/filter_panel';
import {type ListState, nextPage, previousPage, readState, withFilter, writeState} from '../assets/list_state';
import {h, message, replaceChildren, uniqueId} from '../dom';

const ACTIONS = [
  {value: '', label: '---------'},
  {value: 'generate', label: 'Generate thumbnails (opens batch generator)'},
  {value: 'retry_failed', label: 'Retry failed'},
  {value: 'regenerate', label: 'Regenerate'},
] as const;

type Action = (typeof ACTIONS)[number]['value'];

const NOTHING_SELECTED = 'Items must be selected in order to perform actions on them. No items have been changed.';

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  return error instanceof Error ? error.message : String(error);
}

export function mount(root: HTMLElement, app: AppContext): () => void {
  const aborter = new AbortController();
  let state: ListState = readState(app.url.searchParams);
  let list: AssetList | null = null;
  let rows: RowHandle[] = [];
  let selectionCount: number | null = null;  // size of state.selection, once known
  const checked = new Set(state.ids);

  // ---- elements ----
  const messages = h('div', {id: 'messages', 'aria-live': 'polite'});
  const searchId = uniqueId('searchbar');
  const rendererId = uniqueId('renderer-version');
  const search = h('input', {type: 'search', id: searchId, name: 'q', value: state.filter.q ?? '', size: 40,
                             placeholder: 'name, url or owner'});
  const renderer = h('input', {type: 'text', id: rendererId, name: 'renderer_version', size: 18,
                               value: state.filter.renderer_version ?? '', placeholder: 'thumbgen-render/1'});
  const resultCount = h('span', {class: 'quiet result-count'});
  const searchForm = h('form', {id: 'changelist-search', role: 'search'},
                       h('label', {for: searchId}, 'Search'), search,
                       h('label', {for: rendererId}, 'Renderer version'), renderer,
                       h('button', {type: 'submit'}, 'Search'), resultCount);

  const actionId = uniqueId('action');
  const replaceId = uniqueId('replace-owner');
  const actionSelect = h('select', {id: actionId, name: 'action'},
                         ...ACTIONS.map((action) => h('option', {value: action.value}, action.label)));
  const replaceOwner = h('input', {type: 'checkbox', id: replaceId, name: 'replace_owner_thumbnails', disabled: true});
  const goButton = h('button', {type: 'submit', class: 'default', title: 'Run the selected action'}, 'Go');
  const counter = h('span', {class: 'action-counter', 'aria-live': 'polite'});
  const selectionNote = h('span', {class: 'selection-note'});
  const actionsForm = h('form', {id: 'changelist-actions'},
                        h('label', {for: actionId}, 'Action:'), actionSelect,
                        h('span', {class: 'field-inline'}, replaceOwner,
                          h('label', {for: replaceId}, 'Replace thumbnails uploaded by owners')),
                        goButton, counter, selectionNote);

  const toggle = h('input', {type: 'checkbox', id: uniqueId('action-toggle'), class: 'action-toggle'});
  const tbody = h('tbody', {});
  const table = h('table', {class: 'result-list', id: 'result_list'}, tableHead(toggle), tbody);
  const previousButton = h('button', {type: 'button', class: 'paginator-previous'}, '‹ Previous');
  const nextButton = h('button', {type: 'button', class: 'paginator-next'}, 'Next ›');
  const pageInfo = h('span', {class: 'page-info'});
  const paginator = h('nav', {class: 'paginator', 'aria-label': 'Pages'}, previousButton, pageInfo, nextButton);

  root.append(
      h('div', {class: 'toolbar-title'},
        h('h1', {}, 'Select asset to change'),
        h('div', {class: 'object-tools'},
          h('a', {href: PATHS.generator, class: 'button', id: 'open-generator'}, 'Batch Thumbnail Generator'))),
      messages,
      h('div', {id: 'changelist'},
        h('div', {id: 'changelist-main'}, searchForm, actionsForm, h('div', {class: 'results'}, table), paginator),
        filterPanel(app.url.pathname, state)));

  // ---- state ↔ URL ----
  const saveSelection = () => {
    state = {...state, ids: state.selection ? [] : [...checked]};
    app.setQuery(writeState(state));
  };
  const go = (next: ListState) => app.navigate(`${app.url.pathname}?${writeState(next).toString()}`);
  const show = (level: Parameters<typeof message>[0], text: string) => replaceChildren(messages, message(level, text));

  // ---- selection ----
  const total = () => list?.total_count ?? 0;
  const selectedCount = () => (state.selection ? (selectionCount ?? 0) : checked.size);

  const renderSelection = () => {
    const allOnPage = rows.length > 0 && rows.every((r) => r.checkbox.checked);
    toggle.checked = allOnPage;
    toggle.indeterminate = !allOnPage && rows.some((r) => r.checkbox.checked);
    for (const r of rows) r.row.classList.toggle('selected', r.checkbox.checked);
    counter.textContent = state.selection
        ? `All ${selectionCount ?? '…'} selected`
        : `${checked.size} of ${total()} selected`;
    replaceChildren(selectionNote);
    if (state.selection) {
      selectionNote.append(`All ${plural(selectionCount ?? 0, 'matching asset')} are selected. `,
                           h('button', {type: 'button', class: 'link clear-selection', onclick: clearSelection},
                             'Clear selection'));
    } else if (allOnPage && total() > rows.length) {
      selectionNote.append(h('button', {type: 'button', class: 'link select-across', onclick: selectAllMatching},
                             `Select all ${total()} matching`));
    } else if (checked.size > 0) {
      selectionNote.append(h('button', {type: 'button', class: 'link clear-selection', onclick: clearSelection},
                             'Clear selection'));
    }
  };

  const clearSelection = () => {
    checked.clear();
    state = {...state, selection: null};
    selectionCount = null;
    for (const r of rows) r.checkbox.checked = false;
    saveSelection();
    renderSelection();
  };

  // Django's select-across: the server fixes the set of matching ids now; its id goes in the URL.
  async function selectAllMatching() {
    try {
      const selection = await createSelection({filter: compactFilter(state.filter)});
      checked.clear();
      state = {...state, selection: selection.selection_id};
      selectionCount = selection.count;
      for (const r of rows) r.checkbox.checked = true;
      saveSelection();
      renderSelection();
    } catch (error) {
      if (!aborter.signal.aborted) show('error', `Could not select all matching assets: ${describeError(error)}`);
    }
  }

  const onRowChange = (handle: RowHandle) => {
    if (state.selection) {
      // Unticking one row of an "all matching" selection: from now on, the explicit ticks of this page.
      state = {...state, selection: null};
      selectionCount = null;
      for (const r of rows) if (r.checkbox.checked) checked.add(r.asset.id);
    }
    if (handle.checkbox.checked) checked.add(handle.asset.id);
    else checked.delete(handle.asset.id);
    saveSelection();
    renderSelection();
  };

  toggle.addEventListener('change', () => {
    if (state.selection && !toggle.checked) {
      clearSelection();
      return;
    }
    for (const r of rows) {
      r.checkbox.checked = toggle.checked;
      if (toggle.checked) checked.add(r.asset.id);
      else checked.delete(r.asset.id);
    }
    saveSelection();
    renderSelection();
  });

  // ---- loading ----
  async function load() {
    replaceChildren(tbody, h('tr', {}, h('td', {colspan: 8, class: 'empty-result'}, 'Loading…')));
    try {
      list = await listAssets({...compactFilter(state.filter), limit: state.limit, ...(state.after ? {after: state.after} : {})},
                              aborter.signal);
    } catch (error) {
      if (aborter.signal.aborted) return;
      replaceChildren(tbody);
      show('error', `Could not load the assets: ${describeError(error)}`);
      return;
    }
    rows = list.assets.map((asset) => assetRow(asset, state.selection !== null || checked.has(asset.id)));
    for (const handle of rows) handle.checkbox.addEventListener('change', () => onRowChange(handle));
    replaceChildren(tbody, ...rows.map((r) => r.row));
    if (rows.length === 0) {
      tbody.append(h('tr', {}, h('td', {colspan: 8, class: 'empty-result'}, 'No assets match.')));
    }
    const first = state.back.length * state.limit + 1;
    resultCount.textContent = plural(list.total_count, 'asset');
    pageInfo.textContent = rows.length === 0
        ? `Page ${state.back.length + 1}`
        : `Page ${state.back.length + 1} · ${first}–${first + rows.length - 1} of ${list.total_count}`;
    previousButton.disabled = state.after === null;
    nextButton.disabled = !list.has_more || !list.next_cursor;
    renderSelection();
  }

  async function loadSelection() {
    if (!state.selection) return;
    try {
      selectionCount = (await getSelection(state.selection, aborter.signal)).count;
      renderSelection();
    } catch (error) {
      if (aborter.signal.aborted) return;
      if (error instanceof ApiError && error.status === 404) {
        show('warning', 'The selection of all matching assets no longer exists; nothing is selected.');
        clearSelection();
      } else {
        show('error', `Could not read the selection: ${describeError(error)}`);
      }
    }
  }

  // ---- navigation ----
  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    go(withFilter(state, {...state.filter, q: search.value.trim(), renderer_version: renderer.value.trim()}));
  });
  previousButton.addEventListener('click', () => go(previousPage(state)));
  nextButton.addEventListener('click', () => {
    if (list?.next_cursor) go(nextPage(state, list.next_cursor));
  });

  // ---- actions ----
  actionSelect.addEventListener('change', () => {
    replaceOwner.disabled = actionSelect.value !== 'regenerate';
    if (replaceOwner.disabled) replaceOwner.checked = false;
  });

  // The selection as a server-side id: the "all matching" one, or one made now from the ticked ids.
  async function selectionId(): Promise<string> {
    if (state.selection) return state.selection;
    const selection = await createSelection({asset_ids: [...checked]});
    return selection.selection_id;
  }

  async function runAction(action: Action) {
    const id = await selectionId();
    switch (action) {
      case 'generate': {
        await createJobs(id);
        app.navigate(`${PATHS.generator}?selection=${encodeURIComponent(id)}`);
        return;
      }
      case 'retry_failed': {
        const {requeued} = await retryFailed(id);
        show('success', `${plural(requeued, 'failed asset')} queued again.`);
        break;
      }
      case 'regenerate': {
        const {created, skipped_owner: skipped} = await regenerate(id, replaceOwner.checked);
        const skippedText = skipped > 0 ? ` ${plural(skipped, 'asset')} with a thumbnail uploaded by its owner ` +
                                              `skipped (tick "Replace thumbnails uploaded by owners" to include them).`
                                        : '';
        show('success', `${plural(created, 'asset')} queued for regeneration.${skippedText}`);
        break;
      }
      default:
        return;
    }
    await load();
  }

  actionsForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const action = actionSelect.value as Action;
    if (selectedCount() === 0 && !state.selection) {
      show('warning', NOTHING_SELECTED);
      return;
    }
    if (!action) {
      show('warning', 'No action selected.');
      return;
    }
    goButton.disabled = true;
    try {
      await runAction(action);
    } catch (error) {
      if (!aborter.signal.aborted) show('error', `The action failed: ${describeError(error)}`);
    } finally {
      goButton.disabled = false;
    }
  });

  void load();
  void loadSelection();
  return () => aborter.abort();
}

// Typed calls of the admin routes (see /work/notes/admin_contract.md and the README). Ids are strings: 64-bit.
import {request} from './api';

export type ThumbnailFilter = '' | 'empty' | 'has' | 'failed';
export type ThumbnailSource = 'generated' | 'owner' | 'imported';
export type JobState = 'queued' | 'leased' | 'backing_off' | 'dead' | 'done';

export interface AssetFormat {
  format_type: string;
  root_url: string;
  is_preferred: boolean;
}

export interface AbsoluteCamera {
  position: [number, number, number];
  target: [number, number, number];
  up: [number, number, number];
  fov_y_degrees: number;
}

export interface AssetRow {
  id: string;
  url: string;
  name: string;
  owner: string;
  formats: AssetFormat[];
  is_viewer_compatible: boolean;
  thumbnail_url: string | null;
  thumbnail_source: ThumbnailSource | null;
  renderer_version: string | null;
  thumbnail_updated_at: string | null;
  job_state: JobState | null;
  attempts: number;
  last_error: string | null;
  camera: AbsoluteCamera | null;
  presentation_params: Record<string, unknown> | null;
}

// The filter of the asset list; also the body of a "select all matching" selection.
export interface AssetFilter {
  q?: string;
  thumbnail?: ThumbnailFilter;
  format?: string;
  viewer_compatible?: '' | 'true' | 'false';
  source?: '' | ThumbnailSource;
  renderer_version?: string;
}

export interface AssetListQuery extends AssetFilter {
  selection?: string;
  sort?: string;
  limit?: number;
  after?: string;
}

export interface AssetList {
  assets: AssetRow[];
  total_count: number;
  has_more: boolean;
  next_cursor: string | null;
}

export interface Selection {
  selection_id: string;
  count: number;
  created_at?: string;
  filter?: AssetFilter | null;
}

export interface AdminSettings {
  thumbnail_format: 'jpeg' | 'png' | 'webp';
  thumbnail_quality: number;
  pause_release_seconds: number;
  session_max_age_seconds: number;
  token_ttl_seconds: number;
  max_batch_size: number;
  renderer_version: string;
  media_origin: string;
  file_origins: string[];
}

// Drops empty values so the URL and the selection filter carry only what is set.
export function compactFilter(filter: AssetFilter): AssetFilter {
  const compact: Record<string, string> = {};
  for (const [name, value] of Object.entries(filter)) {
    if (typeof value === 'string' && value !== '') compact[name] = value;
  }
  return compact as AssetFilter;
}

export function listAssets(query: AssetListQuery, signal?: AbortSignal): Promise<AssetList> {
  return request<AssetList>('GET', '/api/v1/admin/assets', {query: {...query}, ...(signal ? {signal} : {})});
}

export function createSelection(what: {asset_ids: string[]} | {filter: AssetFilter}): Promise<Selection> {
  return request<Selection>('POST', '/api/v1/admin/selections', {body: what});
}

export function getSelection(selectionId: string, signal?: AbortSignal): Promise<Selection> {
  return request<Selection>('GET', `/api/v1/admin/selections/${encodeURIComponent(selectionId)}`,
                            signal ? {signal} : {});
}

// Jobs for the selection's assets that miss a thumbnail.
export function createJobs(selectionId: string): Promise<{created: number}> {
  return request<{created: number}>('POST', '/api/v1/admin/thumbnail-jobs', {body: {selection_id: selectionId}});
}

export function retryFailed(selectionId: string): Promise<{requeued: number}> {
  return request<{requeued: number}>('POST', '/api/v1/admin/thumbnail-jobs/retry-failed',
                                     {body: {selection_id: selectionId}});
}

export function regenerate(selectionId: string, replaceOwnerThumbnails: boolean):
    Promise<{created: number; skipped_owner: number}> {
  return request<{created: number; skipped_owner: number}>(
      'POST', '/api/v1/admin/thumbnail-jobs/regenerate',
      {body: {selection_id: selectionId, replace_owner_thumbnails: replaceOwnerThumbnails}});
}

export function getSettings(signal?: AbortSignal): Promise<AdminSettings> {
  return request<AdminSettings>('GET', '/api/v1/admin/settings', signal ? {signal} : {});
}

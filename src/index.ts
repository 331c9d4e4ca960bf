/** The package's public API: config helpers, the app factory and the stores. */

export type {
  AggregateOptions,
  AggregateRow,
  Caller,
  CollectionHooks,
  ErrorPageContext,
  ErrorPageHandler,
  HookContext,
  HookTx,
  Html,
  RecordData,
  RecordListOptions,
  RecordPage,
  RecordsApi,
  RouteContext,
  RouteHandler,
  RouteResponse,
  SeedHandler,
  WritePreconditions,
} from './config/app-types.js';
export { defineConfig } from './config/define-config.js';
export { loadConfig } from './config/load.js';
export type { Config, UserConfig } from './config/types.js';
export { type AppDeps, type AppOptions, createApp } from './http/app.js';
export { SqliteStore } from './store/sqlite/sqlite-store.js';
export type { Store } from './store/store.js';

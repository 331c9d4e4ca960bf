/** Typed identity for TS/JS configs: `export default defineConfig({...})`. */
import type { UserConfig } from './types.js';

/** Returns the config unchanged; it exists so editors check and complete the config. */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}

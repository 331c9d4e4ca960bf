/** The FileStorage contract against LocalFileStorage: a temp folder per test. */
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalFileStorage } from '../../src/files/local/local-storage.js';
import { fileStorageContract } from './file-storage-contract.js';

fileStorageContract('local folder', async () => {
  const root = mkdtempSync(join(tmpdir(), 'methodical-files-'));
  const staging = join(root, '.staging');
  return {
    storage: new LocalFileStorage(root),
    another: async () => new LocalFileStorage(root),
    // A folder holds nothing for its process: a stopped one leaves only its files.
    abandon: async () => {},
    staged: async () => (existsSync(staging) ? readdirSync(staging).filter((n) => !n.endsWith('.meta')) : []),
    age: async (token, ms) => {
      const past = new Date(Date.now() - ms);
      utimesSync(join(staging, token), past, past);
    },
    done: async () => rmSync(root, { recursive: true, force: true }),
  };
});

/** What `serve` tells a person after its listening line: the config and the data it uses. */
import { resolve } from 'node:path';

/** A database URL fit to print: the password replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}

/** The lines (for stderr) naming the config file and where the data lives. */
export function bannerLines(
  configFile: string,
  flags: { data?: string; database?: string; files?: string },
): string[] {
  const lines = [`  config    ${resolve(configFile)}`];
  const url = flags.database ?? process.env.DATABASE_URL;
  if (url) {
    lines.push(`  database  ${redactUrl(url)}`);
  } else {
    const data = resolve(flags.data ?? 'data');
    const uploads = flags.files ? '' : ', uploads in files/';
    lines.push(`  data      ${data} (SQLite database methodical.db${uploads})`);
  }
  if (flags.files) lines.push(`  files     ${resolve(flags.files)}`);
  return lines;
}

/** The line (for stderr) with the one-time link to the first administrator, while there is none. */
export function setupLine(origin: string, token: string): string {
  return (
    `No administrator yet. Create the first one at ${origin.replace(/\/+$/, '')}/_/#/setup/${token} ` +
    '(valid for 24 hours), or run: methodical user create --email … --password … --admin'
  );
}

/** Start-up notes (service/index-advice.ts), one line each, in the banner's layout. */
export function noteLines(notes: readonly string[]): string[] {
  return notes.map((note) => `  note      ${note}`);
}

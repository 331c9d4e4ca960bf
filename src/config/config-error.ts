/** A problem with the config: the file, where in it, and what is wrong. Never carries a stack to print. */
export class ConfigError extends Error {
  readonly file: string;
  /** Dotted path inside the config, e.g. `collections.books.fields.year.min`; empty for the whole file. */
  readonly path: string;
  readonly problem: string;

  constructor(file: string, path: string, problem: string) {
    super(path === '' ? `${file}: ${problem}` : `${file}: ${path}: ${problem}`);
    this.name = 'ConfigError';
    this.file = file;
    this.path = path;
    this.problem = problem;
  }
}

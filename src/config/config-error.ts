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

/**
 * Several problems of one config, found in one run: each one's line
 * (file, path, what is wrong), in the order found. `path` and `problem` are
 * the first one's.
 */
export class ConfigErrors extends ConfigError {
  readonly problems: readonly ConfigError[];

  constructor(problems: readonly ConfigError[]) {
    const [first] = problems;
    super(first.file, first.path, first.problem);
    this.name = 'ConfigErrors';
    this.problems = problems;
    this.message = problems.map((p) => p.message).join('\n');
  }

  /** The one problem itself, or all of them together. */
  static of(problems: readonly ConfigError[]): ConfigError {
    return problems.length === 1 ? problems[0] : new ConfigErrors(problems);
  }
}

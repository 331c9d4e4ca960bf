/** The errors and bounds of a JSON Patch (RFC 6902) run. */

export class JsonPatchError extends Error {
  constructor(
    /** `test` failed (409), the operation cannot apply (409), the document is malformed (400), or a bound was hit. */
    readonly kind: 'test' | 'conflict' | 'malformed' | 'limit',
    readonly index: number,
    message: string,
  ) {
    super(message);
    this.name = 'JsonPatchError';
  }
}

/** The bounds of one patch. */
export interface JsonPatchLimits {
  /** Most operations one patch may hold. */
  operations: number;
  /** Largest the document may be as JSON, in UTF-8 bytes, after any operation. */
  bytes: number;
  /** Deepest nesting of arrays and objects the operations may give it (the root counts as 1). */
  depth: number;
  /** Most bytes of JSON all operations together may copy, measure and compare. */
  work: number;
}

export type JsonPatchBound = keyof JsonPatchLimits;

/** A patch over one of its bounds; `index` is the operation that crossed it (-1 for the operation count). */
export class JsonPatchLimitError extends JsonPatchError {
  constructor(
    readonly bound: JsonPatchBound,
    index: number,
    message: string,
  ) {
    super('limit', index, message);
    this.name = 'JsonPatchLimitError';
  }
}

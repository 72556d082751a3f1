/** Field name → messages, as in the `errors` member of a validation problem. */
export type FieldErrors = Record<string, string[]>;

/**
 * Every failed API call surfaces as an ApiError, built from the server's RFC 9457 problem
 * document when there is one. `status` is 0 when the server could not be reached at all.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string | null;
  readonly fieldErrors: FieldErrors;
  /** From `Retry-After` (a 429 or 503), when the answer had one the page may read. */
  readonly retryAfterSeconds: number | null;

  constructor(options: {
    status: number;
    title: string;
    detail?: string | null;
    fieldErrors?: FieldErrors;
    retryAfterSeconds?: number | null;
  }) {
    super(options.detail ? `${options.title}: ${options.detail}` : options.title);
    this.name = 'ApiError';
    this.status = options.status;
    this.title = options.title;
    this.detail = options.detail ?? null;
    this.fieldErrors = options.fieldErrors ?? {};
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
  }

  get isNetworkError(): boolean {
    return this.status === 0;
  }

  get isTooManyRequests(): boolean {
    return this.status === 429;
  }

  get isConflict(): boolean {
    return this.status === 412;
  }

  /** Messages for one field, empty when the server had nothing to say about it. */
  fieldMessages(field: string): string[] {
    return this.fieldErrors[field] ?? [];
  }
}

/** One sentence a person can act on, for any error a query or mutation may throw. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.isNetworkError) return error.detail ?? error.title;
    if (!error.detail || error.detail === error.title) return error.title;
    return /[.!?]$/.test(error.title) ? `${error.title} ${error.detail}` : `${error.title}. ${error.detail}`;
  }
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Please try again.';
}

/** The server's own sentence when there is one (for an alert whose title already says what failed). */
export function errorDetail(error: unknown): string {
  if (error instanceof ApiError && error.detail && !error.isNetworkError) return error.detail;
  return describeError(error);
}

/**
 * How long to wait before trying again, for a sentence: from `Retry-After`, or "a minute" when
 * the answer had none the page could read (another origin's API must expose that header).
 */
export function waitBeforeRetrying(error: ApiError): string {
  const seconds = error.retryAfterSeconds;
  if (seconds === null || seconds <= 0) return 'a minute';
  if (seconds === 1) return '1 second';
  if (seconds <= 90) return `${seconds} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

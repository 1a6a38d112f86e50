// The one door to the shell. Everything the UI asks of Rust goes through `api`, every push from
// Rust through `on`. Results are unwrapped here: a failure becomes an `AppError` with the stable
// `code`, so screens never see tauri-specta's `{status, data}` shape.
import { commands, events, type CoreError, type CoreErrorCode } from '../bindings';

/**
 * Every code an AppError carries: the shell's (`CoreErrorCode`, generated from Rust: the
 * operator's `ErrorCode` and the core's `LocalErrorCode`), `ipc` when the bridge itself failed,
 * and `unknown` for what is no AppError at all. Comparing a code with any other string is a type
 * error.
 */
export type AppErrorCode = CoreErrorCode | 'ipc' | 'unknown';

/** The shell's error body (`CoreError`), or one made on this side. */
export type ErrorBody = Omit<CoreError, 'code' | 'message'> & { code: AppErrorCode; message?: string };

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly attemptsLeft: number | null;
  readonly retryAfterS: number | null;
  /** The input field at fault, as the operator names it (`code`, `new_password`, `phone`…). */
  readonly field: string | null;
  readonly hint: string | null;
  constructor(body: ErrorBody) {
    super(body.message ?? body.code);
    this.name = 'AppError';
    this.code = body.code;
    this.attemptsLeft = body.attempts_left ?? null;
    this.retryAfterS = body.retry_after_s ?? null;
    this.field = body.field ?? null;
    this.hint = body.hint ?? null;
  }
}

function isErrorBody(v: unknown): v is ErrorBody {
  return typeof v === 'object' && v !== null && typeof (v as { code?: unknown }).code === 'string';
}

/** Any thrown value as an AppError (an IPC bridge failure becomes code `ipc`). */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (isErrorBody(e)) return new AppError(e);
  const message = e instanceof Error ? e.message : String(e);
  return new AppError({ code: 'ipc', message });
}

type Ok<T> = { status: 'ok'; data: T };
type Err<E> = { status: 'error'; error: E };
type Unwrapped<R> = R extends Ok<infer T> ? T : R extends Err<unknown> ? never : R;

function isResult(v: unknown): v is Ok<unknown> | Err<unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const s = (v as { status?: unknown }).status;
  return (s === 'ok' && 'data' in v) || (s === 'error' && 'error' in v);
}

async function settle<R>(p: Promise<R>): Promise<Unwrapped<R>> {
  let r: unknown;
  try {
    r = await p;
  } catch (e) {
    throw toAppError(e);
  }
  if (isResult(r)) {
    if (r.status === 'ok') return r.data as Unwrapped<R>;
    throw toAppError(r.error);
  }
  return r as Unwrapped<R>;
}

type Commands = typeof commands;
type Fn = (...args: never[]) => Promise<unknown>;
export type Api = {
  [K in keyof Commands]: Commands[K] extends Fn
    ? (...args: Parameters<Commands[K]>) => Promise<Unwrapped<Awaited<ReturnType<Commands[K]>>>>
    : never;
};

/** `api.home(true)` resolves to the data or rejects with an AppError. */
export const api: Api = new Proxy({} as Api, {
  get(_target, key: string) {
    const f = (commands as Record<string, unknown>)[key];
    if (typeof f !== 'function') throw new Error(`unknown command ${key}`);
    return (...args: unknown[]) => settle((f as (...a: unknown[]) => Promise<unknown>)(...args));
  },
});

type Events = typeof events;
type PayloadOf<K extends keyof Events> = Events[K] extends {
  listen: (cb: (e: { payload: infer P }) => void) => unknown;
}
  ? P
  : never;

/** Listen to a shell event; returns a function that stops listening. Never throws. */
export function on<K extends keyof Events>(name: K, cb: (payload: PayloadOf<K>) => void): () => void {
  let stop: (() => void) | null = null;
  let stopped = false;
  const ev = events[name] as unknown as {
    listen: (cb: (e: { payload: PayloadOf<K> }) => void) => Promise<() => void>;
  };
  try {
    ev.listen((e) => cb(e.payload))
      .then((u) => {
        if (stopped) u();
        else stop = u;
      })
      .catch(() => {});
  } catch {
    // No shell (plain browser): no events.
  }
  return () => {
    stopped = true;
    stop?.();
  };
}

/** Fire and forget; failures are not the user's business (touch, uiReady). */
export function quietly(p: Promise<unknown>): void {
  p.catch(() => {});
}

/**
 * A typed number in its canonical form (`+79161234567`) by Rust's one rule (AUTH-2), or null
 * when the rule refuses it (or the shell cannot be asked).
 */
export async function readPhone(text: string): Promise<string | null> {
  if (!text.trim()) return null;
  try {
    return await api.readPhone(text);
  } catch {
    return null;
  }
}

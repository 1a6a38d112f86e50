// One loadable thing with the four states every screen shows: loading, data, empty, error.
import { AppError, toAppError } from './ipc';

export class Resource<T> {
  data = $state<T | null>(null);
  error = $state<AppError | null>(null);
  loading = $state(false);
  #load: () => Promise<T>;
  #gen = 0;

  constructor(load: () => Promise<T>, initial: T | null = null) {
    this.#load = load;
    this.data = initial;
  }

  /** Load (again). Data already shown stays until fresh data replaces it in place. */
  async run(): Promise<void> {
    const gen = ++this.#gen;
    this.loading = true;
    this.error = null;
    try {
      const v = await this.#load();
      if (gen === this.#gen) this.data = v;
    } catch (e) {
      if (gen === this.#gen) this.error = toAppError(e);
    } finally {
      if (gen === this.#gen) this.loading = false;
    }
  }
}

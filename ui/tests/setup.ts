import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/svelte';
import { clearMocks } from '@tauri-apps/api/mocks';
import { resetApp, resetTouchThrottle } from '../src/lib/store.svelte';
import { i18n } from '../src/lib/i18n/index.svelte';

// jsdom has no crypto.getRandomValues-free gaps that tauri's mocks need, but lacks these:
if (!window.matchMedia) {
  window.matchMedia = (q: string) =>
    ({ matches: false, media: q, onchange: null, addListener() {}, removeListener() {}, addEventListener() {}, removeEventListener() {}, dispatchEvent: () => false }) as MediaQueryList;
}

afterEach(() => {
  cleanup();
  clearMocks();
  resetApp();
  resetTouchThrottle();
  i18n.set('en');
});

// jsdom has no layout: bind:clientHeight needs a ResizeObserver that never fires.
if (!('ResizeObserver' in globalThis)) {
  class NoResize {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  (globalThis as { ResizeObserver?: unknown }).ResizeObserver = NoResize;
}

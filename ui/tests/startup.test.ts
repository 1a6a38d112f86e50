import { describe, expect, it, vi } from 'vitest';
import { screen } from '@testing-library/svelte';
import { boot, mockShell, plain } from './helpers';

describe('start-up', () => {
  it('paints Home from __MYMTS_BOOT__ during module start, then calls uiReady("home") after two frames', async () => {
    const frames: FrameRequestCallback[] = [];
    vi.stubGlobal('requestAnimationFrame', (cb: FrameRequestCallback) => frames.push(cb));
    const calls = mockShell({ autologin: () => null });
    window.__MYMTS_BOOT__ = boot();
    document.body.innerHTML = '<div id="app"></div>';
    await import('../src/main');
    // Painted before any frame ran or any command answered.
    expect(plain(screen.getByTestId('home-balance').textContent)).toBe('₽1,234.56');
    expect(calls).toHaveLength(0);
    frames.shift()?.(0);
    expect(calls).toHaveLength(0);
    frames.shift()?.(16);
    expect(calls[0]).toEqual({ cmd: 'ui_ready', args: { screen: 'home' } });
    // The platform's font stack was chosen before that first layout (app.css).
    expect(document.documentElement.dataset.platform).toBe('linux');
    vi.unstubAllGlobals();
    delete window.__MYMTS_BOOT__;
    document.body.innerHTML = '';
  });
});

// Start-up: paint the account from the injected boot data in the first frame (no await before
// mount), tell the shell after two frames, then refresh in the background.
import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import type { Boot } from './bindings';
import { followRootLang } from './lib/i18n/index.svelte';
import { api, quietly } from './lib/ipc';
import { app, applyBoot, listenShell, startBackground } from './lib/store.svelte';

declare global {
  interface Window {
    __MYMTS_BOOT__?: Boot;
  }
}

applyBoot(window.__MYMTS_BOOT__);
followRootLang();
const target = document.getElementById('app');
if (target) mount(App, { target });

const screen = app.route === 'home' ? 'home' : 'login';
requestAnimationFrame(() =>
  requestAnimationFrame(() => {
    quietly(api.uiReady(screen));
    listenShell();
    void startBackground();
  }),
);

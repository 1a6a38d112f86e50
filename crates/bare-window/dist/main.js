// First frame: two nested requestAnimationFrame after DOMContentLoaded (FIELD-NOTES' method).
// The navigation timings go along, so a run can say where the time went.
const T0 = performance.now();
document.addEventListener('DOMContentLoaded', () => {
  requestAnimationFrame(() =>
    requestAnimationFrame(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const marks = `origin=${Math.round(performance.timeOrigin)} resp=${Math.round(nav ? nav.responseEnd : -1)} domInteractive=${Math.round(nav ? nav.domInteractive : -1)} script=${Math.round(T0)} frame=${Math.round(performance.now())}`;
      window.__TAURI_INTERNALS__.invoke('ready', { marks });
    }),
  );
});

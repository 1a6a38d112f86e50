// The keyboard of a WAI-ARIA tablist, one behaviour for every set of tabs in the app (the account
// kinds, password or SMS password, the phone's messages and mail, the mailbox's folders): the
// selected tab is the one tab stop (`tabindex` 0, the others -1, set by the markup), and ←/→
// (Home/End) move to the previous/next (first/last) tab and select it, as a click does.

const STEP: Record<string, (i: number, n: number) => number> = {
  ArrowRight: (i, n) => (i + 1) % n,
  ArrowLeft: (i, n) => (i - 1 + n) % n,
  Home: () => 0,
  End: (_i, n) => n - 1,
};

/** Svelte action for the element with `role="tablist"`. */
export function tablist(node: HTMLElement): { destroy(): void } {
  function key(e: KeyboardEvent) {
    const step = STEP[e.key];
    if (!step || e.altKey || e.ctrlKey || e.metaKey) return;
    const tabs = [...node.querySelectorAll<HTMLElement>('[role="tab"]')].filter((t) => !t.hasAttribute('disabled'));
    const i = tabs.indexOf(e.target as HTMLElement);
    if (i < 0) return;
    const next = tabs[step(i, tabs.length)];
    if (!next) return;
    e.preventDefault();
    next.focus();
    next.click();
  }
  node.addEventListener('keydown', key);
  return { destroy: () => node.removeEventListener('keydown', key) };
}

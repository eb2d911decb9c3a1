// happy-dom lays nothing out: the inspector's virtual transcript list needs sizes to render rows.
// Gives the scroller and its rows fixed ones, and makes a programmatic scroll send a scroll event
// as a browser does. Call once per file, in `beforeAll`.
export function stubTranscriptLayout(): void {
  const size = (el: Element, scroller: number, row: number) =>
    el.classList.contains('insp-scroll') ? scroller : el.classList.contains('insp-row') ? row : 0;
  const define = (prop: string, scroller: number, row: number) =>
    Object.defineProperty(HTMLElement.prototype, prop, {
      configurable: true,
      get(this: HTMLElement) {
        return size(this, scroller, row);
      },
    });
  define('clientHeight', 600, 60);
  define('clientWidth', 800, 800);
  define('offsetHeight', 600, 60);
  define('offsetWidth', 800, 800);
  Object.defineProperty(HTMLElement.prototype, 'scrollHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains('insp-scroll')
        ? parseFloat((this.firstElementChild as HTMLElement | null)?.style.height ?? '0') || 0
        : 0;
    },
  });
  HTMLElement.prototype.scrollTo = function scrollTo(this: HTMLElement, options?: ScrollToOptions | number, y?: number) {
    const top = typeof options === 'object' ? options.top : y;
    if (top !== undefined) this.scrollTop = top;
    setTimeout(() => this.dispatchEvent(new Event('scroll')), 0);
  } as HTMLElement['scrollTo'];
}

'use client';
/**
 * Which rows of a fixed-row-height list are on screen, so a long list (a 500-instrument watchlist,
 * a 200-print trade tape) renders only the rows a person can see, plus a small overscan.
 */
import { useEffect, useState, type RefObject } from 'react';

/** Rows rendered beyond each edge of the viewport, so fast scrolling shows no gaps. */
export const OVERSCAN_ROWS = 8;

/** First (inclusive) and last (exclusive) row index to render. */
export interface VirtualWindow {
  readonly start: number;
  readonly end: number;
}

/** Tracks the scroll position and height of `viewport` and returns the rows to render. */
export function useVirtualWindow(viewport: RefObject<HTMLElement | null>, rowHeight: number, rowCount: number): VirtualWindow {
  const [scroll, setScroll] = useState({ top: 0, height: 800 });
  useEffect(() => {
    const el = viewport.current;
    if (!el) return;
    let frame = 0;
    const measure = (): void => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        setScroll((prev) =>
          prev.top === el.scrollTop && prev.height === el.clientHeight ? prev : { top: el.scrollTop, height: el.clientHeight },
        );
      });
    };
    measure();
    el.addEventListener('scroll', measure, { passive: true });
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => {
      cancelAnimationFrame(frame);
      el.removeEventListener('scroll', measure);
      observer.disconnect();
    };
  }, [viewport]);
  const start = Math.max(0, Math.floor(scroll.top / rowHeight) - OVERSCAN_ROWS);
  const end = Math.min(rowCount, Math.ceil((scroll.top + scroll.height) / rowHeight) + OVERSCAN_ROWS);
  return { start, end };
}

'use client';
/**
 * The dashboard's "Embed" action: a button beside the chart's timeframes that opens a dialog with
 * copy-ready snippets (iframe, React, script + custom element) for the instrument, interval and
 * theme on screen, with this dashboard's and this feed's real addresses.
 */
import { useRef, useState } from 'react';
import { SymbolIndex } from '../../lib/market/symbols';
import type { Instrument } from '../../lib/market/types';
import { buildSnippets, type Snippets } from '../../lib/embed/snippets';
import type { EmbedTheme } from '../../lib/embed/embed-options';
import type { DashboardState } from '../../lib/store/dashboard-store';
import { useDashboardStoreApi } from '../../lib/store/react';
import styles from './embed-dialog.module.css';

/** How long a Copy button says "Copied" (ms). */
export const COPIED_FEEDBACK_MS = 1500;

const SECTIONS: ReadonlyArray<{ key: keyof Snippets; title: string; what: string }> = [
  { key: 'iframe', title: 'iframe', what: 'Any page: paste where the chart goes.' },
  { key: 'element', title: 'Script + element', what: 'Any HTML page, no framework: one script tag, then the element anywhere.' },
  { key: 'react', title: 'React', what: 'A React or Next.js app with the tickwire package installed.' },
];

/** Snippets for the dashboard's current chart, or undefined before an instrument is on screen. */
function currentSnippets(state: DashboardState): Snippets | undefined {
  const id = state.chart.instrumentId;
  const instrument = id === undefined ? undefined : state.instruments[id];
  if (!instrument || state.connection.url === '') return undefined;
  const index = new SymbolIndex(state.instrumentIds.map((i) => state.instruments[i]).filter((i): i is Instrument => i !== undefined));
  const theme: EmbedTheme = state.prefs.theme === 'system' ? 'auto' : state.prefs.theme;
  return buildSnippets({
    symbol: index.aliasOf(instrument) ?? instrument.symbol,
    interval: state.chart.interval,
    theme,
    dashboardOrigin: window.location.origin,
    feedUrl: state.connection.url,
    iframeFeed: new URL(window.location.href).searchParams.has('feed'),
  });
}

async function copyText(text: string, fallbackFrom: HTMLElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard API (insecure context) or permission refused: select the text and copy it.
    if (!fallbackFrom) return false;
    const range = document.createRange();
    range.selectNodeContents(fallbackFrom);
    const selection = window.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
    return document.execCommand('copy');
  }
}

function SnippetBlock({ title, what, code, name }: { title: string; what: string; code: string; name: string }) {
  const pre = useRef<HTMLPreElement>(null);
  const [copied, setCopied] = useState(false);
  const onCopy = async (): Promise<void> => {
    if (await copyText(code, pre.current)) {
      setCopied(true);
      setTimeout(() => setCopied(false), COPIED_FEEDBACK_MS);
    }
  };
  return (
    <section className={styles.snippet} data-testid={`embed-snippet-${name}`}>
      <div className={styles.snippetHead}>
        <strong>{title}</strong>
        <span>{what}</span>
        <button type="button" className={styles.copy} data-copied={copied} onClick={() => void onCopy()}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <pre ref={pre} className={styles.code}>
        <code>{code}</code>
      </pre>
    </section>
  );
}

export function EmbedButton() {
  const store = useDashboardStoreApi();
  const dialog = useRef<HTMLDialogElement>(null);
  const [snippets, setSnippets] = useState<Snippets | undefined>();
  const open = (): void => {
    setSnippets(currentSnippets(store.getState()));
    dialog.current?.showModal();
  };
  return (
    <>
      <button
        type="button"
        className={`toggle ${styles.trigger}`}
        data-testid="embed-button"
        title="Embed this chart in another page"
        onClick={open}
      >
        Embed
      </button>
      <dialog ref={dialog} className={styles.dialog} data-testid="embed-dialog" aria-labelledby="embed-dialog-title">
        <div className={styles.head}>
          <h2 id="embed-dialog-title">Embed this chart</h2>
          <button type="button" className="icon-button" aria-label="Close" onClick={() => dialog.current?.close()}>
            ×
          </button>
        </div>
        <div className={styles.body}>
          {snippets === undefined ? (
            <p className={styles.note}>Pick an instrument first: the snippets are for the chart on screen.</p>
          ) : (
            SECTIONS.map((s) => <SnippetBlock key={s.key} name={s.key} title={s.title} what={s.what} code={snippets[s.key]} />)
          )}
          <p className={styles.note}>
            Every chart of a page shares one connection. Pages on other sites must be allowed by the feed (
            <code>npm run feed -- --allow-origin https://your.site</code>) and, for the iframe, by
            <code> EMBED_FRAME_ANCESTORS</code> (any site by default). See docs/embedding.md.
          </p>
        </div>
      </dialog>
    </>
  );
}

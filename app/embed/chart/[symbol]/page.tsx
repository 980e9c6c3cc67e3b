/**
 * `/embed/chart/<symbol>?interval=1m&theme=dark&height=400&volume=off&feed=ws://host:port`: one
 * live chart with minimal chrome, for an iframe on any site allowed by `frame-ancestors`
 * (EMBED_FRAME_ANCESTORS, sent by proxy.ts). A thin server component: it passes the request's
 * text and the server's feed settings to the client frame, which checks them.
 */
import type { Metadata } from 'next';
import { EmbedFrame } from '../../../../components/embed/embed-frame';

export const metadata: Metadata = {
  title: 'Tickwire live chart',
  robots: { index: false },
};

type SearchParams = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function envPort(): number | undefined {
  const raw = process.env['FEED_PORT'];
  const port = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The frame fills the iframe; the page itself draws nothing around it. `color-scheme: normal`
 * keeps the frame transparent on host pages that declare no color scheme (a scheme differing
 * from the host's would give the frame an opaque background behind the chart's rounded corners).
 */
const FRAME_PAGE_CSS = 'html,body{height:100%;margin:0;overflow:hidden;background:transparent}:root,:root[data-theme]{color-scheme:normal}';

export default async function EmbedChartPage({
  params,
  searchParams,
}: {
  params: Promise<{ symbol: string }>;
  searchParams: Promise<SearchParams>;
}) {
  const [{ symbol }, query] = await Promise.all([params, searchParams]);
  return (
    <>
      <style>{FRAME_PAGE_CSS}</style>
      <EmbedFrame
        symbol={decode(symbol)}
        interval={first(query.interval)}
        theme={first(query.theme)}
        height={first(query.height)}
        volume={first(query.volume)}
        queryFeedUrl={first(query.feed)}
        configuredFeedUrl={process.env['FEED_URL'] || process.env['NEXT_PUBLIC_FEED_URL'] || undefined}
        configuredFeedPort={envPort()}
      />
    </>
  );
}

/**
 * The dashboard page. A thin server component: it reads the request's query (`symbol`,
 * `interval`, `feed`) and the server's environment (`FEED_URL`, `FEED_PORT`) at request time and
 * hands them to the client dashboard, so the feed location is runtime configuration, not a build
 * constant.
 */
import { Dashboard } from '../components/dashboard/dashboard';
import { parseBarInterval, type BarInterval } from '../lib/market/types';

/** Bar interval shown when the URL names none (seconds). */
const DEFAULT_INTERVAL: BarInterval = 60;

type SearchParams = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function envPort(): number | undefined {
  const raw = process.env['FEED_PORT'];
  const port = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
}

export default async function Page({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const params = await searchParams;
  const interval = parseBarInterval(first(params.interval) ?? '') ?? DEFAULT_INTERVAL;
  const symbol = first(params.symbol)?.trim() || undefined;
  return (
    <Dashboard
      initialSymbol={symbol}
      initialInterval={interval}
      queryFeedUrl={first(params.feed)}
      configuredFeedUrl={process.env['FEED_URL'] || process.env['NEXT_PUBLIC_FEED_URL'] || undefined}
      configuredFeedPort={envPort()}
    />
  );
}

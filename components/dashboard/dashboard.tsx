'use client';
/**
 * The dashboard screen: toolbar, error banners, watchlist | chart | time & sales.
 */
import type { BarInterval } from '../../lib/market/types';
import { IntervalSelector } from '../chart/interval-selector';
import { PriceChart } from '../chart/price-chart';
import { EmbedButton } from '../embed/embed-dialog';
import { DashboardProvider } from '../providers/dashboard-provider';
import { ErrorBanner } from '../status/error-banner';
import { TradeTape } from '../tape/trade-tape';
import { Watchlist } from '../watchlist/watchlist';
import { Toolbar } from './toolbar';
import { useUrlSync } from './url-sync';

/** Props of {@link Dashboard}: request-time settings from app/page.tsx. */
export interface DashboardProps {
  readonly initialSymbol: string | undefined;
  readonly initialInterval: BarInterval;
  readonly queryFeedUrl: string | undefined;
  readonly configuredFeedUrl: string | undefined;
  readonly configuredFeedPort: number | undefined;
}

function Screen() {
  useUrlSync();
  return (
    <div className="app" data-testid="dashboard">
      <Toolbar />
      <ErrorBanner />
      <main className="workspace">
        <section className="panel panel-watchlist" aria-label="Watchlist">
          <Watchlist />
        </section>
        <section className="panel panel-chart" aria-label="Chart">
          <div className="panel-head">
            <h2>Chart</h2>
            <IntervalSelector />
            <EmbedButton />
          </div>
          <PriceChart />
        </section>
        <section className="panel panel-tape" aria-label="Time and sales">
          <TradeTape />
        </section>
      </main>
    </div>
  );
}

export function Dashboard(props: DashboardProps) {
  return (
    <DashboardProvider {...props}>
      <Screen />
    </DashboardProvider>
  );
}

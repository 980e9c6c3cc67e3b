import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { THEME_BOOT_SCRIPT } from '../components/providers/display-prefs';
import { colour, colourTokenCss } from '../lib/theme/colour-tokens';
import './globals.css';

/** The colour custom properties app/globals.css reads, from the one token table. */
const COLOUR_TOKEN_CSS = colourTokenCss();

export const metadata: Metadata = {
  title: 'Tickwire: live markets',
  description: 'Live market data over a binary WebSocket feed: watchlist, candlesticks, time & sales.',
};

export const viewport: Viewport = {
  themeColor: [
    { media: '(prefers-color-scheme: dark)', color: colour('bg', 'dark') },
    { media: '(prefers-color-scheme: light)', color: colour('bg', 'light') },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // data-theme is set before paint by the boot script when the person forced a theme.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_BOOT_SCRIPT }} />
        <style dangerouslySetInnerHTML={{ __html: COLOUR_TOKEN_CSS }} />
      </head>
      <body>{children}</body>
    </html>
  );
}

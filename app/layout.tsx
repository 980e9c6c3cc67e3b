import type { Metadata, Viewport } from 'next';
import type { ReactNode } from 'react';
import { THEME_BOOT_SCRIPT } from '../components/providers/display-prefs';
import './globals.css';

export const metadata: Metadata = {
  title: 'Tickwire: live markets',
  description: 'Live market data over a binary WebSocket feed: watchlist, candlesticks, time & sales.',
};

export const viewport: Viewport = {
  themeColor: [
    { media: '(prefers-color-scheme: dark)', color: '#0b0e12' },
    { media: '(prefers-color-scheme: light)', color: '#f5f7fa' },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // data-theme is set before paint by the boot script when the person forced a theme.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_BOOT_SCRIPT }} />
      </head>
      <body>{children}</body>
    </html>
  );
}

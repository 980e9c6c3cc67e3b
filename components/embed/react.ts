/**
 * The `tickwire/react` entry point: what another React or Next.js app imports. Built into
 * dist/react/ (ESM + type declarations) by server/cli/build-embed.ts; see docs/embedding.md.
 */
export { LiveChart } from './live-chart';
export type { LiveChartProps, LiveChartInterval, LiveChartTheme } from './live-chart-props';

/**
 * knip: unused files, exports, types and dependencies. `npm run lint` runs it twice: as is (tests
 * and benchmarks count as users) and with `--production` (only the shipped code counts, so an
 * export only a test calls is reported: delete it, or tag it `@internal` when it is a test helper
 * that lives beside the code on purpose). Exports used inside their own file are not reported: the
 * house names and documents its constants and exports them for tests and readers.
 *
 * Entry points knip finds by itself: Next.js (app/ pages and layout, next.config.js, proxy.ts),
 * vitest and Playwright (tests/**), and the files package.json's scripts run with tsx. The ones
 * below are those it cannot see. A trailing `!` marks a production entry or production file.
 */
import type { KnipConfig } from 'knip';

const config: KnipConfig = {
  entry: [
    // The CLIs (npm start/feed/ingest/gateway/record/tail, build:embed); listed so `--production` sees them too.
    'server/cli/{feed,ingest,gateway,launch,record,tail,build-embed}.ts!',
    // Loaded by Node's --import flag, named by a URL string in launch.ts.
    'server/cli/exit-with-parent.mjs!',
    // Public entry points of the framework-free client and the codec, for users' own code
    // (docs/architecture.md): what they re-export is the API, used or not inside this repository.
    'lib/client/index.ts!',
    'lib/protocol/index.ts!',
    // The embed bundles server/build-embed.ts builds (tickwire/react, the <tickwire-chart> script).
    'components/embed/{react,element-entry}.ts!',
    // Example adapters users copy and run with --adapter.
    'server/adapters/examples/*.ts!',
    // Loaded by path (--adapter ./tests/...) in tests, and benchmarks run with tsx.
    'tests/unit/adapters/fixtures/*.ts',
    'tests/support/consumer-app.ts',
    'bench/*.ts',
  ],
  project: ['{app,components,lib,server}/**/*.{ts,tsx}!', '*.{ts,js}!', '{tests,bench}/**/*.ts'],
  ignoreExportsUsedInFile: true,
  // e2fsprogs' chattr makes a folder read-only even for root in the history store's fault test.
  ignoreBinaries: ['chattr'],
};

export default config;

#!/usr/bin/env node
// `tickwire-feed`: the feed service command (server/cli.ts, the same flags as `npm run feed`) for
// package.json "bin", so it runs from any folder: `npx --prefix ~/tickwire tickwire-feed --adapter
// ./desk.ts`. Plain JavaScript because it is what starts TypeScript: importing tsx registers its
// ES-module and CommonJS hooks in this process (what `node --import tsx` does), then the CLI and a
// user's `.ts` adapter load as they do under `npm run feed`. docs/adapters.md.
import 'tsx';

await import('../cli.ts');

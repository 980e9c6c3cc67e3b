/**
 * Next.js configuration for the Tickwire dashboard.
 * The feed URL is runtime configuration (FEED_URL / FEED_PORT read by app/page.tsx per request,
 * or ?feed= in the page URL), so nothing here depends on where the feed runs.
 * @type {import('next').NextConfig}
 */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // This folder is the project root even when other lockfiles exist higher up.
  turbopack: { root: import.meta.dirname },
  outputFileTracingRoot: import.meta.dirname,
  // The whole project is typechecked by `npm run typecheck` (tests/run-all.sh); skipping it here
  // keeps `next build` to compiling and does not let an unrelated server file block the dashboard.
  typescript: { ignoreBuildErrors: true },
  // `npm run dev` is opened as http://localhost:3000 or http://127.0.0.1:3000; both may load dev assets.
  allowedDevOrigins: ['localhost', '127.0.0.1'],
};

export default nextConfig;

// Loaded with `node --import` into the processes `npm start` (server/cli/launch.ts) spawns: the
// Next.js dashboard. When the launcher dies, however it dies (Ctrl-C, a crash, kill -9), this
// process is reparented and its parent pid changes; it then stops itself as if told SIGTERM (so
// Next.js closes its server and its own workers), and exits outright if that has not happened
// within EXIT_GRACE_MS. Without it, a killed launcher left next-server holding port 3000.
//
// Plain JavaScript on purpose: the dashboard runs under plain node, without the tsx loader. Active
// only when the launcher sets TICKWIRE_EXIT_WITH_PARENT=1, so a process that merely inherits the
// flags does nothing unexpected: each one (Next's dev-server worker too) follows its own parent.

/** How often the parent pid is checked (ms). */
const CHECK_MS = 250;
/** How long a graceful stop may take before the process exits anyway (ms). */
const EXIT_GRACE_MS = 3000;

if (process.env.TICKWIRE_EXIT_WITH_PARENT === '1') {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    setTimeout(() => process.exit(1), EXIT_GRACE_MS).unref();
    process.kill(process.pid, 'SIGTERM');
  }, CHECK_MS);
  timer.unref();
}

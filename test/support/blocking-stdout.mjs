// Loaded into every test file's process (package.json "test"): each file runs in a child that
// streams its results to the runner over a pipe, and --test-force-exit exits it with writes still
// queued, so a file's last verdicts could vanish from the report (nodejs/node#64833: 284 of 285
// reported in one CI run). Blocking writes to the pipe leave nothing queued at exit.
const handle = process.stdout._handle
if (typeof handle?.setBlocking === 'function') handle.setBlocking(true)

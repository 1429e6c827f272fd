#!/usr/bin/env node
/**
 * `weft`: the headless peer daemon and the commands that talk to it.
 *
 *   weft daemon [options]     run an always-on peer (`npm start` in a checkout)
 *   weft status | peers | docs
 *   weft pin <id> | unpin <id> | cat <id>
 *   weft create [--private] | join <link> | pin <pin-link> | invite <id> --role r | members <id> | revoke <id> <key>
 *
 * Exit codes: 0 success, 1 failure (daemon unreachable, refused request, start
 * failure, shutdown timeout), 2 bad usage or configuration.
 */
import { realpathSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import yargs, { type Argv } from 'yargs'
import { hideBin } from 'yargs/helpers'
import { AdminClient, AdminClientError } from './admin-client.js'
import {
  ConfigError, DAEMON_OPTIONS, describeConfig, resolveClientConfig, resolveDaemonConfig,
  type DaemonConfig
} from './config.js'
import { isValidDocId } from './doc-id.js'
import { readRuntimeInfo, readTokenFile } from './files.js'
import { createLogger } from './log.js'
import { installShutdown } from './signals.js'
import { DAEMON_VERSION } from './version.js'
import type { Daemon } from './daemon.js'

const EXIT_FAILURE = 1
const EXIT_USAGE = 2

function daemonOptions (y: Argv): Argv {
  for (const spec of DAEMON_OPTIONS) {
    y = y.option(spec.flag, {
      type: spec.type,
      describe: `${spec.describe} [env ${spec.env}]`,
      defaultDescription: spec.defaultText,
      ...(spec.choices != null ? { choices: spec.choices as string[] } : {}),
      ...(spec.type === 'array' ? { string: true } : {}),
      ...(spec.type !== 'boolean' ? { requiresArg: true } : {})
    })
  }
  return y
    .option('config', {
      type: 'string',
      requiresArg: true,
      describe: 'JSON config file whose keys are option names (camelCase or kebab-case); ' +
        'flags and WEFT_* variables override it [env WEFT_CONFIG]'
    })
    .option('print-config', { type: 'boolean', describe: 'Print the merged configuration as JSON and exit' })
    .group([...DAEMON_OPTIONS.map(s => s.flag), 'config', 'print-config'], 'Daemon options:')
}

function clientOptions (y: Argv): Argv {
  return y
    .option('admin', {
      type: 'string',
      requiresArg: true,
      describe: 'Admin API of the daemon: host:port or URL [env WEFT_ADMIN]',
      defaultDescription: 'the address in <data-dir>/daemon.json, else 127.0.0.1:7777'
    })
    .option('data-dir', {
      type: 'string',
      requiresArg: true,
      describe: 'Data directory of the daemon, where the token and its admin address are read [env WEFT_DATA_DIR]',
      defaultDescription: '~/.weft'
    })
    .option('token', {
      type: 'string',
      requiresArg: true,
      describe: 'Admin API token [env WEFT_TOKEN]',
      defaultDescription: 'read from <data-dir>/admin-token'
    })
    .option('json', { type: 'boolean', describe: 'Print the raw JSON answer' })
    .option('timeout', {
      type: 'number',
      requiresArg: true,
      describe: 'Request timeout in ms',
      defaultDescription: '10000'
    })
    .group(['admin', 'data-dir', 'token', 'json', 'timeout'], 'Connection options:')
}

const docIdPositional = (y: Argv): Argv =>
  clientOptions(y).positional('id', {
    type: 'string', describe: 'Document id (26 characters a-z, 2-7; 52 for a private document)'
  })

export function buildCli (argv: string[]): Argv {
  const cli: Argv = yargs(argv)
  return cli
    .scriptName('weft')
    .usage('$0 <command> [options]\n\nRun an always-on weft peer, or talk to a running one.')
    // Bare `weft` shows the commands: a peer listening on 0.0.0.0 with mDNS is not a thing to start by accident.
    .command('$0', false, y => y, () => { cli.showHelp('log') })
    .command('daemon', 'Run the headless peer daemon', daemonOptions, async (args) => { await runDaemon(args) })
    .command('status', 'Show the running daemon: peer id, addresses, peers, documents', clientOptions,
      async (args) => { await client(args, printStatus, c => c.status()) })
    .command('peers', 'List connected peers', clientOptions,
      async (args) => { await client(args, printPeers, c => c.peers()) })
    .command('docs', 'List documents (stored, open, pinned)', clientOptions,
      async (args) => { await client(args, printDocs, c => c.docs()) })
    .command('pin <id>', 'Pin a document: keep it open, replicated and provided in the DHT, across restarts ' +
      '(a pin link of a private document: kept blind, as ciphertext)',
    docIdPositional,
    async (args) => {
      if (String(args.id).startsWith('weft://')) {
        await client(args, (r) => `pinned ${r.id} (${r.access as string})`, c => c.join(String(args.id)))
        return
      }
      const id = docIdArg(args)
      await client(args, (r) => `${r.created === true ? 'pinned' : 'already pinned'} ${r.id}`, c => c.pin(id))
    })
    .command('unpin <id>', 'Unpin a document (its data stays in the store)', docIdPositional,
      async (args) => { await client(args, (r) => `unpinned ${r.id}`, c => c.unpin(docIdArg(args))) })
    .command('cat <id>', "Print a document's content (texts as text, maps and arrays as JSON)", docIdPositional,
      async (args) => {
        const { renderDocContent } = await import('./doc-json.js')
        await client(args, (r) => {
          if (r.blind !== true) return renderDocContent(r)
          // Said plainly, and not as content: a script piping `weft cat` sees a failure.
          process.exitCode = EXIT_FAILURE
          return `weft: ${r.message as string}`
        }, c => c.doc(docIdArg(args)))
      })
    .command('create', 'Create a document and pin it (--private: this daemon is its admin)',
      y => clientOptions(y).option('private', { type: 'boolean', describe: 'A private document (invite links)' }),
      async (args) => {
        const access = args.private === true ? 'private' : 'open'
        await client(args, (r) => `created ${r.id as string} (${access}, ${r.access as string}, pinned)`,
          c => c.create(access))
      })
    .command('join <link>', 'Redeem an invite or pin link and pin its document', y =>
      clientOptions(y).positional('link', { type: 'string', describe: 'weft://<id>?peer=...#<r|w|p>.<secret>' }),
    async (args) => {
      await client(args, (r) => `joined ${r.id as string} as ${r.access as string} (pinned)`,
        c => c.join(String(args.link)))
    })
    .command('invite <id>', 'Make an invite link for a private document (admins)', y =>
      docIdPositional(y).option('role', {
        choices: ['reader', 'writer', 'pinner'], demandOption: true, describe: 'What the link grants'
      }),
    async (args) => {
      const role = args.role as 'reader' | 'writer' | 'pinner'
      await client(args, (r) => String(r.link), c => c.invite(docIdArg(args), role))
    })
    .command('members <id>', "List a private document's members and this daemon's role", docIdPositional,
      async (args) => { await client(args, printMembers, c => c.members(docIdArg(args))) })
    .command('revoke <id> <member>', 'Revoke a member (its key, as `weft members` shows it)', y =>
      docIdPositional(y).positional('member', { type: 'string', describe: 'The member\'s key (64 hex digits)' }),
    async (args) => {
      const member = String(args.member)
      if (!/^[0-9a-f]{64}$/.test(member)) {
        process.stderr.write(`weft: member ${JSON.stringify(member)} is not a key (64 hex digits, see weft members)\n`)
        process.exit(EXIT_USAGE)
      }
      await client(args, (r) => `revoked ${String(r.revoked)} from ${String(r.id)}`,
        c => c.revoke(docIdArg(args), member))
    })
    .epilogue('Every daemon option can also be set with a WEFT_* environment variable or in a JSON --config file. ' +
      'Precedence: flag > environment > config file > default. List options take several values separated by commas.')
    .strict()
    .parserConfiguration({ 'greedy-arrays': false })
    .version(DAEMON_VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      if (err != null) throw err
      process.stderr.write(`weft: ${msg}\nRun "weft --help" (or "weft <command> --help") for usage.\n`)
      process.exit(EXIT_USAGE)
    })
}

/** The document id argument, checked here so that a typo is a usage error, not a request the daemon refuses. */
function docIdArg (args: Record<string, unknown>): string {
  const id = String(args.id)
  if (!isValidDocId(id)) {
    process.stderr.write(`weft: ${JSON.stringify(id)} is not a document id ` +
      '(26 characters a-z, 2-7; 52 for a private one)\n')
    process.exit(EXIT_USAGE)
  }
  return id
}

// ---------------------------------------------------------------------------
// weft daemon

function flagsOf (args: Record<string, unknown>): Record<string, unknown> {
  const flags: Record<string, unknown> = { config: args.config }
  // yargs camel-cases the flag (shutdown-timeout -> shutdownTimeout); the config key may differ (shutdownTimeoutMs).
  for (const spec of DAEMON_OPTIONS) {
    flags[spec.key] = args[spec.flag.replace(/-([a-z])/g, (_s, c: string) => c.toUpperCase())]
  }
  return flags
}

async function runDaemon (args: Record<string, unknown>): Promise<void> {
  let config: DaemonConfig
  try {
    config = resolveDaemonConfig({ flags: flagsOf(args), env: process.env })
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`weft daemon: ${err.message}\n`)
      process.exit(EXIT_USAGE)
    }
    throw err
  }
  if (args.printConfig === true) {
    process.stdout.write(JSON.stringify(describeConfig(config), null, 2) + '\n')
    return
  }
  const log = createLogger({ level: config.logLevel, format: config.logFormat })

  const shutdown = installShutdown({ log, timeoutMs: config.shutdownTimeoutMs })
  process.on('unhandledRejection', (reason) => {
    // libp2p internals occasionally reject in the background; one stray promise must not stop an always-on peer.
    log.error('unhandled rejection (continuing)', { err: reason instanceof Error ? reason : String(reason) })
  })
  process.on('uncaughtException', (err) => {
    log.error('uncaught exception: shutting down', { err })
    shutdown.trigger('SIGTERM', EXIT_FAILURE)
  })

  log.info(`weft daemon ${DAEMON_VERSION} starting`,
    { dataDir: config.dataDir, pid: process.pid, node: process.version })
  let daemon: Daemon
  try {
    // Loaded here so that client commands do not pay for loading the engine and libp2p.
    const { Daemon } = await import('./daemon.js')
    daemon = await Daemon.start({ config, logger: log })
  } catch (err: any) {
    const { message, known } = explainStartError(err, config)
    log.error(`cannot start: ${message}`, known ? {} : { err })
    process.exit(EXIT_FAILURE)
  }
  shutdown.setStop(async () => { await daemon.stop() })
}

function explainStartError (err: any, config: DaemonConfig): { message: string, known: boolean } {
  const chain: any[] = []
  for (let e = err; e != null && chain.length < 5; e = e.cause) chain.push(e)
  const text = chain.map(e => String(e?.message ?? e)).join(': ')
  const has = (code: string): any => chain.find(e => e?.code === code)
  // The library's own start errors (data dir, listen address, options) already say what is wrong in one line.
  const own = chain.find(e =>
    String(e?.code ?? '').startsWith('WEFT_') || (e instanceof TypeError && /^createWeft: /.test(e.message)))
  if (own != null) return { known: true, message: own.message }
  const inUse = has('EADDRINUSE')
  if (inUse != null) {
    return {
      known: true,
      message: `address in use (${inUse.address ?? ''}:${inUse.port ?? ''}): another daemon running? ` +
        'Change --admin or --listen (port 0 picks a free one)'
    }
  }
  if (has('LEVEL_LOCKED') != null || /LOCK: already held/i.test(text)) {
    return {
      known: true,
      message: `the data dir ${config.dataDir} is in use by another process (another weft daemon?)`
    }
  }
  if (has('EACCES') != null) return { known: true, message: `permission denied: ${text}` }
  return { known: false, message: text }
}

// ---------------------------------------------------------------------------
// client commands

async function client (
  args: Record<string, unknown>,
  render: (r: any) => string,
  call: (c: AdminClient) => Promise<any>
): Promise<void> {
  let c: AdminClient
  try {
    const cfg = resolveClientConfig({
      flags: { dataDir: args.dataDir, admin: args.admin, token: args.token, timeout: args.timeout },
      env: process.env,
      runningAdmin: runningAdminOf,
      storedToken: (dir) => readTokenFile(dir)
    })
    c = new AdminClient({ url: cfg.url, token: cfg.token, timeoutMs: cfg.timeoutMs })
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`weft: ${err.message}\n`)
      process.exit(EXIT_USAGE)
    }
    throw err
  }
  try {
    const result = await call(c)
    const text = args.json === true ? JSON.stringify(result, null, 2) : render(result)
    process.stdout.write(text.endsWith('\n') ? text : text + '\n')
  } catch (err) {
    if (err instanceof AdminClientError) {
      process.stderr.write(`weft: ${err.message}\n`)
      process.exitCode = err.status === 400 ? EXIT_USAGE : EXIT_FAILURE
      return
    }
    throw err
  }
}

/** The admin URL of the daemon running on `dataDir`: undefined if none runs there, null if its admin API is off. */
function runningAdminOf (dataDir: string): string | null | undefined {
  const info = readRuntimeInfo(dataDir)
  if (info == null || !isAlive(info.pid)) return undefined
  return info.adminUrl ?? null
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err: any) {
    return err?.code === 'EPERM' // alive, but another user's
  }
}

function vvSummary (vv: Record<string, number> | undefined): string {
  const entries = Object.entries(vv ?? {})
  if (entries.length === 0) return '-'
  return entries.map(([a, n]) => `${a.slice(0, 8)}:${n}`).join(' ')
}

function printStatus (s: any): string {
  const lines = [
    `peer id     ${s.peerId}`,
    `version     ${s.version}   pid ${s.pid}   up ${formatDuration(s.uptimeSeconds)}`,
    `data dir    ${s.dataDir}`,
    ...(s.multiaddrs as string[]).map((a, i) => `${i === 0 ? 'addresses ' : '          '}  ${a}`),
    `bootstrap   ${s.bootstrap ?? '-'}`,
    `peers       ${(s.connectedPeers as unknown[]).length} connected`,
    `documents   ${(s.documents as unknown[]).length} open or pinned, ${s.pins} pinned`
  ]
  for (const d of s.documents as any[]) {
    const role = d.pinned === true ? 'pinned' : 'open  '
    const error = d.error != null ? `  error=${d.error}` : ''
    const peers = (d.peers as unknown[]).length
    const vv = vvSummary(d.versionVector)
    lines.push(`  ${d.id}  ${role}  ${String(d.status).padEnd(10)} peers=${peers}  vv=${vv}${error}`)
  }
  return lines.join('\n')
}

function printPeers (r: any): string {
  const peers = r.peers as Array<{ id: string, addresses: string[] }>
  if (peers.length === 0) return 'no connected peers'
  return peers.map(p => `${p.id}  ${p.addresses.join(' ')}`).join('\n')
}

function printDocs (r: any): string {
  const docs = r.docs as any[]
  if (docs.length === 0) return 'no documents'
  const width = Math.max(26, ...docs.map(d => String(d.id).length))
  const head = `${'ID'.padEnd(width)}  PINNED  OPEN   STATUS      PEERS  VERSION VECTOR`
  return [head, ...docs.map(d =>
    [
      String(d.id).padEnd(width),
      (d.pinned === true ? 'yes' : 'no').padEnd(6),
      (d.open === true ? 'yes' : 'no').padEnd(5),
      String(d.status).padEnd(10),
      String((d.peers as unknown[]).length).padEnd(5),
      vvSummary(d.versionVector)
    ].join('  '))
  ].join('\n')
}

function printMembers (r: any): string {
  const members = r.members as Array<{ key: string, role: string }>
  const lines = [`this daemon: ${String(r.access)}`]
  if (members.length === 0) lines.push('no members (an open document: anyone with the id)')
  for (const m of members) lines.push(`${m.key}  ${m.role}`)
  return lines.join('\n')
}

function formatDuration (seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  const d = Math.floor(s / 86400)
  const h = Math.floor(s % 86400 / 3600)
  const m = Math.floor(s % 3600 / 60)
  return [d > 0 ? `${d}d` : '', h > 0 ? `${h}h` : '', m > 0 ? `${m}m` : '', `${s % 60}s`].filter(Boolean).join(' ')
}

export async function main (argv: string[] = hideBin(process.argv)): Promise<void> {
  await buildCli(argv).parseAsync()
}

const invokedDirectly = (() => {
  const entry = process.argv[1]
  if (entry == null) return false
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href
  } catch {
    return false
  }
})()

if (invokedDirectly) {
  main().catch((err) => {
    process.stderr.write(`weft: ${err?.stack ?? err}\n`)
    process.exit(EXIT_FAILURE)
  })
}

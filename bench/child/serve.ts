/** The child side of the IPC protocol (bench/child/protocol.ts): run commands by name, answer each, say ready. */
import type { Request, Reply, SeenEvent } from './protocol.js'

export type Commands = Record<string, (args: any) => Promise<unknown>>

export const sendToParent = (m: Reply | SeenEvent): void => { process.send?.(m) }

/** Answers every request with its command's result or error; exits when the parent goes away. */
export function serveCommands (commands: Commands): void {
  process.on('message', (m: Request) => {
    const fn = commands[m.cmd]
    if (fn === undefined) { sendToParent({ id: m.id, ok: false, error: `unknown command ${m.cmd}` }); return }
    fn(m.args).then(
      result => { sendToParent({ id: m.id, ok: true, result }) },
      (err: unknown) => {
        sendToParent({ id: m.id, ok: false, error: err instanceof Error ? err.message : String(err) })
      }
    )
  })
  process.on('disconnect', () => { process.exit(0) })
  sendToParent({ id: 0, ok: true, result: 'ready' })
}

/** Progress lines go to stderr so stdout carries only the report. */
const t0 = performance.now()
export function log (msg: string): void {
  process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}\n`)
}
export function errMsg (err: unknown): string {
  return err instanceof Error ? `${err.name === 'Error' ? '' : err.name + ': '}${err.message}` : String(err)
}
